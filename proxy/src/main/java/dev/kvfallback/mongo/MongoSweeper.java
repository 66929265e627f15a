package dev.kvfallback.mongo;

import dev.kvfallback.concurrent.DaemonScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Removes expired, non-divergent documents every interval ({@link MongoKeyspace#sweep}). Real
 * MongoDB's TTL index does the same within a minute or so; mongo-java-server has no TTL monitor,
 * so without this its expired keys would stay on disk (invisible, but never freed).
 *
 * <p>Threads: one daemon thread only starts a sweep; the sweep itself runs on the reactive driver.
 * A sweep still running when the next is due makes that one skip, so sweeps never pile up.
 */
public final class MongoSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MongoSweeper.class);

    private final MongoKeyspace keyspace;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    /** Starts sweeping {@code keyspace} every {@code interval}, expiring by {@code clock} (Unix ms). */
    public MongoSweeper(MongoKeyspace keyspace, Duration interval, LongSupplier clock) {
        this.keyspace = keyspace;
        this.clock = clock;
        this.timer = DaemonScheduler.create("kvfallback-mongo-sweeper");
        long millis = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        CompletionStage<Long> sweep;
        try {
            sweep = keyspace.sweep(clock.getAsLong());
        } catch (RuntimeException e) {
            sweep = CompletableFuture.failedFuture(e); // a throwing task would never be scheduled again
        }
        sweep.whenComplete((deleted, error) -> {
            running.set(false);
            if (error != null) {
                // Once per outage: MongoDB being down is reported by its health check, not here.
                if (!failing) {
                    failing = true;
                    log.warn("[Database] MongoDB sweep of expired keys failed: {}", error.toString());
                }
                return;
            }
            failing = false;
            if (deleted > 0) {
                log.debug("[Database] swept {} expired key(s) from MongoDB", deleted);
            }
        });
    }

    /** Stops sweeping; a sweep under way finishes on the driver or fails when the client closes. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
