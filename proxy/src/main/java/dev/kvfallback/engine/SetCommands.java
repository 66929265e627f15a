package dev.kvfallback.engine;

/** Redis's commands on sets, with Redis 7.0's replies and errors. */
final class SetCommands {

    private SetCommands() {
    }

    static void register(Engine engine) {
    }
}
