package dev.kvfallback.engine;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** A keyspace that forwards to another; tests override the calls they script (delays, failures, races). */
class DelegatingKeyspace implements Keyspace {

    private final Keyspace inner;

    DelegatingKeyspace(Keyspace inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
        return inner.load(db, keys);
    }

    @Override
    public CompletionStage<Boolean> write(int db, List<Write> writes) {
        return inner.write(db, writes);
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
        return inner.clear(db, divergent);
    }
}
