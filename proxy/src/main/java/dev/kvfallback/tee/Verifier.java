package dev.kvfallback.tee;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.Keyspace;
import dev.kvfallback.engine.ListValue;
import dev.kvfallback.engine.RedisValue;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.ZSetValue;
import dev.kvfallback.upstream.RedisSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Compares every key Redis holds with MongoDB's copy: type, value and expiry (within
 * {@link #TTL_TOLERANCE_MS}). Pages through Redis with SCAN; each page's keys are read from Redis
 * as flights (a key written meanwhile is read again), then, after the tee has applied everything
 * acknowledged before the reads ({@link Tee#barrier}), loaded from MongoDB and compared. A key
 * that differs is looked at again a few times before it counts, as a write just after the read
 * may already be in MongoDB. With repair, the keys that differ are handed to the copier.
 */
public final class Verifier {

    /** Expiries are absolute in both stores but computed from two clocks: this much apart still agrees. */
    static final long TTL_TOLERANCE_MS = 2_000;
    private static final int ATTEMPTS = 3;

    private final Tee tee;
    private final Keyspace keyspace;
    private final LongSupplier clock;
    private final RedisCopy reader;

    public Verifier(Tee tee, Keyspace keyspace, RedisSource redis, LongSupplier clock) {
        this.tee = tee;
        this.keyspace = keyspace;
        this.clock = clock;
        this.reader = new RedisCopy(redis, clock);
    }

    /** Runs a whole verify; completes with the JSON fields of its result. */
    public CompletionStage<Map<String, Object>> verify(boolean repair, int sample) {
        Run run = new Run(repair, sample, clock.getAsLong());
        Copier copier = tee.copier();
        return copier.databasesWithKeys()
                .thenCompose(dbs -> scanDbs(run, copier, dbs, 0))
                .thenApply(ignored -> run.result(clock.getAsLong(), copier.pending()));
    }

    private CompletionStage<Void> scanDbs(Run run, Copier copier, List<Integer> dbs, int index) {
        if (index >= dbs.size()) {
            return Copier.done(null);
        }
        return scanDb(run, copier, dbs.get(index), "0").thenCompose(ignored -> scanDbs(run, copier, dbs, index + 1));
    }

    private CompletionStage<Void> scanDb(Run run, Copier copier, int db, String cursor) {
        return copier.scan(db, cursor).thenCompose(page -> {
            if (page == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("Redis did not answer SCAN in db " + db));
            }
            return checkAll(run, db, page.keys(), 1).thenCompose(ignored -> page.cursor().equals("0")
                    ? Copier.done(null) : scanDb(run, copier, db, page.cursor()));
        });
    }

    /** Checks the keys; the ones that differ are checked again, up to {@link #ATTEMPTS} times. */
    private CompletionStage<Void> checkAll(Run run, int db, List<byte[]> keys, int attempt) {
        if (keys.isEmpty()) {
            return Copier.done(null);
        }
        return compare(db, keys).thenCompose(differing -> {
            if (differing.isEmpty()) {
                run.checked.addAndGet(keys.size());
                return Copier.done(null);
            }
            if (attempt < ATTEMPTS) {
                run.checked.addAndGet(keys.size() - differing.size());
                List<byte[]> again = new ArrayList<>(differing.keySet().size());
                for (Bytes key : differing.keySet()) {
                    again.add(key.bytes());
                }
                return checkAll(run, db, again, attempt + 1);
            }
            run.checked.addAndGet(keys.size());
            run.mismatched(db, differing);
            if (run.repair) {
                List<byte[]> repair = new ArrayList<>();
                for (Bytes key : differing.keySet()) {
                    repair.add(key.bytes());
                }
                tee.copier().add(db, repair);
            }
            return Copier.done(null);
        });
    }

    /** The keys whose copy differs, with why. */
    private CompletionStage<Map<Bytes, String>> compare(int db, List<byte[]> keys) {
        List<CompletableFuture<RedisCopy.Result>> reads = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            reads.add(reader.read(db, key).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> tee.barrier())
                .thenCompose(ignored -> keyspace.load(db, keys))
                .thenApply(loaded -> {
                    long now = clock.getAsLong();
                    Map<Bytes, String> differing = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        String why = difference(reads.get(i).join(), loaded.get(i), now);
                        if (why != null) {
                            differing.put(Bytes.wrap(keys.get(i)), why);
                        }
                    }
                    return differing;
                });
    }

    /** Why MongoDB's copy differs from what Redis holds, or null if it agrees. */
    static String difference(RedisCopy.Result redis, Stored mongo, long now) {
        if (redis instanceof RedisCopy.Unsupported u) {
            return null;
        }
        if (redis instanceof RedisCopy.Failed f) {
            return "Redis did not answer: " + f.why();
        }
        Engine.Step.Put put = ((RedisCopy.Found) redis).put();
        RedisValue expected = put.value();
        RedisValue actual = mongo.liveAt(now) ? mongo.value() : null;
        if (expected == null) {
            return actual == null ? null : "absent in Redis, a " + actual.type() + " in MongoDB";
        }
        if (actual == null) {
            return "missing in MongoDB";
        }
        if (!expected.type().equals(actual.type())) {
            return "a " + expected.type() + " in Redis, a " + actual.type() + " in MongoDB";
        }
        if (!sameValue(expected, actual)) {
            return "the values differ";
        }
        if ((put.expireAt() == 0) != (mongo.expireAt() == 0)
                || Math.abs(put.expireAt() - mongo.expireAt()) > TTL_TOLERANCE_MS) {
            return "the expiries differ (Redis " + put.expireAt() + ", MongoDB " + mongo.expireAt() + ")";
        }
        return null;
    }

    static boolean sameValue(RedisValue a, RedisValue b) {
        if (a instanceof StringValue s) {
            return Arrays.equals(s.bytes(), ((StringValue) b).bytes());
        }
        if (a instanceof HashValue h) {
            Map<Bytes, byte[]> other = ((HashValue) b).fields();
            if (h.fields().size() != other.size()) {
                return false;
            }
            for (Map.Entry<Bytes, byte[]> e : h.fields().entrySet()) {
                if (!Arrays.equals(e.getValue(), other.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof ListValue l) {
            List<byte[]> x = l.elements();
            List<byte[]> y = ((ListValue) b).elements();
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!Arrays.equals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof SetValue s) {
            return s.members().equals(((SetValue) b).members());
        }
        ZSetValue x = (ZSetValue) a;
        ZSetValue y = (ZSetValue) b;
        if (x.size() != y.size()) {
            return false;
        }
        for (ZSetValue.Entry e : x.ordered()) {
            Double score = y.score(e.member());
            if (score == null || Double.compare(score, e.score()) != 0) {
                return false;
            }
        }
        return true;
    }

    /** One verify's counts and sample. */
    private static final class Run {
        final boolean repair;
        final int sample;
        final long startedAt;
        final AtomicLong checked = new AtomicLong();
        final AtomicLong mismatched = new AtomicLong();
        final List<Map<String, Object>> samples = new ArrayList<>();

        Run(boolean repair, int sample, long startedAt) {
            this.repair = repair;
            this.sample = sample;
            this.startedAt = startedAt;
        }

        synchronized void mismatched(int db, Map<Bytes, String> differing) {
            mismatched.addAndGet(differing.size());
            for (Map.Entry<Bytes, String> e : differing.entrySet()) {
                if (samples.size() >= sample) {
                    return;
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("db", db);
                s.put("key", Copier.printable(e.getKey().bytes()));
                s.put("why", e.getValue());
                samples.add(s);
            }
        }

        synchronized Map<String, Object> result(long now, int pending) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("checked", checked.get());
            m.put("mismatched", mismatched.get());
            m.put("repair", repair);
            m.put("sample", new ArrayList<>(samples));
            m.put("copy_pending", pending);
            m.put("took_ms", now - startedAt);
            return m;
        }
    }
}
