package dev.kvfallback.engine;

/** Redis's commands on keys and the keyspace, with Redis 7.0's replies and errors. */
final class KeyCommands {

    private KeyCommands() {
    }

    static void register(Engine engine) {
    }
}
