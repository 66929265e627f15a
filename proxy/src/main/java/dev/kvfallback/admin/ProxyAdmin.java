package dev.kvfallback.admin;

import dev.kvfallback.failover.Failover;
import dev.kvfallback.mongo.MongoStore;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.tee.RedisSource;
import dev.kvfallback.tee.Tee;
import dev.kvfallback.tee.Verifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The admin endpoint over the running proxy: the seed guide's health JSON (plus the precise mode
 * and the tee's figures), and the tee's backfill and verify.
 */
public final class ProxyAdmin implements Admin {

    private static final long PROBE_MILLIS = 1000;

    private final Failover failover;
    private final MongoStore store;
    private final RedisSource redis;
    private final String redisUrl;
    private final Tee tee;
    private final Verifier verifier;

    /**
     * @param redis    how to reach Redis (null: never touched, forced fallback)
     * @param redisUrl the upstream URL, redacted
     * @param tee      the tee, or null when it is off (backfill and verify are refused then)
     */
    public ProxyAdmin(Failover failover, MongoStore store, RedisSource redis, String redisUrl, Tee tee,
                      Verifier verifier) {
        this.failover = failover;
        this.store = store;
        this.redis = redis;
        this.redisUrl = redisUrl;
        this.tee = tee;
        this.verifier = verifier;
    }

    @Override
    public Map<String, Object> health() {
        CompletableFuture<Boolean> kv = redis == null ? CompletableFuture.completedFuture(false)
                : redis.call(0, List.of(RespRequest.of("PING"))).toCompletableFuture()
                        .thenApply(r -> !(r.get(0) instanceof RespValue.Error));
        CompletableFuture<Boolean> mongo = store.ping().toCompletableFuture().thenApply(ignored -> true);
        boolean kvUp = await(kv);
        boolean mongoUp = await(mongo);
        Map<String, Object> m = new LinkedHashMap<>();
        Failover.Mode mode = failover.mode();
        m.put("status", mode.status);
        m.put("mode", mode.name().toLowerCase(Locale.ROOT));
        m.put("health", map("kv", kvUp, "mongodb", mongoUp));
        Map<String, Object> kvInfo = map("configured", true, "available", kvUp);
        kvInfo.put("url", redisUrl);
        m.put("kv", kvInfo);
        Map<String, Object> mongoInfo = map("configured", true, "available", mongoUp);
        mongoInfo.put("store", store.description());
        m.put("mongodb", mongoInfo);
        if (tee != null) {
            Map<String, Object> teeInfo = tee.stats();
            teeInfo.put("backfill", tee.copier().backfillStats());
            m.put("tee", teeInfo);
        } else {
            m.put("tee", null);
        }
        return m;
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
        return verifier.verify(repair, sample);
    }

    private static boolean await(CompletableFuture<Boolean> probe) {
        try {
            return probe.get(PROBE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, Object> map(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
