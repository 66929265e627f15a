package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import io.netty.channel.EventLoop;

import java.util.function.Consumer;

/**
 * The upstream Redis as the server sees it: shared pipelined connections per event loop, and
 * connections pinned to one client session when the session holds server-side state.
 *
 * <p>Every method is called on {@code loop}, the client channel's event loop; every reply callback
 * runs on that same loop (the upstream connections are registered on it, so a reply never changes
 * threads).
 */
public interface Upstream extends AutoCloseable {

    /** Sends on the loop's shared connection for the protocol; the reply comes to {@code reply}. */
    void send(EventLoop loop, int protocol, RespRequest request, Consumer<RespValue> reply);

    /**
     * Sends at once on the loop's control connection, never behind other clients' commands: for
     * the commands Redis runs while a script holds it (SCRIPT KILL, FUNCTION KILL, SHUTDOWN). The
     * reply is RESP3's, which the encoder writes to a RESP2 client as Redis would.
     */
    void sendAlone(EventLoop loop, RespRequest request, Consumer<RespValue> reply);

    /**
     * Whether a {@code BUSY} reply now comes from a script this proxy's clients run (or ran a
     * moment ago): Redis working as asked, not failing.
     */
    boolean excusesBusy();

    /**
     * Writes what {@link #send} buffered on this loop: called once per client read batch. The write
     * may wait until the loop has handled its pending I/O, so the reads of many clients share it.
     */
    void flush(EventLoop loop);

    /** A connection of the session's own, on {@code db}, speaking {@code protocol}. */
    Pinned pin(EventLoop loop, int protocol, int db, Consumer<RespValue> pushes, Runnable onClosed);

    /** A pub/sub connection of the session's own; messages and (un)subscribe confirmations go to {@code events}. */
    Subscriber subscriber(EventLoop loop, Consumer<PubSubEvent> events, Runnable onClosed);

    /** The upstream's default database (from the URL): sessions on another db need a pinned connection. */
    int defaultDb();

    /** The URL with its password replaced by {@code ***}, fit for logs and INFO. */
    String redactedUrl();

    @Override
    void close();

    /** A connection owned by one client session, closed with it. */
    interface Pinned {
        /** Sends at once: a pinned connection carries one client's commands and flushes each. */
        void send(RespRequest request, Consumer<RespValue> reply);

        /** Redis's client id of this connection (for CLIENT UNBLOCK), 0 until known. */
        long id();

        void close();
    }

    /** A pub/sub connection owned by one client session. */
    interface Subscriber {
        /** SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UN- forms, by lower-case command name. */
        void send(String command, byte[][] names);

        void close();
    }

    /** One pub/sub frame from Redis: a confirmation ({@code subscribe ch 1}) or a message. */
    record PubSubEvent(String kind, byte[] pattern, byte[] channel, byte[] message, long count) {
    }
}
