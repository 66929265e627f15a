package dev.kvfallback.admin;

import dev.kvfallback.failover.Backends;
import dev.kvfallback.failover.Failover;
import dev.kvfallback.failover.Recovery;
import dev.kvfallback.metrics.ProxyMetrics;
import dev.kvfallback.mongo.MongoStore;
import dev.kvfallback.replay.Replayer;
import dev.kvfallback.tee.Tee;
import dev.kvfallback.tee.Verifier;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The admin endpoint over the running proxy: the seed guide's health JSON (plus the precise mode,
 * the tee's figures and the divergent keys), the Prometheus scrape, an operator's mode switch,
 * and the tee's backfill and verify.
 *
 * <p>For the admin panel the JSON also carries, after the seed guide's fields: {@code now} (the
 * proxy's clock), {@code commands} (answered so far by route, which the panel differences into
 * commands per second), the write-back's {@code eta_s} in {@code replay}, and {@code verify}, the
 * last verify's counts. The verify's sample of key names is left out of it: the health JSON
 * needs no key, and only the operator who ran the verify sees the names, in its answer.
 */
public final class ProxyAdmin implements Admin {

    private final Failover failover;
    private final Recovery recovery;
    private final Replayer replayer;
    private final Backends backends;
    private final MongoStore store;
    private final String redisUrl;
    private final Tee tee;
    private final Verifier verifier;
    private final ProxyMetrics metrics;
    private volatile Map<String, Object> lastVerify;

    /**
     * @param redisUrl the upstream URL, redacted
     * @param recovery the way back to Redis, and its write-back; null with --mode fallback
     * @param tee      the tee, or null when it is off (backfill and verify are refused then)
     */
    public ProxyAdmin(Failover failover, Recovery recovery, Replayer replayer, Backends backends, MongoStore store,
                      String redisUrl, Tee tee, Verifier verifier, ProxyMetrics metrics) {
        this.failover = failover;
        this.recovery = recovery;
        this.replayer = replayer;
        this.backends = backends;
        this.store = store;
        this.redisUrl = redisUrl;
        this.tee = tee;
        this.verifier = verifier;
        this.metrics = metrics;
    }

    @Override
    public Map<String, Object> health() {
        backends.probeBoth();
        Backends.Probe kv = backends.redis();
        Backends.Probe mongo = backends.mongo();
        Map<String, Object> m = new LinkedHashMap<>();
        Failover.Mode mode = failover.mode();
        m.put("status", mode.status);
        m.put("mode", mode.name().toLowerCase(Locale.ROOT));
        m.put("since", failover.since());
        m.put("cause", failover.cause());
        m.put("health", map("kv", kv.up(), "mongodb", mongo.up()));
        m.put("kv", backend(kv, "url", redisUrl));
        m.put("mongodb", backend(mongo, "store", store.description()));
        m.put("divergent_keys", backends.divergent() < 0 ? null : backends.divergent());
        if (tee != null) {
            Map<String, Object> teeInfo = tee.stats();
            teeInfo.put("backfill", tee.copier().backfillStats());
            m.put("tee", teeInfo);
        } else {
            m.put("tee", null);
        }
        m.put("replay", replay());
        m.put("commands", metrics.commandsByRoute());
        m.put("verify", lastVerify);
        m.put("now", System.currentTimeMillis());
        return m;
    }

    /** The write-back's figures and, while it runs, the seconds left: divergent keys at the last count / rate. */
    private Map<String, Object> replay() {
        if (replayer == null) {
            return null;
        }
        Map<String, Object> stats = replayer.stats();
        Object rate = stats.get("rate_keys_per_s");
        long divergent = backends.divergent();
        Long eta = null;
        boolean running = Boolean.TRUE.equals(stats.get("running"));
        if (running && rate instanceof Number r && r.longValue() > 0 && divergent >= 0) {
            eta = (divergent + r.longValue() - 1) / r.longValue();
        }
        stats.put("eta_s", eta);
        return stats;
    }

    private static Map<String, Object> backend(Backends.Probe probe, String name, String where) {
        Map<String, Object> b = map("configured", true, "available", probe.up());
        b.put("latency_ms", probe.millis() < 0 ? null : probe.millis());
        if (probe.error() != null) {
            b.put("error", probe.error());
        }
        b.put(name, where);
        return b;
    }

    @Override
    public CompletionStage<Map<String, Object>> backfill() {
        if (tee == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the tee is off (--tee off or --mode fallback)"));
        }
        return CompletableFuture.completedFuture(tee.copier().startBackfill());
    }

    @Override
    public CompletionStage<Map<String, Object>> verify(boolean repair, int sample) {
        if (tee == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the tee is off (--tee off or --mode fallback)"));
        }
        long started = System.currentTimeMillis();
        Map<String, Object> running = new LinkedHashMap<>();
        running.put("running", true);
        running.put("repair", repair);
        running.put("started_at", started);
        lastVerify = running;
        return verifier.verify(repair, sample)
                .whenComplete((result, error) -> lastVerify = verifySummary(repair, started, result, error));
    }

    /** What the health JSON keeps of a finished verify: its counts, or its error; never a key name. */
    private static Map<String, Object> verifySummary(boolean repair, long started, Map<String, Object> result,
                                                     Throwable error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", false);
        m.put("repair", repair);
        m.put("started_at", started);
        m.put("finished_at", System.currentTimeMillis());
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            m.put("error", cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        } else {
            for (String field : new String[] {"checked", "mismatched", "copy_pending", "took_ms"}) {
                m.put(field, result.get(field));
            }
        }
        return m;
    }

    /**
     * {@code fallback}: serve from MongoDB from now on, once the writes in flight to Redis have
     * landed and the tee has applied them. {@code auto}: back to Redis: the keys written while
     * serving from MongoDB are written back first (RECOVERING), then PRIMARY; refused when the
     * configuration forced fallback, and when MongoDB cannot say which keys those are.
     */
    @Override
    public CompletionStage<Map<String, Object>> mode(String mode) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (mode.equals("fallback")) {
            m.put("changed", recovery != null && recovery.fallbackByOperator("fallback forced by an operator"));
        } else if (failover.forced()) {
            m.put("changed", false);
            m.put("reason", "started with --mode fallback: restart without it to serve from Redis");
        } else if (failover.mode() == Failover.Mode.PRIMARY) {
            m.put("changed", false);
        } else {
            long divergent = backends.countDivergentNow();
            if (divergent < 0) {
                m.put("changed", false);
                m.put("reason", "MongoDB did not answer; cannot write back the keys written while serving from it");
            } else {
                // RECOVERING: the keys written meanwhile go to Redis first, then PRIMARY.
                recovery.recoverNow("automatic mode restored by an operator");
                m.put("changed", true);
                m.put("divergent_keys", divergent);
            }
        }
        m.put("mode", failover.mode().name().toLowerCase(Locale.ROOT));
        m.put("status", failover.mode().status);
        return CompletableFuture.completedFuture(m);
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }

    private static Map<String, Object> map(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
