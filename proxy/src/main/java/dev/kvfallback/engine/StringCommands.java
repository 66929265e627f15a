package dev.kvfallback.engine;

/** Redis's commands on strings, with Redis 7.0's replies and errors. */
final class StringCommands {

    private StringCommands() {
    }

    static void register(Engine engine) {
        engine.add("get", StringCommands::get);
    }

    private static dev.kvfallback.protocol.RespValue get(Call c) {
        StringValue value = c.txn().read(c.arg(1), StringValue.class);
        return Call.bulk(value == null ? null : value.bytes());
    }
}
