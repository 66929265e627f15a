package dev.kvfallback.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A write-through cache of whole keys in front of a {@link Keyspace} that this process alone
 * writes (the embedded store, or a MongoDB given to one proxy): a key the engine has read or
 * written is answered from memory, and every write still goes to the keyspace before it is
 * acknowledged. So a read costs no round trip and a write one, where a cold key costs a load more.
 *
 * <p>Why it stays true: every write to the keyspace goes through this object, and the engine runs
 * commands on one key one at a time; a write that fails or meets a conflict forgets its keys.
 * A load only fills the cache for a key that nothing wrote, forgot or flushed since the load
 * began, judged by a logical clock ({@code stamp}); a forgotten key is remembered as a marker so
 * that a slow load cannot bring back what a write replaced. Expired keys need no care: the engine
 * judges expiry itself, and a write to a key the sweeper removed is a conflict like any other.
 * Bounded by entries and by value weight, least recently used first.
 *
 * <p>Threads: any; the map is guarded by this object's monitor, held only for map work.
 */
public final class CachingKeyspace implements Keyspace {

    private record Key(int db, Bytes key) {
    }

    /** A cached key ({@code stored} non-null) or a marker for a key whose state is unknown. */
    private record Entry(Stored stored, long stamp, long weight) {
    }

    private final Keyspace inner;
    private final int maxEntries;
    private final long maxWeight;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final Map<Integer, Long> clearedAt = new HashMap<>();
    private long weight;
    private long clock;
    /** The newest stamp among evicted entries: a load older than it may not fill a missing key. */
    private long evictedUpTo;

    public CachingKeyspace(Keyspace inner, int maxEntries, long maxWeight) {
        this.inner = inner;
        this.maxEntries = maxEntries;
        this.maxWeight = maxWeight;
    }

    @Override
    public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
        Stored[] result = new Stored[keys.size()];
        List<byte[]> misses = new ArrayList<>();
        long start;
        synchronized (this) {
            start = clock;
            for (int i = 0; i < keys.size(); i++) {
                Entry e = entries.get(new Key(db, Bytes.wrap(keys.get(i))));
                if (e != null && e.stored != null) {
                    result[i] = copy(e.stored);
                } else {
                    misses.add(keys.get(i));
                }
            }
        }
        if (misses.isEmpty()) {
            return CompletableFuture.completedFuture(List.of(result));
        }
        return inner.load(db, misses).thenApply(loaded -> {
            synchronized (this) {
                int m = 0;
                for (int i = 0; i < result.length; i++) {
                    if (result[i] == null) {
                        Stored s = loaded.get(m++);
                        result[i] = s;
                        fill(db, s, start);
                    }
                }
            }
            return List.of(result);
        });
    }

    @Override
    public CompletionStage<Boolean> write(int db, List<Write> writes) {
        long issued;
        synchronized (this) {
            issued = clock;
        }
        return inner.write(db, writes).handle((applied, error) -> {
            synchronized (this) {
                long stamp = ++clock;
                boolean known = error == null && applied && clearedAt.getOrDefault(db, -1L) < issued;
                for (Write w : writes) {
                    put(new Key(db, Bytes.wrap(w.key())), known ? after(w) : null, stamp);
                }
            }
            if (error != null) {
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return applied;
        });
    }

    @Override
    public CompletionStage<List<byte[]>> scan(int db, byte[] after, int count, long nowMillis) {
        return inner.scan(db, after, count, nowMillis);
    }

    @Override
    public CompletionStage<Long> size(int db, long nowMillis) {
        return inner.size(db, nowMillis);
    }

    @Override
    public CompletionStage<Void> clear(int db, boolean divergent) {
        return inner.clear(db, divergent).whenComplete((ignored, error) -> {
            synchronized (this) {
                clearedAt.put(db, ++clock);
                Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<Key, Entry> e = it.next();
                    if (e.getKey().db == db) {
                        weight -= e.getValue().weight;
                        it.remove();
                    }
                }
            }
        });
    }

    /** The key's state after a write that was applied. */
    private static Stored after(Write w) {
        if (w.value() == null && !w.divergent()) {
            return Stored.absent(w.key());
        }
        return new Stored(w.key(), w.value() == null ? null : w.value().copy(), w.expireAt(),
                w.expectedVersion() + 1, w.divergent());
    }

    /** Caches a loaded key unless anything touched it (or its db) since the load began. */
    private void fill(int db, Stored s, long start) {
        Key key = new Key(db, Bytes.wrap(s.key()));
        Entry current = entries.get(key);
        boolean untouched = current == null ? evictedUpTo <= start : current.stamp <= start;
        if (untouched && clearedAt.getOrDefault(db, -1L) <= start) {
            put(key, copy(s), current == null ? start : current.stamp);
        }
    }

    private void put(Key key, Stored stored, long stamp) {
        long w = stored == null || stored.value() == null ? 16 : stored.value().weight() + 16;
        Entry old = entries.put(key, new Entry(stored, stamp, w));
        if (old != null) {
            weight -= old.weight;
        }
        weight += w;
        Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || weight > maxWeight) && eldest.hasNext()) {
            Entry e = eldest.next().getValue();
            evictedUpTo = Math.max(evictedUpTo, e.stamp);
            weight -= e.weight;
            eldest.remove();
        }
    }

    private static Stored copy(Stored s) {
        return s.value() == null ? s
                : new Stored(s.key(), s.value().copy(), s.expireAt(), s.version(), s.divergent());
    }
}
