package dev.kvfallback.engine;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the engine keeps keys: whole values per key, each write guarded by the version it was read
 * at (optimistic concurrency, no transactions). Logical databases are numbered as in Redis.
 *
 * <p>Threads: every method returns at once; stages may complete on any thread. Implementations
 * never block the caller.
 */
public interface Keyspace {

    /** The keys' documents in the order asked; an absent key is {@link Stored#absent}. */
    CompletionStage<List<Stored>> load(int db, List<byte[]> keys);

    /**
     * Applies the writes, each only if its key is still at the expected version. Completes with
     * false if any write met another version (that write is not applied; others may be).
     */
    CompletionStage<Boolean> write(int db, List<Write> writes);

    /**
     * Up to {@code count} live keys (a value, not expired at {@code nowMillis}) after {@code after}
     * (null: from the start), in the keyspace's own stable order.
     */
    CompletionStage<List<byte[]>> scan(int db, byte[] after, int count, long nowMillis);

    /** The number of live keys at {@code nowMillis}. */
    CompletionStage<Long> size(int db, long nowMillis);

    /**
     * Removes every key of the db. With {@code divergent}, each document becomes a divergent
     * tombstone instead, so the deletes can be replayed into Redis.
     */
    CompletionStage<Void> clear(int db, boolean divergent);
}
