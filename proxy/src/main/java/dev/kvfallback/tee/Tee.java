package dev.kvfallback.tee;

import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.engine.CommandError;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.Keyspace;
import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.RedisSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The backup tee: every write Redis acknowledges becomes {@link Effect}s applied to MongoDB in the
 * background, per key in the order Redis applied them (Invariant 1), without delaying any reply.
 *
 * <p>Flow: the server takes a {@link Ticket} for a write, {@link Ticket#depart departs} it when
 * it sends the write (so {@link Flights} know which keys are in flight on which connection) and
 * {@link Ticket#land lands} it with Redis's reply, on its event loop; landing only appends to the
 * backlog. One worker thread drains the backlog in batches and applies each db's part as one
 * group through {@link Engine#applyAll} (group commit: one load and one write per key per group),
 * a few groups at a time; the engine's key locks keep groups that share keys in order. Where the
 * engine's reply differs from Redis's (self-check), or the order is in doubt, or a group cannot
 * be stored, the keys go to the {@link Copier}, which re-copies them from Redis.
 *
 * <p>Bounds: the backlog holds at most {@code maxBacklog} effects and {@code maxBacklogBytes};
 * past either, an effect is not queued but its keys are remembered for re-copy, so nothing is
 * lost and memory stays bounded (the copier's set of keys is bounded too: past it, a backfill).
 *
 * <p>Threads: tickets on event loops (never blocking); the worker on its own thread; group
 * results on the MongoDB driver's threads.
 */
public final class Tee implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Tee.class);
    private static final int BATCH = 1024;
    private static final int GROUPS_IN_FLIGHT = 4;
    /** A whole group of the batch is at most this many effects. */
    private static final int GROUP_LIMIT = 512;
    private static final java.time.Duration DRAIN_ON_CLOSE = java.time.Duration.ofSeconds(10);

    /** The tee's limits. */
    public record Settings(int maxBacklog, long maxBacklogBytes, int maxCopyKeys, int copyRate, int copyConcurrency) {
        public static Settings defaults() {
            return new Settings(100_000, 64L << 20, 1_000_000, 5_000, 32);
        }
    }

    /** One queued effect: when it was queued, its size in the byte bound. */
    private record Queued(Effect effect, long at, int weight) {
    }

    private final Engine engine;
    private final Keyspace keyspace;
    private final int databases;
    private final Settings settings;
    private final LongSupplier clock;
    private final Predicate<String> served;
    private final LongSupplier servingEpoch;
    private final Flights flights = new Flights();
    private final Copier copier;
    private final LinkedBlockingQueue<Queued> backlog = new LinkedBlockingQueue<>();
    private final AtomicLong backlogBytes = new AtomicLong();
    private final Semaphore groups = new Semaphore(GROUPS_IN_FLIGHT);
    private final Map<Object, Long> sharedDomains = new ConcurrentHashMap<>();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile boolean mongoAvailable = true;
    private volatile String mongoError;

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong diverted = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong ambiguous = new AtomicLong();
    private final AtomicLong groupsApplied = new AtomicLong();
    private final AtomicLong skippedDivergent = new AtomicLong();
    private final AtomicLong outdatedCopies = new AtomicLong();

    /**
     * @param servingEpoch while Redis serves clients (not while serving from MongoDB, nor while the
     *                     return to Redis finishes its write-back), a number that changes with every
     *                     change of mode; negative otherwise. The copier reads Redis only then, and
     *                     keeps a copy only if the number did not change during its reads.
     */
    public Tee(Engine engine, Keyspace keyspace, RedisSource redis, int databases, Settings settings,
               LongSupplier clock, LongSupplier servingEpoch) {
        this.servingEpoch = servingEpoch;
        this.engine = engine;
        this.keyspace = keyspace;
        this.databases = databases;
        this.settings = settings;
        this.clock = clock;
        this.served = engine::serves;
        this.copier = new Copier(this, redis, flights, databases, settings, clock);
        this.worker = new Thread(this::work, "kvfallback-tee");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    // ---- the server's side: tickets ---------------------------------------------------------

    /** A ticket for {@code request} if it is a write the tee follows; null otherwise. */
    public Ticket ticket(CommandSpec spec, int db, RespRequest request) {
        return Effects.teed(spec) ? new Ticket(spec, db, request) : null;
    }

    /** The connection identity of an event loop's shared connection for a protocol. */
    public long sharedDomain(Object loop, int protocol) {
        return sharedDomains.computeIfAbsent(List.of(loop, protocol), ignored -> flights.domain());
    }

    /** A connection identity of its own, for a client's pinned connection. */
    public long newDomain() {
        return flights.domain();
    }

    /** Writes on their way to Redis: depart when sent, land with the reply. */
    public interface Landing {
        /** The write is being sent on connection {@code domain}. */
        void depart(long domain);

        /** Redis answered (RESP {@code protocol}); an error reply means nothing was written. */
        void land(int protocol, RespValue reply);

        /**
         * After {@code land(protocol, null)} for a write that is run again on MongoDB: that run
         * failed, so the write may be in Redis only, and its keys are copied from Redis later.
         */
        void recopy();
    }

    /** One write on its way to Redis. */
    public final class Ticket implements Landing {
        private final CommandSpec spec;
        private final int db;
        private final RespRequest request;
        /** The write's keys, found once for its flight and its effects. */
        private final List<byte[]> keys;
        private Flights.Flight flight;

        private Ticket(CommandSpec spec, int db, RespRequest request) {
            this.spec = spec;
            this.db = db;
            this.request = request;
            this.keys = Effects.keys(spec, request);
        }

        @Override
        public void depart(long domain) {
            flight = flights.depart(db, keys, domain);
        }

        @Override
        public void land(int protocol, RespValue reply) {
            offer(effects(protocol, reply));
        }

        @Override
        public void recopy() {
            if (!keys.isEmpty()) {
                offer(List.of(new Effect.Copy(db, keys)));
            }
        }

        /** The effects of this write given its reply; lands the flight. */
        private List<Effect> effects(int protocol, RespValue reply) {
            boolean mixed = flight != null && flights.land(flight);
            flight = null;
            if (reply instanceof RespValue.Error || reply == null) {
                return Effects.afterError(spec, db, keys, reply);
            }
            List<Effect> effects = Effects.of(spec, db, protocol, request, keys, reply, clock.getAsLong(), served);
            if (mixed && !effects.isEmpty()) {
                ambiguous.incrementAndGet();
                List<Effect> withCopy = new ArrayList<>(effects);
                withCopy.add(new Effect.Copy(db, keys));
                return withCopy;
            }
            return effects;
        }
    }

    /**
     * The EXEC of a MULTI block: {@code queued} holds, for each command Redis queued, its ticket
     * (null for a command the tee does not follow). Landing it with EXEC's reply applies the
     * block's writes after EXEC succeeded, queued together so they stay together.
     */
    public Landing exec(List<Ticket> queued) {
        return new Landing() {
            @Override
            public void depart(long domain) {
                for (Ticket t : queued) {
                    if (t != null) {
                        t.depart(domain);
                    }
                }
            }

            @Override
            public void land(int protocol, RespValue reply) {
                List<RespValue> items = reply instanceof RespValue.Array a && a.items().size() == queued.size()
                        ? a.items() : null;
                List<Effect> all = new ArrayList<>();
                for (int i = 0; i < queued.size(); i++) {
                    Ticket t = queued.get(i);
                    if (t != null) {
                        // No items: an aborted EXEC ran nothing; but if the proxy lost EXEC's reply,
                        // the block may have run, and each write's keys are re-copied.
                        RespValue item = items != null ? items.get(i) : reply instanceof RespValue.Error ? reply : null;
                        all.addAll(t.effects(protocol, item));
                    }
                }
                offer(all);
            }

            @Override
            public void recopy() {
                for (Ticket t : queued) {
                    if (t != null) {
                        t.recopy();
                    }
                }
            }
        };
    }

    // ---- the backlog ------------------------------------------------------------------------

    private void offer(List<Effect> effects) {
        if (effects.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        List<Queued> queued = new ArrayList<>(effects.size());
        int weight = 0;
        for (Effect e : effects) {
            int w = weight(e);
            weight += w;
            queued.add(new Queued(e, now, w));
        }
        if (backlog.size() + queued.size() > settings.maxBacklog()
                || backlogBytes.get() + weight > settings.maxBacklogBytes()) {
            diverted.addAndGet(effects.size());
            for (Effect e : effects) {
                divert(e);
            }
            return;
        }
        backlogBytes.addAndGet(weight);
        backlog.addAll(queued);
    }

    /**
     * Whether the backlog is under half its bounds: the copier starts copies only then, as a copy
     * costs more than the effect it replaces, and copying while MongoDB cannot keep up would only
     * slow Redis and the proxy.
     */
    boolean roomForCopies() {
        return backlog.size() < settings.maxBacklog() / 2 && backlogBytes.get() < settings.maxBacklogBytes() / 2;
    }

    /** Queues a re-copied value, or returns false if the backlog is full. */
    boolean offerCopy(int db, Engine.Step.Put put, long generation) {
        int w = 64 + put.key().length + (put.value() == null ? 0 : (int) Math.min(Integer.MAX_VALUE, put.value().weight()));
        if (backlog.size() >= settings.maxBacklog() || backlogBytes.get() + w > settings.maxBacklogBytes()) {
            return false;
        }
        backlogBytes.addAndGet(w);
        backlog.add(new Queued(new Effect.Apply(db, put, null, false, List.of(put.key()), generation),
                clock.getAsLong(), w));
        return true;
    }

    /** An effect that cannot be applied now: its keys are re-copied later. */
    private void divert(Effect e) {
        if (e instanceof Effect.Apply a) {
            copier.add(a.db(), a.keys());
        } else if (e instanceof Effect.Copy c) {
            copier.add(c.db(), c.keys());
        } else if (e instanceof Effect.Clear || e instanceof Effect.Resync) {
            copier.resync(e.db());
        } else if (e instanceof Effect.Barrier b) {
            // Handed on like the effects around it: its waiter must not wait for its timeout.
            b.done().complete(null);
        }
    }

    private static int weight(Effect e) {
        if (e instanceof Effect.Apply a && a.step() instanceof Engine.Step.Run run) {
            long w = 64;
            for (int i = 0; i < run.request().size(); i++) {
                w += run.request().arg(i).length + 16;
            }
            return (int) Math.min(Integer.MAX_VALUE, w);
        }
        return 64;
    }

    /**
     * Completes when every effect queued before the call has been applied or handed to the
     * copier (not when the copier is done).
     */
    public CompletableFuture<Void> barrier() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        backlog.add(new Queued(new Effect.Barrier(done), clock.getAsLong(), 0));
        return done;
    }

    /**
     * Completes when no write is in flight to Redis (each has landed: acknowledged, refused or
     * timed out) and the tee has applied every effect queued by then, or after {@code limit}: what
     * a switch to MongoDB waits for, so a command served from MongoDB sees every write Redis
     * acknowledged before it (Invariant 1).
     */
    public CompletableFuture<Void> settled(java.time.Duration limit) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flights.whenNoneInFlight().completeOnTimeout(null, limit.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((landed, error) -> barrier().whenComplete((ignored, failed) -> done.complete(null)));
        return done.completeOnTimeout(null, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- the worker -------------------------------------------------------------------------

    private void work() {
        List<Queued> batch = new ArrayList<>(BATCH);
        while (running) {
            try {
                Queued first = backlog.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                backlog.drainTo(batch, BATCH - 1);
                process(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("[Database] tee worker error; the batch's keys will be re-copied", e);
                for (Queued q : batch) {
                    divert(q.effect());
                }
            } finally {
                for (Queued q : batch) {
                    backlogBytes.addAndGet(-q.weight());
                }
                batch.clear();
            }
        }
    }

    /** Splits a batch into per-db groups, keeping order; a clear or a barrier waits for every group before it. */
    private void process(List<Queued> batch) throws InterruptedException {
        Map<Integer, List<Effect.Apply>> open = new LinkedHashMap<>();
        for (Queued q : batch) {
            Effect effect = q.effect();
            if (effect instanceof Effect.Apply a && a.step() instanceof Engine.Step.Put put
                    && !copier.stillCurrent(a.db(), put.key(), a.generation())) {
                // A write overlapped this copy's reads: another copy is coming, and this one could
                // take back writes MongoDB has applied since.
                outdatedCopies.incrementAndGet();
            } else if (effect instanceof Effect.Apply a) {
                List<Effect.Apply> group = open.computeIfAbsent(a.db(), db -> new ArrayList<>());
                group.add(a);
                if (group.size() >= GROUP_LIMIT) {
                    submit(a.db(), open.remove(a.db()));
                }
            } else if (effect instanceof Effect.Copy c) {
                copier.add(c.db(), c.keys());
            } else if (effect instanceof Effect.Resync r) {
                copier.resync(r.db());
            } else if (effect instanceof Effect.Clear c) {
                submitAll(open);
                quiesce();
                clear(c.db());
            } else if (effect instanceof Effect.Barrier b) {
                submitAll(open);
                quiesce();
                b.done().complete(null);
            }
        }
        submitAll(open);
    }

    private void submitAll(Map<Integer, List<Effect.Apply>> open) throws InterruptedException {
        for (Map.Entry<Integer, List<Effect.Apply>> e : open.entrySet()) {
            submit(e.getKey(), e.getValue());
        }
        open.clear();
    }

    /** Waits until no group is in flight. */
    private void quiesce() throws InterruptedException {
        groups.acquire(GROUPS_IN_FLIGHT);
        groups.release(GROUPS_IN_FLIGHT);
    }

    private void submit(int db, List<Effect.Apply> group) throws InterruptedException {
        groups.acquire();
        List<Engine.Step> steps = new ArrayList<>(group.size());
        for (Effect.Apply a : group) {
            steps.add(a.step());
        }
        CompletableFuture<Engine.Applied> result;
        try {
            // The check runs while the group's keys are still taken, so a key it finds stale is
            // marked before any later group on that key loads it.
            result = engine.applyAll(db, steps, done -> check(db, group, done)).toCompletableFuture();
        } catch (RuntimeException e) {
            groups.release();
            throw e;
        }
        result.whenComplete((done, error) -> {
            try {
                if (error != null) {
                    failed(db, group, error);
                }
            } finally {
                groups.release();
            }
        });
    }

    /** The self-check: where the engine's reply is not Redis's, MongoDB's copy was stale. */
    private void check(int db, List<Effect.Apply> group, Engine.Applied done) {
        markAvailable();
        groupsApplied.incrementAndGet();
        for (byte[] key : done.tooLarge()) {
            copier.tooLarge(db, key);
        }
        for (int i = 0; i < group.size(); i++) {
            Effect.Apply a = group.get(i);
            if (!done.stored()) {
                copier.add(db, a.keys());
                continue;
            }
            boolean skipped = done.replies().get(i) == null && a.step() instanceof Engine.Step.Run;
            if (skipped) {
                // A divergent key: MongoDB's value is newer than Redis's, and goes to Redis later.
                skippedDivergent.incrementAndGet();
                log.debug("tee: {} left out, its key is divergent", a.step());
            } else if (a.expected() != null && !sameReply(a.expected(), done.replies().get(i), a.step())) {
                mismatches.incrementAndGet();
                log.debug("tee self-check: {} expected {} computed {}", a.step(), a.expected(), done.replies().get(i));
                copier.add(db, a.keys());
            } else if (a.copyAbsent() && !done.absent().get(i).isEmpty()) {
                copier.add(db, done.absent().get(i));
            } else if (a.keys().size() > 1 && copier.anyStale(db, a.keys())) {
                // A write computed from a key MongoDB holds stale (RENAME, SMOVE, ZUNIONSTORE, ...):
                // its reply may still agree, its result cannot be trusted.
                copier.add(db, a.keys());
            }
            if (a.step() instanceof Engine.Step.Put put) {
                copier.copied(db, put.key(), a.generation());
            } else {
                applied.incrementAndGet();
            }
        }
    }

    /**
     * Whether two replies are the same on the wire: the engine builds some values in RESP3 form
     * (a double) that the encoder downgrades, where Redis's RESP2 reply was a bulk string.
     */
    static boolean sameReply(RespValue expected, RespValue computed, Engine.Step step) {
        if (expected.equals(computed)) {
            return true;
        }
        if (computed == null) {
            return false;
        }
        int protocol = ((Engine.Step.Run) step).protocol();
        ByteBuf a = Unpooled.buffer();
        ByteBuf b = Unpooled.buffer();
        try {
            RespEncoder.write(expected, protocol, a);
            RespEncoder.write(computed, protocol, b);
            return ByteBufUtil.equals(a, b);
        } finally {
            a.release();
            b.release();
        }
    }

    private void failed(int db, List<Effect.Apply> group, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CommandError tooLarge) {
            // A document MongoDB refused as too large though the engine's estimate let it pass:
            // nothing of the group was written. Each key is copied again on its own.
            log.warn("[Database] tee: MongoDB refused a document of db {} as too large: {}", db, tooLarge.getMessage());
            for (Effect.Apply a : group) {
                copier.add(db, a.keys());
            }
            return;
        }
        if (mongoAvailable) {
            log.warn("[Database] MongoDB unavailable for the backup tee ({}); changed keys will be re-copied from "
                    + "Redis when it is back", cause.toString());
        }
        mongoAvailable = false;
        mongoError = cause.toString();
        for (Effect.Apply a : group) {
            copier.add(db, a.keys());
        }
    }

    private void markAvailable() {
        if (!mongoAvailable) {
            mongoAvailable = true;
            mongoError = null;
            log.info("[Database] MongoDB available again for the backup tee; re-copying {} keys", copier.pending());
        }
    }

    private void clear(int db) {
        List<CompletableFuture<Void>> clears = new ArrayList<>();
        for (int d = db < 0 ? 0 : db; d < (db < 0 ? databases : db + 1); d++) {
            int target = d;
            clears.add(keyspace.clear(d, false).toCompletableFuture().exceptionally(error -> {
                failedClear(target, error);
                return null;
            }));
        }
        CompletableFuture.allOf(clears.toArray(CompletableFuture[]::new)).join();
    }

    private void failedClear(int db, Throwable error) {
        log.warn("[Database] tee: could not clear db {} in MongoDB ({}); it will be backfilled", db, error.toString());
        mongoAvailable = false;
        mongoError = error.toString();
        copier.resync(db);
    }

    /** See the constructor: negative while Redis is not the truth to copy from. */
    long servingEpoch() {
        return servingEpoch.getAsLong();
    }

    /** Whether the last MongoDB write of the tee succeeded. */
    boolean mongoAvailable() {
        return mongoAvailable;
    }

    // ---- figures ----------------------------------------------------------------------------

    /** The tee's figures for INFO, health and the benchmark. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        Queued head = backlog.peek();
        m.put("backlog", backlog.size());
        m.put("backlog_bytes", Math.max(0, backlogBytes.get()));
        m.put("backlog_age_ms", head == null ? 0 : Math.max(0, clock.getAsLong() - head.at()));
        m.put("effects_applied", applied.get());
        m.put("groups_applied", groupsApplied.get());
        m.put("effects_diverted", diverted.get());
        m.put("self_check_mismatches", mismatches.get());
        m.put("order_ambiguous", ambiguous.get());
        m.put("effects_left_for_write_back", skippedDivergent.get());
        m.put("copies_outdated", outdatedCopies.get());
        m.put("mongodb_available", mongoAvailable);
        if (mongoError != null) {
            m.put("mongodb_error", mongoError);
        }
        m.putAll(copier.stats());
        return m;
    }

    /** Writes waiting in the backlog. */
    public long backlogSize() {
        return backlog.size();
    }

    /** How long the oldest write in the backlog has waited, in seconds. */
    public double backlogAgeSeconds() {
        Queued head = backlog.peek();
        return head == null ? 0 : Math.max(0, clock.getAsLong() - head.at()) / 1000.0;
    }

    public long effectsApplied() {
        return applied.get();
    }

    public long effectsDiverted() {
        return diverted.get();
    }

    public long selfCheckMismatches() {
        return mismatches.get();
    }

    /** Backfill and verify run through the copier. */
    public Copier copier() {
        return copier;
    }

    /**
     * Waits, up to {@code limit}, until every write acknowledged so far is in MongoDB: the backlog
     * applied and the keys waiting for a copy copied (unless Redis is not answering the copier,
     * or MongoDB is down: then only as long as the limit allows). True if nothing is left.
     */
    public boolean drain(java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                barrier().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
                if (copier.idle()) {
                    return true;
                }
                if (copier.redisFailing() && backlog.isEmpty()) {
                    return false;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the deadline passed while waiting for the backlog
        }
        return false;
    }

    /**
     * Stops the tee after draining it for up to {@code DRAIN_ON_CLOSE} (the server has stopped
     * taking commands by then). What is left is said in the log: a backfill or a repairing verify
     * finds those keys.
     */
    @Override
    public void close() {
        if (!drain(DRAIN_ON_CLOSE)) {
            log.warn("[Database] tee stopping with {} writes not applied and {} keys not re-copied to MongoDB; "
                    + "run a backfill or POST /api/admin/verify?repair=true after the next start",
                    backlog.size(), copier.pending());
        }
        running = false;
        copier.close();
        worker.interrupt();
        try {
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: how many keys have writes in flight. */
    int inFlightKeys() {
        return flights.size();
    }
}
