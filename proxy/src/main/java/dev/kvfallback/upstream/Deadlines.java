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
 * at the head only. While a script of the proxy's clients holds Redis, nothing expires ({@link
 * Scripts}): the commands behind it wait, as they would for Redis itself. Confined to the
 * connection's event loop.
 */
final class Deadlines {

    private final ArrayDeque<RawCommand> inflight = new ArrayDeque<>();
    private final long timeoutNanos;
    private final Scripts scripts;
    /** Registered on every tracked command; one instance, so tracking allocates nothing. */
    private final BiConsumer<Object, Throwable> prune = this::answered;

    /** @param scripts the proxy's scripts running in Redis: while they hold it, no command expires */
    Deadlines(long timeoutNanos, Scripts scripts) {
        this.timeoutNanos = timeoutNanos;
        this.scripts = scripts;
    }

    /** Starts the clock of a command about to be sent. */
    void track(RawCommand command) {
        command.deadline(System.nanoTime() + timeoutNanos);
        command.onComplete(prune);
        inflight.add(command);
    }

    /** Fails, oldest first, the commands whose deadline has passed. */
    void expire(long now) {
        if (scripts.holdTimeouts(now)) {
            return;
        }
        RawCommand head;
        while ((head = inflight.peekFirst()) != null && (head.isDone() || now - head.deadline() >= 0)) {
            inflight.pollFirst();
            if (!head.isDone()) {
                head.completeExceptionally(new RedisCommandTimeoutException(
                        "command timed out after " + timeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    private void answered(Object value, Throwable error) {
        scripts.replied(value);
        pruneDone();
    }

    private void pruneDone() {
        // Replies complete commands in send order, so this is nearly always just the head.
        RawCommand head;
        while ((head = inflight.peekFirst()) != null && head.isDone()) {
            inflight.pollFirst();
        }
    }
}
