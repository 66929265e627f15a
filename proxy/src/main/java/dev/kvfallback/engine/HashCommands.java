package dev.kvfallback.engine;

/** Redis's commands on hashes, with Redis 7.0's replies and errors. */
final class HashCommands {

    private HashCommands() {
    }

    static void register(Engine engine) {
    }
}
