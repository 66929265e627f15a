package dev.kvfallback.tee;

import dev.kvfallback.concurrent.DaemonScheduler;
import dev.kvfallback.engine.Bytes;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.RedisSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Re-copies keys from Redis into MongoDB: the keys the tee could not apply (backlog full, MongoDB
 * down, a self-check mismatch, an order in doubt, a write the engine cannot compute) and, for a
 * backfill, every key Redis holds.
 *
 * <p>A copy reads the key's whole value ({@link RedisCopy}) as a flight of its own and queues it
 * in the tee's backlog as a {@code Put}, so it lands after every effect acknowledged before the
 * read; a write that overlapped the read makes the copy doubtful, and it is taken again. The keys
 * waiting are a set (a key waits once however often it is added), bounded: past the bound they
 * are dropped in favour of a backfill of every db, which finds them again.
 *
 * <p>Pacing: a timer thread starts at most {@code copyRate} copies a second, {@code copyConcurrency}
 * at a time, so copying never floods a metered Redis, and none while the tee's backlog is over
 * half full (MongoDB is not keeping up; copies would only add to its load). While MongoDB is down it tries one copy a
 * second, which is how it notices MongoDB is back; while Redis does not answer it waits a second.
 */
public final class Copier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Copier.class);
    private static final long TICK_MILLIS = 50;
    private static final int SCAN_COUNT = 500;
    /** A backfill scans on only while fewer keys than this wait, so its memory stays small. */
    private static final int BACKFILL_LOW_WATER = 5_000;
    private static final long TOO_LARGE_RETRY_MILLIS = 60_000;

    record PendingKey(int db, Bytes key) {
    }

    private final Tee tee;
    private final RedisSource redis;
    private final RedisCopy reader;
    private final Flights flights;
    private final int databases;
    private final Tee.Settings settings;
    private final LongSupplier clock;
    private final LinkedHashSet<PendingKey> pending = new LinkedHashSet<>();
    /**
     * Keys MongoDB holds stale: added with a new generation each time a key is added, removed
     * when a copy read after the last addition is stored. A write computed from a stale key
     * (ZUNIONSTORE of it, say) is not trusted either.
     */
    private final ConcurrentHashMap<PendingKey, Long> stale = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();
    /** Held while a copy is queued and its flight landed (see {@link #stillCurrent}). */
    private final Object landing = new Object();
    private final ScheduledExecutorService timer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong unsupported = new AtomicLong();
    private final Set<String> unsupportedTypes = ConcurrentHashMap.newKeySet();
    /** Keys with a copy on its way: not copied twice at once. */
    private final Set<PendingKey> copying = ConcurrentHashMap.newKeySet();
    /** Per key, when a copy may next start and how often it was retried (a key written on two connections all the time). */
    private final ConcurrentHashMap<PendingKey, long[]> backoff = new ConcurrentHashMap<>();
    /** Keys whose value MongoDB cannot hold (over 16 MB), with when they were found so: not copied for a while. */
    private final ConcurrentHashMap<PendingKey, Long> tooLarge = new ConcurrentHashMap<>();
    private final AtomicLong tooLargeCount = new AtomicLong();
    private volatile long redisRetryAt;
    private volatile long mongoProbeAt;
    private double tokens;
    /** The backfill in progress or last run; null if none ran. */
    private volatile Backfill backfill;
    private boolean resyncWanted;

    Copier(Tee tee, RedisSource redis, Flights flights, int databases, Tee.Settings settings, LongSupplier clock) {
        this.tee = tee;
        this.redis = redis;
        this.reader = new RedisCopy(redis, clock);
        this.flights = flights;
        this.databases = databases;
        this.settings = settings;
        this.clock = clock;
        this.timer = DaemonScheduler.create("kvfallback-tee-copy");
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Remembers keys to re-copy from Redis. */
    void add(int db, List<byte[]> keys) {
        synchronized (pending) {
            for (byte[] key : keys) {
                if (pending.size() >= settings.maxCopyKeys()) {
                    overflow();
                    return;
                }
                PendingKey k = new PendingKey(db, Bytes.wrap(key));
                pending.add(k);
                stale.put(k, generations.incrementAndGet());
            }
        }
    }

    private void overflow() {
        log.warn("[Database] tee: more than {} keys wait to be re-copied from Redis; forgetting them and "
                + "backfilling every key instead", settings.maxCopyKeys());
        pending.clear();
        stale.clear();
        resyncWanted = true;
    }

    /** A db's keys must all be copied again (SWAPDB, a failed FLUSHDB, too many keys to remember): a backfill. */
    void resync(int db) {
        synchronized (pending) {
            resyncWanted = true;
        }
    }

    /** A copy was stored in MongoDB: the key is no longer stale, unless it was added again after the copy's read began. */
    void copied(int db, byte[] key, long generation) {
        copied.incrementAndGet();
        stale.remove(new PendingKey(db, Bytes.wrap(key)), generation);
    }

    /**
     * Whether a copy read at {@code generation} is still the newest word on the key: no write
     * overlapped its reads since (one would have asked for another copy). An outdated copy is not
     * applied: it could take back writes MongoDB already has.
     */
    boolean stillCurrent(int db, byte[] key, long generation) {
        synchronized (landing) {
            return stale.getOrDefault(new PendingKey(db, Bytes.wrap(key)), 0L) == generation;
        }
    }

    /** Whether MongoDB holds any of these keys stale. */
    boolean anyStale(int db, List<byte[]> keys) {
        if (stale.isEmpty()) {
            return false;
        }
        for (byte[] key : keys) {
            if (stale.containsKey(new PendingKey(db, Bytes.wrap(key)))) {
                return true;
            }
        }
        return false;
    }

    /** Whether no key waits for a copy and none is being copied. */
    boolean idle() {
        return pending() == 0 && inFlight.get() == 0;
    }

    /** Whether Redis failed the copier's last read (it waits a second before trying again). */
    boolean redisFailing() {
        return clock.getAsLong() < redisRetryAt;
    }

    /** Copies stored in MongoDB so far. */
    public long copiesDone() {
        return copied.get();
    }

    /** Keys waiting to be re-copied. */
    public int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    // ---- the timer ----------------------------------------------------------------------------

    private void tick() {
        try {
            long now = clock.getAsLong();
            if (now < redisRetryAt || !tee.roomForCopies() || tee.servingEpoch() < 0) {
                // Not while serving from MongoDB: Redis is not the truth then, and the write-back
                // is changing it; a copy taken meanwhile could bring an old value back.
                return;
            }
            startWantedResync();
            Backfill b = backfill;
            if (b != null && b.running() && pending() < BACKFILL_LOW_WATER) {
                b.step();
            }
            tokens = Math.min(settings.copyRate(), tokens + settings.copyRate() * TICK_MILLIS / 1000.0);
            int budget = (int) Math.min(tokens, settings.copyConcurrency() - inFlight.get());
            if (!tee.mongoAvailable()) {
                // One copy a second finds out when MongoDB is back.
                if (now < mongoProbeAt) {
                    return;
                }
                mongoProbeAt = now + 1000;
                budget = Math.min(budget, 1);
            }
            for (PendingKey key : take(budget)) {
                tokens--;
                copy(key);
            }
        } catch (RuntimeException e) {
            log.warn("[Database] tee copier error", e);
        }
    }

    private void startWantedResync() {
        boolean start;
        synchronized (pending) {
            start = resyncWanted && (backfill == null || !backfill.running());
            resyncWanted = false;
        }
        if (start) {
            startBackfill();
        }
    }

    /** Up to {@code n} keys to copy now: none already being copied, backing off or too large to store. */
    private List<PendingKey> take(int n) {
        List<PendingKey> keys = new ArrayList<>(Math.max(0, n));
        long now = clock.getAsLong();
        synchronized (pending) {
            Iterator<PendingKey> it = pending.iterator();
            int looked = 0;
            while (keys.size() < n && it.hasNext() && looked++ < 4 * n + 64) {
                PendingKey key = it.next();
                long[] wait = backoff.get(key);
                Long large = tooLarge.get(key);
                if (large != null && now - large < TOO_LARGE_RETRY_MILLIS) {
                    it.remove();
                    stale.remove(key);
                } else if (!copying.contains(key) && (wait == null || wait[0] <= now)) {
                    keys.add(key);
                    it.remove();
                    copying.add(key);
                }
            }
        }
        return keys;
    }

    /** A key's value outgrew a MongoDB document: said once per key, not copied for a while. */
    void tooLarge(int db, byte[] key) {
        PendingKey k = new PendingKey(db, Bytes.wrap(key));
        tooLargeCount.incrementAndGet();
        if (tooLarge.size() < 10_000 && tooLarge.put(k, clock.getAsLong()) == null) {
            log.warn("[Database] tee: the value of {} in db {} is over MongoDB's 16 MB document limit; "
                    + "MongoDB keeps its last smaller copy", printable(key), db);
        }
        stale.remove(k);
    }

    private void copy(PendingKey key) {
        byte[] bytes = key.key().bytes();
        long generation = stale.getOrDefault(key, 0L);
        long epoch = tee.servingEpoch();
        Flights.Flight flight = flights.depart(key.db(), List.of(bytes), flights.domain());
        inFlight.incrementAndGet();
        reader.read(key.db(), bytes).whenComplete((result, error) -> {
            inFlight.decrementAndGet();
            copying.remove(key);
            if (result instanceof RedisCopy.Found && tee.servingEpoch() != epoch) {
                // The mode changed during the reads (the write-back may have changed Redis since):
                // taken again once Redis serves again.
                flights.land(flight);
                add(key.db(), List.of(bytes));
            } else if (result instanceof RedisCopy.Found found) {
                // Queue first, land after: a write that departs before the landing overlaps the
                // read and sends the key round again; one after it is queued after this copy.
                boolean again;
                synchronized (landing) {
                    // With stillCurrent: the worker sees this copy only after a write that overlapped
                    // its reads has made it out of date.
                    boolean queued = tee.offerCopy(key.db(), found.put(), generation);
                    again = flights.land(flight) || !queued;
                    if (again) {
                        add(key.db(), List.of(bytes));
                    }
                }
                if (again) {
                    retried.incrementAndGet();
                    long[] wait = backoff.computeIfAbsent(key, k -> new long[2]);
                    wait[1] = Math.min(wait[1] + 1, 6);
                    wait[0] = clock.getAsLong() + (50L << wait[1]);
                } else {
                    backoff.remove(key);
                }
            } else if (result instanceof RedisCopy.Unsupported u) {
                flights.land(flight);
                stale.remove(key, generation);
                unsupported.incrementAndGet();
                if (unsupportedTypes.add(u.type())) {
                    log.warn("[Database] tee: keys of type {} are not copied to MongoDB (first: {})", u.type(),
                            printable(bytes));
                }
            } else {
                flights.land(flight);
                redisUnavailable(error != null ? error.toString() : ((RedisCopy.Failed) result).why());
                add(key.db(), List.of(bytes));
            }
        });
    }

    private void redisUnavailable(String why) {
        if (clock.getAsLong() >= redisRetryAt) {
            log.debug("tee copier: Redis did not answer ({}); retrying in 1s", why);
        }
        redisRetryAt = clock.getAsLong() + 1000;
    }

    // ---- backfill -----------------------------------------------------------------------------

    /** Starts copying every key of Redis into MongoDB, or reports the backfill already running. */
    public synchronized Map<String, Object> startBackfill() {
        Backfill b = backfill;
        Map<String, Object> answer = new LinkedHashMap<>();
        if (b != null && b.running()) {
            answer.put("started", false);
        } else {
            backfill = new Backfill(clock.getAsLong());
            log.info("[Database] backfill started: copying every key of Redis into MongoDB");
            answer.put("started", true);
        }
        answer.put("backfill", backfillStats());
        return answer;
    }

    /** The backfill's progress, or null if none ran. */
    public Map<String, Object> backfillStats() {
        Backfill b = backfill;
        return b == null ? null : b.stats();
    }

    /** The dbs Redis holds keys in, from {@code INFO keyspace}; db 0 if Redis will not say. */
    CompletionStage<List<Integer>> databasesWithKeys() {
        return redis.call(0, List.of(RespRequest.of("INFO", "keyspace"))).thenApply(replies -> {
            List<Integer> dbs = new ArrayList<>();
            if (replies.get(0) instanceof RespValue.Bulk info) {
                for (String line : new String(info.bytes(), StandardCharsets.UTF_8).split("\r\n")) {
                    if (line.startsWith("db") && line.contains(":")) {
                        try {
                            int db = Integer.parseInt(line.substring(2, line.indexOf(':')));
                            if (db < databases) {
                                dbs.add(db);
                            }
                        } catch (NumberFormatException ignored) {
                            // not a db line
                        }
                    }
                }
                return dbs;
            }
            dbs.add(0);
            return dbs;
        });
    }

    /** One SCAN page of {@code db} from {@code cursor}: the next cursor and the keys, or null if Redis failed. */
    CompletionStage<ScanPage> scan(int db, String cursor) {
        return redis.call(db, List.of(RespRequest.of("SCAN", cursor, "COUNT", Integer.toString(SCAN_COUNT))))
                .thenApply(replies -> {
                    if (!(replies.get(0) instanceof RespValue.Array page) || page.items().size() != 2) {
                        return null;
                    }
                    String next = new String(((RespValue.Bulk) page.items().get(0)).bytes(), StandardCharsets.US_ASCII);
                    List<byte[]> keys = new ArrayList<>();
                    for (RespValue k : ((RespValue.Array) page.items().get(1)).items()) {
                        keys.add(((RespValue.Bulk) k).bytes());
                    }
                    return new ScanPage(next, keys);
                });
    }

    record ScanPage(String cursor, List<byte[]> keys) {
    }

    /** A backfill: SCANs every db with keys, one page at a time, into the copier's keys. */
    private final class Backfill {
        private final long startedAt;
        private volatile long finishedAt;
        private volatile List<Integer> dbs;
        private volatile int index;
        private volatile String cursor = "0";
        private final AtomicLong scanned = new AtomicLong();
        private volatile boolean busy;
        private volatile String error;

        Backfill(long startedAt) {
            this.startedAt = startedAt;
        }

        boolean running() {
            return finishedAt == 0;
        }

        /** Asks for the next page unless one is on its way; runs on the timer. */
        void step() {
            if (busy) {
                return;
            }
            busy = true;
            if (dbs == null) {
                databasesWithKeys().whenComplete((found, e) -> {
                    if (found != null) {
                        dbs = found;
                    } else {
                        failed(e);
                    }
                    busy = false;
                });
                return;
            }
            if (index >= dbs.size()) {
                finish();
                return;
            }
            int db = dbs.get(index);
            scan(db, cursor).whenComplete((page, e) -> {
                if (page == null) {
                    failed(e);
                } else {
                    error = null;
                    add(db, page.keys());
                    scanned.addAndGet(page.keys().size());
                    cursor = page.cursor();
                    if (cursor.equals("0")) {
                        index++;
                    }
                }
                busy = false;
            });
        }

        private void failed(Throwable e) {
            error = e == null ? "Redis did not answer SCAN" : e.toString();
            redisUnavailable(error);
        }

        private void finish() {
            finishedAt = clock.getAsLong();
            busy = false;
            log.info("[Database] backfill scanned {} keys in {} s; they are copied as the copier drains",
                    scanned.get(), (finishedAt - startedAt) / 1000);
        }

        Map<String, Object> stats() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("running", running());
            m.put("scanned", scanned.get());
            m.put("started_at", startedAt);
            m.put("finished_at", finishedAt == 0 ? null : finishedAt);
            List<Integer> d = dbs;
            m.put("dbs_done", d == null ? 0 : Math.min(index, d.size()));
            m.put("dbs", d == null ? null : d.size());
            if (error != null) {
                m.put("error", error);
            }
            return m;
        }
    }

    // ---- figures ------------------------------------------------------------------------------

    Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copy_pending", pending());
        m.put("copy_in_flight", inFlight.get());
        m.put("copies_done", copied.get());
        m.put("copies_retried", retried.get());
        m.put("copies_unsupported_type", unsupported.get());
        m.put("values_too_large", tooLargeCount.get());
        return m;
    }

    /** A key for a log line or a sample: as text if it is printable UTF-8, else hex-escaped. */
    static String printable(byte[] key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02x", c));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
