package dev.kvfallback.replay;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.Write;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.RedisSource;
import dev.kvfallback.upstream.ErrorClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The write-back (DESIGN.md, RECOVERING): keys MongoDB holds divergent, written while serving from
 * MongoDB, are written to Redis whole, with their absolute expiry, or deleted there; then their
 * mark is cleared (Invariant 2). A divergent key is never removed from MongoDB before Redis has it
 * (Invariant 4): a tombstone's document goes only once Redis took the delete.
 *
 * <p>A pass takes each db in turn: list up to {@code LIST_LIMIT} divergent keys (one query), then
 * {@code BATCHES_IN_FLIGHT} batches of {@code batch} keys at a time. A batch holds its keys in the
 * engine's key locks throughout ({@link Engine#withKeys}), so no command changes them between
 * their write-back and their mark's clearing: load them (one MongoDB round trip), send every
 * key's {@link WriteBack} on the replayer's own Redis connection (one pipelined call), clear the
 * marks of the keys Redis took (one bulk write). Each key goes once per pass, so a pass ends even
 * while clients keep writing; the caller runs another. Batches are throttled to
 * {@code keysPerSecond}, so the write-back does not trip a hosted Redis's rate limit itself. A
 * pass stops at the first reply that says Redis cannot serve ({@link ErrorClassifier}), or a
 * MongoDB failure, and says which ({@link Outcome}). {@link #rehydrate} does the same for every
 * key, for a Redis that came back empty.
 *
 * <p>Threads: stages complete on the MongoDB driver's and the upstream's threads; nothing blocks.
 */
public final class Replayer {

    private static final Logger log = LoggerFactory.getLogger(Replayer.class);
    /** Batches written back at once. */
    private static final int BATCHES_IN_FLIGHT = 8;
    /** Divergent keys listed by one query (a scan where the {@code divergent} index is not used). */
    private static final int LIST_LIMIT = 100_000;

    /** How a pass ended. */
    public enum Outcome {
        /**
         * Every key divergent when the pass began is in Redis (but those Redis refused with a
         * command error); keys written again since then may be divergent again.
         */
        DONE,
        /** Redis did not answer in time, or answered that it cannot serve. */
        REDIS_FAILED,
        /** MongoDB failed a read or a write: the divergent keys cannot be known or cleared now. */
        MONGODB_FAILED
    }

    /** Every live key of a db, page by page after {@code after} (null: from the start), in a stable order. */
    @FunctionalInterface
    public interface AllKeys {
        CompletionStage<List<byte[]>> page(int db, byte[] after, int count);
    }

    /** Where the divergent keys are listed: MongoDB's {@code divergent} mark. */
    @FunctionalInterface
    public interface DivergentKeys {
        CompletionStage<List<byte[]>> list(int db, int limit);
    }

    private final Engine engine;
    private final DivergentKeys divergent;
    private final RedisSource redis;
    private final int databases;
    private final int batch;
    private final int keysPerSecond;
    private final long timeoutMillis;
    private final LongSupplier clock;

    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean running;
    private volatile long passStarted;
    private final AtomicLong passDone = new AtomicLong();
    private volatile String lastError;

    /**
     * @param engine        loads the keys and clears their marks under its key locks (so a cache stays right
     *                      and no command changes a key between its write-back and its mark's clearing)
     * @param redis         a Redis connection of the replayer's own (MULTI blocks must not mix with clients')
     * @param timeoutMillis how long one batch may wait for Redis before the pass gives up
     */
    public Replayer(Engine engine, DivergentKeys divergent, RedisSource redis, int databases, int batch,
                    int keysPerSecond, long timeoutMillis, LongSupplier clock) {
        this.engine = engine;
        this.divergent = divergent;
        this.redis = redis;
        this.databases = databases;
        this.batch = batch;
        this.keysPerSecond = keysPerSecond;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    /**
     * Writes every divergent key back, each once. Keys Redis refuses with a command error are counted in
     * {@code keys_refused} and left marked. Never completes exceptionally.
     */
    public CompletionStage<Outcome> pass() {
        return run(() -> db(0, new HashSet<>()));
    }

    /**
     * Writes every key MongoDB holds to Redis, divergent or not: for a Redis that came back empty
     * (restarted without persistence, or flushed behind the proxy's back). Divergent keys are
     * cleared as in a {@link #pass}.
     */
    public CompletionStage<Outcome> rehydrate(AllKeys all) {
        return run(() -> everyKey(all, 0, null));
    }

    private CompletionStage<Outcome> run(java.util.function.Supplier<CompletionStage<Boolean>> work) {
        running = true;
        passStarted = clock.getAsLong();
        passDone.set(0);
        passes.incrementAndGet();
        return work.get().handle((ok, error) -> {
            running = false;
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                lastError = "MongoDB: " + cause;
                log.warn("[Database] write-back to KV stopped: {}", lastError);
                return Outcome.MONGODB_FAILED;
            }
            if (!ok) {
                log.warn("[Database] write-back to KV stopped: {}", lastError);
                return Outcome.REDIS_FAILED;
            }
            return Outcome.DONE;
        });
    }

    /**
     * The db's divergent keys, batch after batch, each key once per pass: a key written again
     * after its write-back (clients are served meanwhile) waits for the next pass, so a pass ends
     * even under a steady stream of writes to the same keys.
     */
    private CompletionStage<Boolean> db(int db, Set<Bytes> seen) {
        if (db >= databases) {
            return CompletableFuture.completedFuture(true);
        }
        return divergent.list(db, LIST_LIMIT).thenCompose(keys -> {
            List<byte[]> todo = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                if (seen.add(Bytes.wrap(key))) {
                    todo.add(key);
                }
            }
            if (todo.isEmpty()) {
                return db(db + 1, new HashSet<>());
            }
            return window(db, todo, 0, false).thenCompose(ok -> ok ? db(db, seen) : CompletableFuture.completedFuture(false));
        });
    }

    private CompletionStage<Boolean> everyKey(AllKeys all, int db, byte[] after) {
        if (db >= databases) {
            return CompletableFuture.completedFuture(true);
        }
        return all.page(db, after, batch * BATCHES_IN_FLIGHT).thenCompose(keys -> {
            if (keys.isEmpty()) {
                return everyKey(all, db + 1, null);
            }
            byte[] last = keys.get(keys.size() - 1);
            return window(db, keys, 0, true).thenCompose(ok -> ok ? everyKey(all, db, last)
                    : CompletableFuture.completedFuture(false));
        });
    }

    /**
     * The listed keys from {@code from} on, {@code BATCHES_IN_FLIGHT} batches at a time: their keys
     * are disjoint, and the one connection carries their blocks to Redis in order.
     */
    private CompletionStage<Boolean> window(int db, List<byte[]> todo, int from, boolean every) {
        if (from >= todo.size()) {
            return CompletableFuture.completedFuture(true);
        }
        long started = System.nanoTime();
        int to = Math.min(todo.size(), from + batch * BATCHES_IN_FLIGHT);
        List<CompletableFuture<Boolean>> batches = new ArrayList<>();
        for (int at = from; at < to; at += batch) {
            batches.add(batch(db, todo.subList(at, Math.min(to, at + batch)), every).toCompletableFuture());
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                .thenCompose(all -> batches.stream().allMatch(CompletableFuture::join)
                        ? throttle(to - from, started).thenCompose(ignored -> window(db, todo, to, every))
                        : CompletableFuture.completedFuture(false));
    }

    /** Keys written back by the last (or the running) pass. */
    public long passKeys() {
        return passDone.get();
    }

    /**
     * One batch: load, write back, clear the marks, with the keys held in the engine's key locks
     * throughout, so no command changes them in between. False if Redis could not serve.
     */
    private CompletionStage<Boolean> batch(int db, List<byte[]> keys, boolean every) {
        boolean[] redisOk = {true};
        return engine.withKeys(db, keys, loaded -> writeBack(db, loaded, every, redisOk))
                .thenApply(stored -> redisOk[0]);
    }

    /**
     * Sends the marked keys (with {@code every}, every live key too) to Redis; completes with the
     * writes that clear the marks of those Redis took.
     */
    private CompletionStage<List<Write>> writeBack(int db, List<Stored> loaded, boolean every, boolean[] redisOk) {
        long now = clock.getAsLong();
        List<Stored> marked = new ArrayList<>(loaded.size());
        List<RespRequest> commands = new ArrayList<>();
        List<Integer> counts = new ArrayList<>(loaded.size());
        for (Stored s : loaded) {
            if (s.divergent() || every && s.liveAt(now)) {
                marked.add(s);
                List<RespRequest> c = WriteBack.commands(s, now);
                commands.addAll(c);
                counts.add(c.size());
            }
        }
        if (marked.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return redis.call(db, commands).toCompletableFuture()
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((replies, error) -> {
                    if (error != null) {
                        lastError = "KV did not answer within " + timeoutMillis + " ms";
                        redisOk[0] = false;
                        return List.of();
                    }
                    return settle(db, marked, counts, replies, now, redisOk);
                });
    }

    private List<Write> settle(int db, List<Stored> marked, List<Integer> counts, List<RespValue> replies, long now,
                               boolean[] redisOk) {
        List<Write> clears = new ArrayList<>(marked.size());
        int at = 0;
        int synced = 0;
        boolean redisFailed = false;
        for (int i = 0; i < marked.size(); i++) {
            Stored s = marked.get(i);
            int n = counts.get(i);
            RespValue.Error error = WriteBack.firstError(replies.subList(at, at + n));
            at += n;
            if (error == null) {
                boolean live = s.liveAt(now);
                if (s.divergent()) {
                    clears.add(new Write(s.key(), s.version(), live ? s.value() : null, live ? s.expireAt() : 0, false));
                }
                synced++;
                if (log.isDebugEnabled()) {
                    log.debug("[Database] Synced {} from MongoDB to KV (db {})", printable(s.key()), db);
                }
            } else if (ErrorClassifier.fallsBack(error.bytes(), true)) {
                redisFailed = true;
                lastError = text(error);
            } else {
                failed.incrementAndGet();
                lastError = text(error);
                log.warn("[Database] KV refused the write-back of {} in db {}: {}; it stays in MongoDB, marked",
                        printable(s.key()), db, text(error));
            }
        }
        redisOk[0] = !redisFailed;
        done.addAndGet(synced);
        passDone.addAndGet(synced);
        return clears;
    }

    /** Waits so that batches average at most {@code keysPerSecond}. */
    private CompletionStage<Void> throttle(int keys, long startedNanos) {
        long minNanos = keys * 1_000_000_000L / Math.max(1, keysPerSecond);
        long wait = minNanos - (System.nanoTime() - startedNanos);
        if (wait <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS));
    }

    /** The write-back's figures, for the health JSON and metrics. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", running);
        m.put("passes", passes.get());
        m.put("keys_done", done.get());
        m.put("keys_refused", failed.get());
        long elapsed = clock.getAsLong() - passStarted;
        m.put("rate_keys_per_s", running && elapsed > 0 ? passDone.get() * 1000 / elapsed : null);
        m.put("last_error", lastError);
        return m;
    }

    /** Keys written back since start. */
    public long keysDone() {
        return done.get();
    }

    private static String text(RespValue.Error error) {
        return new String(error.bytes(), StandardCharsets.UTF_8);
    }

    private static String printable(byte[] key) {
        String s = new String(key, 0, Math.min(key.length, 100), StandardCharsets.UTF_8);
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
