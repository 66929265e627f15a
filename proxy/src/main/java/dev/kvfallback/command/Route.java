package dev.kvfallback.command;

import dev.kvfallback.protocol.RespValue;

/** Where a command runs, as {@link Router#decide} chose it. */
public sealed interface Route {

    /** Answered by the proxy itself. */
    Route LOCAL = new Local();

    /** An upstream connection. */
    enum Connection {
        /** The event loop's pipelined connection for the protocol, shared by every client on it. */
        SHARED,
        /** The session's own connection (transaction, WATCH, blocking, another db, tracking). */
        PINNED,
        /** The session's own pub/sub connection. */
        SUBSCRIBER,
        /** The event loop's control connection, never behind other commands (SCRIPT KILL ...). */
        CONTROL
    }

    /** Answered by the proxy: a local command, or the session's own state (QUIT, RESET, CLIENT ..., a MULTI for the engine). */
    record Local() implements Route {
    }

    /** Answered with {@code error}, never run. */
    record Refuse(RespValue.Error error) implements Route {
    }

    /** Sent to Redis on {@code connection}. */
    record Upstream(Connection connection) implements Route {
        public static final Upstream SHARED = new Upstream(Connection.SHARED);
        public static final Upstream PINNED = new Upstream(Connection.PINNED);
        public static final Upstream SUBSCRIBER = new Upstream(Connection.SUBSCRIBER);
        public static final Upstream CONTROL = new Upstream(Connection.CONTROL);
    }

    /**
     * Run on the engine over MongoDB; {@code serial}: alone, after every earlier command of the
     * client and before any later one (no keys to order it by: DBSIZE, SCAN, FLUSHDB, an EXEC).
     */
    record Engine(boolean serial) implements Route {
        public static final Engine KEYED = new Engine(false);
        public static final Engine SERIAL = new Engine(true);
    }
}
