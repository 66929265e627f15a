package dev.kvfallback.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of work in progress, and who waits for it to come to none: a completion signal where a
 * caller would otherwise poll the count. Threads: any.
 *
 * <p>A waiter is added before the count is read, and the one who brings the count to zero wakes
 * the waiters after it has, so none is missed: each waiter completes at some moment when nothing
 * was in progress (new work may have started since).
 */
public final class Idle {

    private final AtomicInteger busy = new AtomicInteger();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();

    /** One more piece of work has started; {@link #exit} must follow once. */
    public void enter() {
        busy.incrementAndGet();
    }

    /** A piece of work has ended. */
    public void exit() {
        if (busy.decrementAndGet() == 0) {
            wake();
        }
    }

    /** Work in progress now. */
    public int count() {
        return busy.get();
    }

    /** Completes once nothing is in progress (at once if nothing is now). */
    public CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(done);
        if (busy.get() == 0) {
            wake();
        }
        return done;
    }

    private void wake() {
        CompletableFuture<Void> waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.complete(null);
        }
    }
}
