package dev.kvfallback.failover;

import dev.kvfallback.concurrent.DaemonScheduler;
import dev.kvfallback.mongo.MongoStore;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.RedisSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether Redis and MongoDB answer, checked every few seconds (a {@code PING} each) and on
 * demand, with each one's round-trip time; and how many keys MongoDB holds divergent (written in
 * fallback, not yet written back), counted less often as it scans. For the health JSON and the
 * {@code kvfallback_backend_up} and {@code kvfallback_divergent_keys} gauges.
 */
public final class Backends implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Backends.class);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration COUNT_EVERY = Duration.ofSeconds(30);
    private static final long PROBE_TIMEOUT_MS = 1000;

    /** One probe's outcome. */
    public record Probe(boolean up, long millis, String error) {
    }

    private final RedisSource redis;
    private final MongoStore store;
    private final ScheduledExecutorService timer;
    private volatile Probe redisProbe = new Probe(false, -1, "not checked yet");
    private volatile Probe mongoProbe = new Probe(false, -1, "not checked yet");
    private volatile long divergent = -1;

    /** @param redis null when Redis must not be touched (forced fallback) */
    public Backends(RedisSource redis, MongoStore store) {
        this.redis = redis;
        this.store = store;
        this.timer = DaemonScheduler.create("kvfallback-probe");
        timer.scheduleWithFixedDelay(this::probeBoth, 0, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::countDivergent, 0, COUNT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Probes both now (at most a second each); the results also update the cached ones. */
    public void probeBoth() {
        CompletableFuture<Probe> r = probeRedis();
        CompletableFuture<Probe> m = probeMongo();
        redisProbe = await(r);
        mongoProbe = await(m);
    }

    private CompletableFuture<Probe> probeRedis() {
        if (redis == null) {
            return CompletableFuture.completedFuture(new Probe(false, -1, "not used: --mode fallback"));
        }
        long start = System.nanoTime();
        return redis.call(0, List.of(RespRequest.of("PING"))).toCompletableFuture().thenApply(replies -> {
            RespValue reply = replies.get(0);
            long ms = (System.nanoTime() - start) / 1_000_000;
            return reply instanceof RespValue.Error e
                    ? new Probe(false, ms, new String(e.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                    : new Probe(true, ms, null);
        });
    }

    private CompletableFuture<Probe> probeMongo() {
        long start = System.nanoTime();
        return store.ping().toCompletableFuture()
                .thenApply(ignored -> new Probe(true, (System.nanoTime() - start) / 1_000_000, null));
    }

    private static Probe await(CompletableFuture<Probe> probe) {
        try {
            return probe.get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Probe(false, PROBE_TIMEOUT_MS, "no answer within " + PROBE_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(false, -1, "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Probe(false, -1, String.valueOf(cause.getMessage()).replace('\n', ' '));
        }
    }

    private void countDivergent() {
        try {
            divergent = store.keyspace().divergentCount().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("counting divergent keys failed: {}", e.toString());
        }
    }

    /** Counts the divergent keys now (a scan of MongoDB); -1 if MongoDB did not answer. */
    public long countDivergentNow() {
        countDivergent();
        return divergent;
    }

    public Probe redis() {
        return redisProbe;
    }

    public Probe mongo() {
        return mongoProbe;
    }

    /** Divergent keys at the last count (every 30 s); -1 before the first. */
    public long divergent() {
        return divergent;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
