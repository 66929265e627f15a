package dev.kvfallback.tee;

import dev.kvfallback.command.CommandFlag;
import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.Numbers;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns a write Redis acknowledged, with its reply, into {@link Effect}s (Invariant 5).
 *
 * <p>Most writes are deterministic given the value before them and the time: they are applied as
 * they are, at the time of the acknowledgement (so relative expiries become absolute there), and
 * Redis's reply is what the engine must compute. Writes that are not deterministic are recorded
 * by their result: SPOP by the members it removed, a blocking pop by what it popped (the key and
 * element in its reply). INCRBYFLOAT and HINCRBYFLOAT are exact here (the engine computes in x87
 * {@code long double} as Redis does) and checked against the value Redis set. Writes the engine
 * cannot compute (scripts, RESTORE, MOVE, streams, ...) re-copy their keys from Redis.
 */
final class Effects {

    /**
     * Commands whose reply can be the same whether or not the key existed: they add to a value
     * (a key absent from MongoDB may hold more in Redis) or change only a value that exists
     * (LTRIM, ZADD XX, SETRANGE and SETBIT past the end). A key they find absent is re-copied.
     */
    private static final Set<String> PARTIAL = Set.of("hset", "hsetnx", "hmset", "hincrby", "hincrbyfloat", "sadd",
            "smove", "zadd", "zincrby", "lmove", "rpoplpush", "blmove", "brpoplpush", "ltrim", "setrange", "setbit",
            "bitfield");
    /** Writes with no data effect, or a read unless an option is given. */
    private static final Set<String> NO_EFFECT = Set.of("function|delete", "function|flush", "function|load",
            "function|restore", "pfdebug");
    private static final Set<String> SCRIPTS = Set.of("eval", "evalsha", "fcall");

    private Effects() {
    }

    /** Whether the proxy must hand this command's acknowledgement to the tee. */
    static boolean teed(CommandSpec spec) {
        return spec.has(CommandFlag.WRITE) || SCRIPTS.contains(spec.name());
    }

    /**
     * The effects of {@code request}, which Redis acknowledged with {@code reply} (not an error).
     *
     * @param served whether the engine can compute a command (by its lower-case name)
     */
    static List<Effect> of(CommandSpec spec, int db, int protocol, RespRequest request, RespValue reply,
                           long at, Predicate<String> served) {
        return of(spec, db, protocol, request, keys(spec, request), reply, at, served);
    }

    /** {@link #of(CommandSpec, int, int, RespRequest, RespValue, long, Predicate)} given the request's {@link #keys}. */
    static List<Effect> of(CommandSpec spec, int db, int protocol, RespRequest request, List<byte[]> keys,
                           RespValue reply, long at, Predicate<String> served) {
        String name = spec.name();
        switch (name) {
            case "flushdb" -> {
                return List.of(new Effect.Clear(db));
            }
            case "flushall" -> {
                return List.of(new Effect.Clear(-1));
            }
            case "swapdb" -> {
                return List.of(new Effect.Resync(intArg(request, 1)), new Effect.Resync(intArg(request, 2)));
            }
            case "move" -> {
                return List.of(new Effect.Copy(db, keys), new Effect.Copy(intArg(request, 2), keys));
            }
            case "copy" -> {
                int target = dbOption(request);
                if (target >= 0) {
                    return List.of(new Effect.Copy(target, List.of(request.arg(2))));
                }
            }
            case "sort", "georadius", "georadiusbymember" -> {
                if (keys.size() < 2) {
                    // Without STORE it only reads.
                    return List.of();
                }
            }
            case "spop" -> {
                return spop(db, protocol, request, reply, at, keys);
            }
            case "blpop", "brpop" -> {
                if (!(reply instanceof RespValue.Array a) || a.items().size() != 2) {
                    return List.of();
                }
                byte[] key = ((RespValue.Bulk) a.items().get(0)).bytes();
                return List.of(apply(db, protocol, at, a.items().get(1), false, keys,
                        name.equals("blpop") ? "LPOP" : "RPOP", key));
            }
            case "brpoplpush", "blmove", "blmpop", "bzmpop" -> {
                if (reply instanceof RespValue.Null) {
                    return List.of();
                }
                return List.of(new Effect.Apply(db, new Engine.Step.Run(unblocked(request), protocol, at), reply,
                        PARTIAL.contains(name), keys));
            }
            case "bzpopmin", "bzpopmax" -> {
                if (!(reply instanceof RespValue.Array a) || a.items().size() != 3) {
                    return List.of();
                }
                byte[] key = ((RespValue.Bulk) a.items().get(0)).bytes();
                byte[] member = ((RespValue.Bulk) a.items().get(1)).bytes();
                return List.of(apply(db, protocol, at, new RespValue.Int(1), false, keys,
                        "ZREM", key, member));
            }
            default -> {
            }
        }
        if (NO_EFFECT.contains(name)) {
            return List.of();
        }
        if (SCRIPTS.contains(name) || !served.test(request.name()) || name.startsWith("restore")
                || name.equals("migrate")) {
            return keys.isEmpty() ? List.of() : List.of(new Effect.Copy(db, keys));
        }
        boolean partial = PARTIAL.contains(name) || name.equals("set") && hasOption(request, 3, "keepttl");
        return List.of(new Effect.Apply(db, new Engine.Step.Run(request, protocol, at), reply, partial, keys));
    }

    /**
     * The effects of a write that got an error (or no reply, in an aborted EXEC). A Redis command
     * that fails changes nothing, except a script that failed after some of its writes; and when
     * the error is the proxy's own (Redis timed out or the connection dropped) the write may or may
     * not have run. Those re-copy their keys; the rest have no effect.
     */
    static List<Effect> afterError(CommandSpec spec, int db, List<byte[]> keys, RespValue reply) {
        boolean proxyMade = reply instanceof RespValue.Error e
                && new String(e.bytes(), StandardCharsets.UTF_8).startsWith("ERR kvfallback:");
        if (!SCRIPTS.contains(spec.name()) && !proxyMade) {
            return List.of();
        }
        return keys.isEmpty() ? List.of() : List.of(new Effect.Copy(db, keys));
    }

    /** SPOP by the members Redis removed: an SREM of them, which must remove them all. */
    private static List<Effect> spop(int db, int protocol, RespRequest request, RespValue reply, long at,
                                     List<byte[]> keys) {
        List<RespValue> members = reply instanceof RespValue.Bulk b ? List.of(b)
                : reply instanceof RespValue.Array a ? a.items()
                : reply instanceof RespValue.Set s ? s.items()
                : List.of();
        if (members.isEmpty()) {
            return List.of();
        }
        byte[][] args = new byte[members.size() + 2][];
        args[0] = "SREM".getBytes(StandardCharsets.US_ASCII);
        args[1] = request.arg(1);
        for (int i = 0; i < members.size(); i++) {
            args[i + 2] = ((RespValue.Bulk) members.get(i)).bytes();
        }
        return List.of(new Effect.Apply(db, new Engine.Step.Run(new RespRequest(args, false), protocol, at),
                new RespValue.Int(members.size()), false, keys));
    }

    private static Effect apply(int db, int protocol, long at, RespValue expected, boolean partial, List<byte[]> keys,
                                String command, byte[]... args) {
        byte[][] argv = new byte[args.length + 1][];
        argv[0] = command.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(args, 0, argv, 1, args.length);
        return new Effect.Apply(db, new Engine.Step.Run(new RespRequest(argv, false), protocol, at), expected,
                partial, keys);
    }

    /** The non-blocking twin of a blocking command that did not time out: its timeout argument dropped. */
    private static RespRequest unblocked(RespRequest request) {
        List<byte[]> argv = request.args();
        String name = request.name();
        List<byte[]> out = new ArrayList<>(argv.size());
        switch (name) {
            case "brpoplpush" -> {
                out.add(bytes("RPOPLPUSH"));
                out.addAll(argv.subList(1, 3));
            }
            case "blmove" -> {
                out.add(bytes("LMOVE"));
                out.addAll(argv.subList(1, 5));
            }
            default -> {
                // BLMPOP / BZMPOP timeout numkeys key... -> LMPOP / ZMPOP numkeys key...
                out.add(bytes(name.substring(1).toUpperCase(Locale.ROOT)));
                out.addAll(argv.subList(2, argv.size()));
            }
        }
        return new RespRequest(out.toArray(byte[][]::new), false);
    }

    /** The keys a command writes, from the command table's key specs. */
    static List<byte[]> keys(CommandSpec spec, RespRequest request) {
        return spec.keys(request.args());
    }

    /** Whether an argument from {@code from} on is {@code option}, ignoring case. */
    private static boolean hasOption(RespRequest request, int from, String option) {
        for (int i = from; i < request.size(); i++) {
            if (new String(request.arg(i), StandardCharsets.ISO_8859_1).equalsIgnoreCase(option)) {
                return true;
            }
        }
        return false;
    }

    /** COPY's {@code DB n}, or -1. */
    private static int dbOption(RespRequest request) {
        for (int i = 3; i + 1 < request.size(); i++) {
            if (new String(request.arg(i), StandardCharsets.ISO_8859_1).equalsIgnoreCase("db")) {
                Long n = Numbers.parseLong(request.arg(i + 1));
                return n == null ? -1 : n.intValue();
            }
        }
        return -1;
    }

    private static int intArg(RespRequest request, int i) {
        Long n = Numbers.parseLong(request.arg(i));
        return n == null ? 0 : n.intValue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
