package dev.kvfallback.mongo;

/**
 * The keyspace contract and document layout again for a keyspace this process writes alone (the
 * embedded store's default): writes match {@code _id} only, with the same results.
 */
class ExclusiveMongoKeyspaceIT extends MongoKeyspaceIT {

    @Override
    boolean exclusive() {
        return true;
    }
}
