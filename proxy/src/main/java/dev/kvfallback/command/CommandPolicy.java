package dev.kvfallback.command;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The proxy's own decisions about particular commands, in one table: which it answers itself, which
 * it refuses, which need the session's own upstream connection, which go on the control connection,
 * and the few rules of Redis's session states that name commands. Redis's command table says what
 * a command is; this says what the proxy does with it. Names are full: {@code client|list}.
 */
public final class CommandPolicy {

    /** What the proxy does with a command, beyond routing it by its flags. */
    public enum Kind {
        /** Answered by the proxy ({@link LocalCommands}, or the session for QUIT, RESET, CLIENT ...). */
        LOCAL,
        /** A CLIENT command about the proxy's clients: answered by the proxy (tracking ones only when not tracking). */
        CLIENT,
        /** Turns a connection into a stream no reply can be matched to: refused through the proxy. */
        REFUSED,
        /** Runs while a script holds Redis and acts on Redis itself: the control connection, in every mode. */
        CONTROL,
        /** Connection state that must stay on the session's own connection. */
        CONNECTION_STATE,
        /** Holds its connection until replicas or the AOF catch up, which Redis does not flag {@code blocking}. */
        WAITS,
        /** (P|S)SUBSCRIBE and their UN- forms: the session's pub/sub connection. */
        SUBSCRIPTION,
        /** Opens, ends or guards a transaction: MULTI, EXEC, DISCARD, WATCH. */
        TRANSACTION,
        /** Runs a script in Redis (EVAL, EVALSHA, FCALL and their read-only forms). */
        SCRIPT,
        /** Nothing particular: routed by its flags and the session's state. */
        PLAIN
    }

    private static final Map<String, Kind> KINDS = new HashMap<>();

    static {
        for (String name : new String[] {"ping", "echo", "hello", "auth", "select", "quit", "reset", "client|setname",
                "client|getname", "client|id", "acl|whoami", "command", "command|count", "command|info",
                "command|docs", "command|getkeys"}) {
            KINDS.put(name, Kind.LOCAL);
        }
        for (String name : new String[] {"client|reply", "client|info", "client|list", "client|kill", "client|pause",
                "client|unpause", "client|no-evict", "client|unblock", "client|trackinginfo", "client|getredir"}) {
            KINDS.put(name, Kind.CLIENT);
        }
        for (String name : new String[] {"monitor", "sync", "psync", "script|debug"}) {
            KINDS.put(name, Kind.REFUSED);
        }
        for (String name : new String[] {"script|kill", "function|kill", "function|stats", "shutdown"}) {
            KINDS.put(name, Kind.CONTROL);
        }
        for (String name : new String[] {"client|caching", "client|tracking", "readonly", "readwrite", "asking"}) {
            KINDS.put(name, Kind.CONNECTION_STATE);
        }
        for (String name : new String[] {"wait", "waitaof"}) {
            KINDS.put(name, Kind.WAITS);
        }
        for (String name : new String[] {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe",
                "sunsubscribe"}) {
            KINDS.put(name, Kind.SUBSCRIPTION);
        }
        for (String name : new String[] {"multi", "exec", "discard", "watch"}) {
            KINDS.put(name, Kind.TRANSACTION);
        }
        for (String name : new String[] {"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"}) {
            KINDS.put(name, Kind.SCRIPT);
        }
    }

    /** Commands RESP2's subscribed mode allows, as Redis lists them in its refusal. */
    private static final Set<String> SUBSCRIBED_MODE = Set.of("subscribe", "psubscribe", "ssubscribe", "unsubscribe",
            "punsubscribe", "sunsubscribe", "ping", "quit", "reset");
    /**
     * Refused inside a MULTI sent to Redis, which would queue them and run them as its own: AUTH and
     * HELLO would try Redis's passwords, CONFIG GET hand out Redis's own, CLIENT REPLY silence the
     * proxy's pinned connection.
     */
    private static final Set<String> NOT_IN_UPSTREAM_MULTI = Set.of("auth", "hello", "config|get", "client|reply");
    /** Not queued inside a MULTI: they end it, guard it, or end the connection. */
    private static final Set<String> NOT_QUEUED = Set.of("exec", "discard", "multi", "watch", "quit", "reset");
    /** CLIENT commands about tracking, which a tracking client's own connection answers. */
    private static final Set<String> TRACKING_STATE = Set.of("client|trackinginfo", "client|getredir");

    private CommandPolicy() {
    }

    /** What the proxy does with the command {@code name} (full: {@code config|get}). */
    public static Kind of(String name) {
        return KINDS.getOrDefault(name, Kind.PLAIN);
    }

    public static boolean allowedWhenSubscribed(String name) {
        return SUBSCRIBED_MODE.contains(name);
    }

    public static boolean refusedInUpstreamMulti(String name) {
        return NOT_IN_UPSTREAM_MULTI.contains(name);
    }

    /** Whether a request named {@code name} (its first word) is queued inside a MULTI. */
    public static boolean queuedInMulti(String name) {
        return !NOT_QUEUED.contains(name);
    }

    public static boolean describesTracking(String name) {
        return TRACKING_STATE.contains(name);
    }

    /** Whether the command may wait in Redis for others' writes (BLPOP, XREAD, WAIT...): not run again elsewhere. */
    public static boolean waits(CommandSpec spec) {
        return spec.has(CommandFlag.BLOCKING) || of(spec.name()) == Kind.WAITS;
    }
}
