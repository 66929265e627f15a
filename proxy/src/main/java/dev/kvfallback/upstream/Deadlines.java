package dev.kvfallback.upstream;

import io.lettuce.core.RedisCommandTimeoutException;

import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * The command timeout of one shared upstream connection: a FIFO of the commands in flight, checked
 * by one periodic sweep, instead of Lettuce's timer entry per command.
 *
 * <p>Why not Lettuce's {@code TimeoutOptions}: it schedules and cancels a {@code HashedWheelTimer}
 * entry for every command (two cross-thread queue hand-offs and a timer thread that wakes for
 * them), which was about a third of the proxy's CPU per request, and it fails an expired command
 * on Lettuce's computation thread, not on the event loop the client lives on. A shared connection
 * answers in order, so the oldest command in flight is the first that can expire: the sweep looks
 * at the head only. Confined to the connection's event loop.
 */
final class Deadlines {

    private final ArrayDeque<RawCommand> inflight = new ArrayDeque<>();
    private final long timeoutNanos;
    /** Registered on every tracked command; one instance, so tracking allocates nothing. */
    private final BiConsumer<Object, Throwable> prune = (value, error) -> pruneDone();

    Deadlines(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Starts the clock of a command about to be sent. */
    void track(RawCommand command) {
        command.deadline(System.nanoTime() + timeoutNanos);
        command.onComplete(prune);
        inflight.add(command);
    }

    /** Fails, oldest first, the commands whose deadline has passed. */
    void expire(long now) {
        RawCommand head;
        while ((head = inflight.peekFirst()) != null && (head.isDone() || now - head.deadline() >= 0)) {
            inflight.pollFirst();
            if (!head.isDone()) {
                head.completeExceptionally(new RedisCommandTimeoutException(
                        "command timed out after " + timeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    private void pruneDone() {
        // Replies complete commands in send order, so this is nearly always just the head.
        RawCommand head;
        while ((head = inflight.peekFirst()) != null && head.isDone()) {
            inflight.pollFirst();
        }
    }
}
