package dev.kvfallback.engine;

/** The reference keyspace against the contract. */
class InMemoryKeyspaceTest extends KeyspaceContract {

    @Override
    protected Keyspace keyspace() {
        return new InMemoryKeyspace();
    }
}
