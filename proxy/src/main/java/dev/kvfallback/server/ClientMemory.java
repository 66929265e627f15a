package dev.kvfallback.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every client's requests may hold together, read and not yet answered
 * ({@code maxmemory-clients}). A client that reads past it stops being read; it is woken when
 * others' requests have been answered. Redis disconnects the biggest client instead; a proxy
 * that pauses loses nothing.
 *
 * <p>Threads: taken and given from every event loop; the waiters run on whichever loop gives
 * room back, and each only schedules work on its own client's loop.
 */
final class ClientMemory {

    private final long budget;
    private final AtomicLong held = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    /** @param budget bytes all clients' requests may hold at once; 0 for no limit */
    ClientMemory(long budget) {
        this.budget = budget <= 0 ? Long.MAX_VALUE : budget;
    }

    /** Counts {@code bytes} a client has read; false when that puts the total past the budget. */
    boolean take(long bytes) {
        return held.addAndGet(bytes) <= budget;
    }

    /** Gives back bytes whose requests were answered (or dropped), and wakes the waiting clients if there is room. */
    void give(long bytes) {
        if (bytes != 0 && held.addAndGet(-bytes) <= budget) {
            wakeAll();
        }
    }

    boolean hasRoom() {
        return held.get() <= budget;
    }

    /** Runs {@code wake} once there is room again (at once if there is now). */
    void whenRoom(Runnable wake) {
        waiting.add(wake);
        if (hasRoom()) {
            wakeAll();
        }
    }

    long held() {
        return held.get();
    }

    private void wakeAll() {
        for (Runnable wake = waiting.poll(); wake != null; wake = waiting.poll()) {
            wake.run();
        }
    }
}
