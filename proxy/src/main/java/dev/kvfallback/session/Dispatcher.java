package dev.kvfallback.session;

import java.util.ArrayDeque;

/**
 * When one client's next command may start: the in-flight limit, the ordering barrier across the
 * places commands run, and the queue of what waits (parked), in arrival order.
 *
 * <p>The barrier: Redis runs one client's commands one after another. The proxy keeps that order
 * while commands go to different places (the shared connection, the session's own, the engine) by
 * letting a command start only when nothing is in flight elsewhere: commands in flight on one
 * target park commands for another until they have answered. A command that must run alone on the
 * engine ({@link Target#ENGINE_SERIAL}) waits for everything before it; one for the shared
 * connection waits when the protocol changed (each protocol has its own shared connection).
 *
 * <p>Confined to the client's event loop; no I/O, so it is tested without a socket.
 */
public final class Dispatcher {

    /** Where a command runs; commands in flight on one target park commands for another. */
    public enum Target { SHARED, PINNED, SUBSCRIBER, ENGINE, ENGINE_SERIAL }

    /** Commands a client may have in flight at once; more wait, parked, in order. */
    public static final int MAX_INFLIGHT = 128;

    /** Requests (and a protocol error) read but not yet run, in arrival order. */
    private final ArrayDeque<Object> parked = new ArrayDeque<>();
    private Target current = Target.SHARED;
    private int currentProtocol = 2;
    private int inflight;

    /** Whether a command for {@code target}, from a client speaking {@code protocol}, may start now. */
    public boolean mayStart(Target target, int protocol) {
        return inflight == 0 || target == current && target != Target.ENGINE_SERIAL
                && !(target == Target.SHARED && currentProtocol != protocol);
    }

    /** A command for {@code target} has started. */
    public void started(Target target, int protocol) {
        current = target;
        currentProtocol = protocol;
        inflight++;
    }

    /** Work the proxy answers later itself (CLIENT LIST across loops) has started: counted, no target. */
    public void startedAside() {
        inflight++;
    }

    /** A command (or aside work) in flight has been answered. */
    public void answered() {
        inflight--;
    }

    public int inflight() {
        return inflight;
    }

    /** Whether fewer than {@link #MAX_INFLIGHT} commands are in flight. */
    public boolean hasRoom() {
        return inflight < MAX_INFLIGHT;
    }

    /** Queues {@code request} behind what waits already. */
    public void park(Object request) {
        parked.add(request);
    }

    /**
     * The request just taken by {@link #nextParked} could not start after all and was parked again,
     * at the tail: it goes back to the head, so the order of arrival holds.
     */
    public void backToHead() {
        parked.addFirst(parked.pollLast());
    }

    /** The oldest request waiting, removed; null when none waits. */
    public Object nextParked() {
        return parked.poll();
    }

    public boolean nothingParked() {
        return parked.isEmpty();
    }

    public int parkedCount() {
        return parked.size();
    }

    /** What waits, oldest first (for CLIENT LIST's {@code qbuf}). */
    public Iterable<Object> parkedRequests() {
        return parked;
    }

    /** Drops what waits: the connection is closing. */
    public void clearParked() {
        parked.clear();
    }
}
