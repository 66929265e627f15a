package dev.kvfallback.command;

/**
 * The one place a command's route is chosen: answered by the proxy, refused, sent to Redis on one
 * of its connections, or run on the engine. Reads the command's spec, {@link CommandPolicy} and the
 * session's state; does nothing itself, so it is tested without a socket.
 *
 * <p>The checklist before it (exists, arity, auth, access, subscribed mode) and what a session does
 * around a route (the tee's ticket, a transaction's queue, a reply's rewrite) are the session's.
 */
public final class Router {

    private Router() {
    }

    /** The route of a command the table knows (a subcommand's own spec for a container). */
    public static Route decide(CommandSpec spec, RoutingState state) {
        String name = spec.name();
        CommandPolicy.Kind kind = CommandPolicy.of(name);
        if (kind == CommandPolicy.Kind.CONTROL) {
            if (state.redisUsed()) {
                return Route.Upstream.CONTROL;
            }
            if (name.endsWith("|kill")) {
                return new Route.Refuse(Errors.NOTBUSY); // no script runs where Redis is never used
            }
        }
        if (kind == CommandPolicy.Kind.CLIENT && !(state.tracking() && CommandPolicy.describesTracking(name))) {
            return Route.LOCAL;
        }
        if (state.servesFromMongo() || state.queuedForEngine()) {
            return onEngine(spec, kind);
        }
        return switch (kind) {
            case LOCAL -> Route.LOCAL;
            case REFUSED -> refused(name);
            case CONNECTION_STATE -> Route.Upstream.PINNED;
            case SUBSCRIPTION -> Route.Upstream.SUBSCRIBER;
            case TRANSACTION -> name.equals("exec") || name.equals("discard")
                    ? state.inUpstreamMulti() || state.pinnedOpen() ? Route.Upstream.PINNED : Route.Upstream.SHARED
                    : Route.Upstream.PINNED;
            default -> CommandPolicy.waits(spec) || needsOwnConnection(state) ? Route.Upstream.PINNED
                    : Route.Upstream.SHARED;
        };
    }

    /** The route of a command missing from the table (a newer Redis's): only its name can tell if it waits. */
    public static Route.Upstream decideUnknown(String name, RoutingState state) {
        return CommandPolicy.of(name) == CommandPolicy.Kind.WAITS || needsOwnConnection(state)
                ? Route.Upstream.PINNED : Route.Upstream.SHARED;
    }

    /**
     * Served from MongoDB: connection commands and a transaction's control stay with the session,
     * data commands go to the engine, alone when they name no key.
     */
    private static Route onEngine(CommandSpec spec, CommandPolicy.Kind kind) {
        String name = spec.name();
        if (kind == CommandPolicy.Kind.REFUSED) {
            return refused(name);
        }
        if (name.equals("exec")) {
            return Route.Engine.SERIAL;
        }
        if (kind == CommandPolicy.Kind.LOCAL || kind == CommandPolicy.Kind.TRANSACTION || name.equals("unwatch")
                || name.equals("info")) {
            return Route.LOCAL;
        }
        return spec.keySpecs().isEmpty() ? Route.Engine.SERIAL : Route.Engine.KEYED;
    }

    /** {@code ERR kvfallback: SCRIPT DEBUG is not supported through the proxy}, in every mode. */
    private static Route refused(String name) {
        return new Route.Refuse(Errors.unsupported(name.toUpperCase(java.util.Locale.ROOT).replace('|', ' ')));
    }

    /** Whether the session holds server-side state only its own connection can carry. */
    private static boolean needsOwnConnection(RoutingState state) {
        return state.watching() || state.tracking() || state.db() != state.defaultDb();
    }
}
