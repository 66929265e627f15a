package dev.kvfallback.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The proxy's background timers (probes, the write-back's continuations, the tee's copier, the
 * sweeper): one daemon thread each, named for what it does, so none keeps the JVM alive and a
 * thread dump says who is who.
 */
public final class DaemonScheduler {

    private DaemonScheduler() {
    }

    /** A single-thread scheduler on a daemon thread called {@code threadName}. */
    public static ScheduledExecutorService create(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
