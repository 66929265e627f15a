package dev.kvfallback.engine;

/** Redis's commands on sorted sets, with Redis 7.0's replies and errors. */
final class ZSetCommands {

    private ZSetCommands() {
    }

    static void register(Engine engine) {
    }
}
