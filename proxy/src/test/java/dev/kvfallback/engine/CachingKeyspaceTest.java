package dev.kvfallback.engine;

/** The keyspace contract holds with the write-through cache in front of a keyspace. */
class CachingKeyspaceTest extends KeyspaceContract {

    @Override
    protected Keyspace keyspace() {
        return new CachingKeyspace(new InMemoryKeyspace(), 1000, 1 << 20);
    }
}
