package dev.kvfallback.failover;

import dev.kvfallback.concurrent.DaemonScheduler;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.replay.Replayer;
import dev.kvfallback.upstream.RedisSource;
import dev.kvfallback.upstream.ErrorClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The mode state machine of DESIGN.md around {@link Failover}:
 * <pre>
 *   PRIMARY --fallback-class error--> FALLBACK --N probes answered--> RECOVERING --nothing divergent--> PRIMARY
 *                                        ^                                 |
 *                                        +------- Redis fails again -------+
 * </pre>
 * <ul>
 *   <li>{@link #trip}: a command met an error the {@link ErrorClassifier} sends to MongoDB. The
 *       switch waits (its {@code ready} stage) for the writes in flight to Redis to land and the
 *       tee to apply them, so MongoDB serves every write Redis acknowledged.</li>
 *   <li>In FALLBACK, Redis is probed with {@code PING} on a connection of the write-back's own:
 *       every {@code probeMin} while it answers, backing off to {@code probeMax} while it does not,
 *       straight to {@code probeMax} after a rate-limit reply (each probe costs a request on a
 *       metered plan). {@code probeSuccesses} answers in a row start RECOVERING.</li>
 *   <li>RECOVERING: clients are still served from MongoDB while the {@link Replayer} writes the
 *       divergent keys back. When a pass leaves none, the switch to PRIMARY holds new commands to
 *       Redis (its {@code ready} stage) until the engine has finished the commands it was running
 *       and a last pass has written back what they changed: no client ever reads from Redis a
 *       value older than one it wrote.</li>
 * </ul>
 *
 * <p>Threads: one scheduler thread runs probes and passes' continuations start there; {@link #trip}
 * is called from event loops and only switches and schedules.
 */
public final class Recovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    private static final RespRequest PING = new RespRequest(new byte[][]{"PING".getBytes(StandardCharsets.US_ASCII)}, false);

    /** Probing: how often, how many answers in a row, how long one may take. */
    public record Settings(Duration probeMin, Duration probeMax, int probeSuccesses, Duration probeTimeout) {
    }

    /**
     * For a Redis that comes back empty: whether MongoDB holds any live key, and every live key of
     * a db page by page, to write it all back (null: do not rehydrate).
     */
    public record Rehydration(Supplier<CompletionStage<Boolean>> mongoHasKeys, Replayer.AllKeys allKeys) {
    }

    /** The last pass holds commands to Redis: begin it once a pass has had at most this many keys... */
    private static final long HELD_PASS_KEYS = 1000;
    /** ...or after this many passes, if clients write more keys than the write-back catches up with. */
    private static final int MAX_OPEN_PASSES = 10;

    private final Failover failover;
    private final RedisSource redis;
    private final int db;
    private final Replayer replayer;
    private final Supplier<CompletionStage<Void>> settled;
    private final Supplier<CompletionStage<Void>> engineIdle;
    private final java.util.function.LongSupplier writesServed;
    private final java.util.function.LongSupplier divergentCount;
    /** Writes the engine had served when a fallback began with no divergent key; -1: not known clean. */
    private volatile long cleanFrom = -1;
    private final Settings settings;
    private final Rehydration rehydration;
    private final ScheduledExecutorService timer;
    private volatile boolean probing;
    private volatile String redisFailure;
    private int answered;
    private long delayMillis;

    /**
     * @param redis      the write-back's own Redis connection, probed on {@code db}
     * @param settled    completes when the writes in flight to Redis have landed and the tee applied them
     * @param engineIdle completes when the engine has finished every command it was running
     * @param writesServed   the engine's count of writes served (stored in MongoDB)
     * @param divergentCount the last count of divergent keys in MongoDB; negative if unknown
     */
    public Recovery(Failover failover, RedisSource redis, int db, Replayer replayer,
                    Supplier<CompletionStage<Void>> settled, Supplier<CompletionStage<Void>> engineIdle,
                    java.util.function.LongSupplier writesServed, java.util.function.LongSupplier divergentCount,
                    Settings settings, Rehydration rehydration) {
        this.rehydration = rehydration;
        this.writesServed = writesServed;
        this.divergentCount = divergentCount;
        this.failover = failover;
        this.redis = redis;
        this.db = db;
        this.replayer = replayer;
        this.settled = settled;
        this.engineIdle = engineIdle;
        this.settings = settings;
        this.timer = DaemonScheduler.create("kvfallback-recovery");
    }

    /**
     * A command met a reply that says Redis cannot serve ({@code cause} names it): serve from
     * MongoDB and start probing. Nothing if already there or if the configuration forced fallback.
     */
    public void trip(String redisError) {
        if (failover.forced() || failover.mode() == Failover.Mode.FALLBACK) {
            return;
        }
        redisFailure = redisError;
        if (failover.mode() == Failover.Mode.PRIMARY) {
            cleanFrom = divergentCount.getAsLong() == 0 ? writesServed.getAsLong() : -1;
        }
        CompletionStage<Void> ready = failover.mode() == Failover.Mode.PRIMARY ? settled.get()
                : CompletableFuture.completedFuture(null);
        String cause = (redisError.startsWith("ERR max ") ? "KV rate limit hit: " : "KV unavailable: ") + redisError;
        if (failover.switchTo(Failover.Mode.FALLBACK, cause, ready)) {
            timer.execute(this::startProbing);
        }
    }

    /**
     * An operator asked to serve from MongoDB: switch as {@link #trip} does, but do not probe;
     * only {@link #recoverNow} returns. False if already serving from MongoDB.
     */
    public boolean fallbackByOperator(String cause) {
        if (failover.mode() != Failover.Mode.PRIMARY) {
            return false;
        }
        cleanFrom = -1;
        return failover.switchTo(Failover.Mode.FALLBACK, cause, settled.get());
    }

    /** An operator asked to return to Redis: write back now, without probing first. */
    public void recoverNow(String cause) {
        timer.execute(() -> recover(cause));
    }

    /** Why Redis could not serve, as its last failure said; null while it serves (or was never tried). */
    public String redisFailure() {
        return redisFailure;
    }

    // ---- on the timer thread ----------------------------------------------------------------

    private void startProbing() {
        if (probing) {
            return;
        }
        probing = true;
        answered = 0;
        delayMillis = settings.probeMin().toMillis();
        timer.schedule(this::probe, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        if (failover.mode() != Failover.Mode.FALLBACK || failover.forced()) {
            probing = false;
            return;
        }
        redis.call(db, List.of(PING)).toCompletableFuture()
                .orTimeout(settings.probeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((replies, error) -> probed(error != null ? describe(error) : replies.get(0)), timer);
    }

    private void probed(Object outcome) {
        if (outcome instanceof RespValue.Simple pong) {
            answered++;
            delayMillis = settings.probeMin().toMillis();
            if (answered >= settings.probeSuccesses()) {
                probing = false;
                recover("KV answered " + answered + " probes in a row");
                return;
            }
            log.debug("[Database] KV probe answered ({}/{}): {}", answered, settings.probeSuccesses(), pong);
        } else {
            answered = 0;
            redisFailure = outcome instanceof RespValue.Error e ? new String(e.bytes(), StandardCharsets.UTF_8)
                    : String.valueOf(outcome);
            boolean rateLimited = outcome instanceof RespValue.Error e
                    && ErrorClassifier.classify(e.bytes()) == ErrorClassifier.Kind.RATE_LIMIT;
            long max = settings.probeMax().toMillis();
            delayMillis = rateLimited ? max : Math.min(max, delayMillis * 2);
            log.debug("[Database] KV probe failed ({}); next in {} ms", outcome, delayMillis);
        }
        timer.schedule(this::probe, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void recover(String cause) {
        if (failover.forced() || failover.mode() == Failover.Mode.PRIMARY) {
            return;
        }
        failover.switchTo(Failover.Mode.RECOVERING, cause, CompletableFuture.completedFuture(null));
        cameBackEmpty().whenCompleteAsync((empty, error) -> {
            if (!Boolean.TRUE.equals(empty)) {
                pass(0);
                return;
            }
            log.warn("[Database] KV came back empty (restarted without persistence, or flushed behind the proxy's "
                    + "back); rehydrating it from MongoDB");
            replayer.rehydrate(rehydration.allKeys()).whenCompleteAsync((outcome, failure) -> {
                if (outcome == Replayer.Outcome.DONE) {
                    log.info("[Database] Rehydrated KV from MongoDB: {} keys", replayer.passKeys());
                    pass(0);
                } else {
                    backToFallback();
                }
            }, timer);
        }, timer);
    }

    /** Whether Redis holds no key at all (INFO keyspace lists no db) while MongoDB holds some. */
    private CompletionStage<Boolean> cameBackEmpty() {
        if (rehydration == null) {
            return CompletableFuture.completedFuture(false);
        }
        RespRequest info = new RespRequest(new byte[][]{bytes("INFO"), bytes("keyspace")}, false);
        return redis.call(db, List.of(info)).toCompletableFuture()
                .orTimeout(settings.probeTimeout().toMillis(), TimeUnit.MILLISECONDS).thenCompose(replies -> {
            if (!(replies.get(0) instanceof RespValue.Bulk bulk)
                    || new String(bulk.bytes(), StandardCharsets.UTF_8).contains("\ndb")) {
                return CompletableFuture.completedFuture(false);
            }
            return rehydration.mongoHasKeys().get();
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One pass while clients are served from MongoDB; another while the last one had much to do
     * (clients keep writing meanwhile, each pass has less), then the last, held one.
     */
    private void pass(int round) {
        replayer.pass().whenCompleteAsync((outcome, error) -> {
            if (outcome == Replayer.Outcome.MONGODB_FAILED && nothingWrittenInFallback()) {
                // MongoDB is out too, but it holds nothing Redis lacks: Redis can serve alone.
                redisFailure = null;
                failover.switchTo(Failover.Mode.PRIMARY, "KV answers; MongoDB is unavailable but nothing was "
                        + "written to it while serving from it", CompletableFuture.completedFuture(null));
                return;
            }
            if (outcome != Replayer.Outcome.DONE) {
                backToFallback();
                return;
            }
            if (failover.mode() != Failover.Mode.RECOVERING) {
                return;
            }
            if (replayer.passKeys() > HELD_PASS_KEYS && round < MAX_OPEN_PASSES) {
                pass(round + 1);
                return;
            }
            // Hold commands to Redis until the engine's last commands are done and written back.
            CompletableFuture<Void> last = new CompletableFuture<>();
            redisFailure = null;
            failover.switchTo(Failover.Mode.PRIMARY, "every key written in fallback is in KV", last);
            engineIdle.get().thenCompose(idle -> replayer.pass()).whenCompleteAsync((lastOutcome, lastError) -> {
                if (lastOutcome != Replayer.Outcome.DONE) {
                    backToFallback();
                }
                last.complete(null);
            }, timer);
        }, timer);
    }

    private boolean nothingWrittenInFallback() {
        long from = cleanFrom;
        return from >= 0 && writesServed.getAsLong() == from;
    }

    private void backToFallback() {
        String why = "the write-back to KV failed: " + replayer.stats().get("last_error");
        redisFailure = String.valueOf(replayer.stats().get("last_error"));
        failover.switchTo(Failover.Mode.FALLBACK, why, CompletableFuture.completedFuture(null));
        startProbing();
    }

    private static String describe(Throwable error) {
        Throwable t = error.getCause() != null ? error.getCause() : error;
        return t instanceof java.util.concurrent.TimeoutException ? "no answer in time" : t.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
