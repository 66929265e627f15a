package dev.kvfallback.command;

/** What {@link Router} needs to know of a session and of the mode to choose a command's route. */
public interface RoutingState {

    /** Whether Redis is used at all (false with {@code --mode fallback}). */
    boolean redisUsed();

    /** Whether commands are served from MongoDB now. */
    boolean servesFromMongo();

    /** Whether a MULTI is being queued for the engine. */
    boolean queuedForEngine();

    /** Whether a MULTI is open on the session's Redis connection. */
    boolean inUpstreamMulti();

    boolean watching();

    boolean tracking();

    /** Whether the session has a pinned connection open now. */
    boolean pinnedOpen();

    /** The session's selected db. */
    int db();

    /** The upstream's default db (from the URL): another needs the session's own connection. */
    int defaultDb();
}
