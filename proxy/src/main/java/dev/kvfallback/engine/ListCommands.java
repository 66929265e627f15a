package dev.kvfallback.engine;

/** Redis's commands on lists, with Redis 7.0's replies and errors. */
final class ListCommands {

    private ListCommands() {
    }

    static void register(Engine engine) {
    }
}
