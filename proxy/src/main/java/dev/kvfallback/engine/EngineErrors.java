package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

/** The error replies engine commands share, with Redis 7.0's exact texts. */
public final class EngineErrors {

    public static final RespValue.Error WRONGTYPE =
            new RespValue.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static final RespValue.Error NOT_INTEGER = new RespValue.Error("ERR value is not an integer or out of range");
    public static final RespValue.Error NOT_FLOAT = new RespValue.Error("ERR value is not a valid float");
    public static final RespValue.Error SYNTAX = new RespValue.Error("ERR syntax error");
    public static final RespValue.Error OVERFLOW = new RespValue.Error("ERR increment or decrement would overflow");
    public static final RespValue.Error NO_SUCH_KEY = new RespValue.Error("ERR no such key");
    public static final RespValue.Error OUT_OF_RANGE = new RespValue.Error("ERR index out of range");
    public static final RespValue.Error NOT_POSITIVE = new RespValue.Error("ERR value is out of range, must be positive");
    public static final RespValue.Error INVALID_CURSOR = new RespValue.Error("ERR invalid cursor");

    private EngineErrors() {
    }

    /** {@code ERR kvfallback: EVAL is unavailable while Redis is unreachable}. */
    public static RespValue.Error unavailable(String command) {
        return new RespValue.Error("ERR kvfallback: " + command + " is unavailable while Redis is unreachable");
    }

    /** A value MongoDB cannot hold in one document. */
    public static RespValue.Error tooLarge(long limit) {
        return new RespValue.Error("ERR kvfallback: the value would exceed MongoDB's " + (limit >> 20)
                + " MB document limit");
    }
}
