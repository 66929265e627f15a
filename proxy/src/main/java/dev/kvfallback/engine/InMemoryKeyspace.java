package dev.kvfallback.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link Keyspace} in memory, with the same contract as the MongoDB one: for tests and as the
 * reference the contract suite checks {@code MongoKeyspace} against. Stages complete at once.
 */
public final class InMemoryKeyspace implements Keyspace {

    private record Doc(RedisValue value, long expireAt, long version, boolean divergent) {
    }

    private final Map<Integer, ConcurrentSkipListMap<Bytes, Doc>> dbs = new ConcurrentHashMap<>();

    private ConcurrentSkipListMap<Bytes, Doc> db(int db) {
        return dbs.computeIfAbsent(db, ignored -> new ConcurrentSkipListMap<>());
    }

    @Override
    public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
        List<Stored> stored = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            Doc doc = db(db).get(Bytes.wrap(key));
            stored.add(doc == null ? Stored.absent(key)
                    : new Stored(key, doc.value == null ? null : doc.value.copy(), doc.expireAt, doc.version, doc.divergent));
        }
        return CompletableFuture.completedFuture(stored);
    }

    @Override
    public synchronized CompletionStage<Boolean> write(int db, List<Write> writes) {
        ConcurrentSkipListMap<Bytes, Doc> docs = db(db);
        boolean all = true;
        for (Write w : writes) {
            Bytes key = Bytes.wrap(w.key().clone());
            Doc current = docs.get(key);
            long version = current == null ? 0 : current.version;
            if (version != w.expectedVersion()) {
                all = false;
                continue;
            }
            if (w.value() == null && !w.divergent()) {
                docs.remove(key);
            } else {
                RedisValue value = w.value() == null ? null : w.value().copy();
                docs.put(key, new Doc(value, value == null ? 0 : w.expireAt(), version + 1, w.divergent()));
            }
        }
        return CompletableFuture.completedFuture(all);
    }

    @Override
    public CompletionStage<List<byte[]>> scan(int db, byte[] after, int count, long nowMillis) {
        List<byte[]> keys = new ArrayList<>();
        Map<Bytes, Doc> tail = after == null ? db(db) : db(db).tailMap(Bytes.wrap(after), false);
        for (Map.Entry<Bytes, Doc> e : tail.entrySet()) {
            if (keys.size() >= count) {
                break;
            }
            if (live(e.getValue(), nowMillis)) {
                keys.add(e.getKey().bytes().clone());
            }
        }
        return CompletableFuture.completedFuture(keys);
    }

    @Override
    public CompletionStage<Long> size(int db, long nowMillis) {
        return CompletableFuture.completedFuture(db(db).values().stream().filter(d -> live(d, nowMillis)).count());
    }

    @Override
    public synchronized CompletionStage<Void> clear(int db, boolean divergent) {
        ConcurrentSkipListMap<Bytes, Doc> docs = db(db);
        if (divergent) {
            docs.replaceAll((k, d) -> new Doc(null, 0, d.version + 1, true));
        } else {
            docs.clear();
        }
        return CompletableFuture.completedFuture(null);
    }

    private static boolean live(Doc doc, long nowMillis) {
        return doc.value != null && (doc.expireAt == 0 || doc.expireAt > nowMillis);
    }
}
