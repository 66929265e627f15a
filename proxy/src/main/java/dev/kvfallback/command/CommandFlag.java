package dev.kvfallback.command;

import java.util.Locale;

/**
 * A flag of a command in Redis's command table ({@code COMMAND INFO}'s third field), as Redis 7.0
 * names them in lower case ({@code write}, {@code blocking}, {@code no_auth}, ...). A flag the
 * table holds that this enum does not know (a newer Redis's) is dropped when the table is read.
 */
public enum CommandFlag {
    WRITE, READONLY, DENYOOM, MODULE, ADMIN, PUBSUB, NOSCRIPT, BLOCKING, LOADING, STALE, SKIP_MONITOR,
    SKIP_SLOWLOG, ASKING, FAST, NO_AUTH, MAY_REPLICATE, SENTINEL, ONLY_SENTINEL, NO_MANDATORY_KEYS, PROTECTED,
    NO_ASYNC_LOADING, NO_MULTI, MOVABLEKEYS, ALLOW_BUSY;

    /** The flag Redis names {@code name}, or null for one this enum does not know. */
    static CommandFlag of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
