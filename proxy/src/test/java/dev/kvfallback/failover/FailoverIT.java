package dev.kvfallback.failover;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The automatic switch: Redis killed, or frozen, under a client that never sees an error; served
 * from MongoDB meanwhile; the writes made then written back when Redis answers again, and the
 * proxy back on Redis.
 */
class FailoverIT {

    private static final String KEY = "admin-key";

    @Test
    void redisKilledAndRestartedClientsSeeNoErrorAndRedisGetsEveryWriteBack() throws Exception {
        RedisServer redis = RedisServer.startPersistent();
        try (KvFallback proxy = Proxy.start(redis.url() + "?timeout=1s", "--admin-key", KEY);
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000)) {
            jedis.set("before", "1");
            jedis.rpush("list", "a", "b");
            jedis.hset("hash", "f", "v");
            jedis.set("doomed", "x");
            Backups.awaitSettled(proxy, Duration.ofSeconds(10));

            redis.kill();
            // Each of these meets a dead Redis or is served from MongoDB: a normal reply either way.
            assertEquals("1", jedis.get("before"), "what Redis had is served from MongoDB's copy");
            assertEquals("fallback", mode(proxy));
            assertEquals(3L, jedis.rpush("list", "c"));
            assertEquals(0L, jedis.hset("hash", "f", "w"));
            assertEquals(1L, jedis.incr("counter"));
            assertEquals("OK", jedis.set("expiring", "e", SetParams.setParams().px(600_000)));
            assertEquals(1L, jedis.zadd("zset", 2.5, "m"));
            assertEquals(1L, jedis.sadd("set", "s"));
            assertEquals(1L, jedis.del("doomed"));
            assertEquals(List.of("a", "b", "c"), jedis.lrange("list", 0, -1));
            String health = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(health.startsWith("{\"status\":\"mongodb\",\"mode\":\"fallback\""), health);
            assertTrue(health.contains("\"cause\":\"KV unavailable: ERR kvfallback: Redis unavailable"), health);

            redis = redis.restart();
            awaitMode(proxy, "primary", Duration.ofSeconds(30));
            try (Jedis direct = new Jedis("127.0.0.1", redis.port())) {
                assertEquals(List.of("a", "b", "c"), direct.lrange("list", 0, -1));
                assertEquals(Map.of("f", "w"), direct.hgetAll("hash"));
                assertEquals("1", direct.get("counter"));
                assertEquals("e", direct.get("expiring"));
                long ttl = direct.pttl("expiring");
                assertTrue(ttl > 500_000 && ttl <= 600_000, "the absolute expiry went back with the value: " + ttl);
                assertEquals(2.5, direct.zscore("zset", "m"));
                assertEquals(Set.of("s"), direct.smembers("set"));
                assertNull(direct.get("doomed"), "the delete went back too");
                assertEquals("1", direct.get("before"));
            }
            assertEquals(4L, jedis.rpush("list", "d"), "served by Redis again, with what was written meanwhile");
            String after = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(Backups.number(after, "keys_done") >= 7, "the 7 keys written in fallback: " + after);
            Backups.awaitSettled(proxy, Duration.ofSeconds(10));
            assertEquals(0, Backups.number(Backups.post(proxy, "/api/admin/verify", KEY), "mismatched"));
        } finally {
            redis.close();
        }
    }

    @Test
    void aFrozenRedisTimesOutIntoFallbackAndIsUsedAgainWhenItThaws() throws Exception {
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url() + "?timeout=500ms", "--admin-key", KEY);
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000);
             Jedis direct = new Jedis("127.0.0.1", redis.port(), 20_000)) {
            jedis.set("k", "1");
            Backups.awaitSettled(proxy, Duration.ofSeconds(10));

            redis.pause();
            try {
                long start = System.nanoTime();
                assertEquals(2L, jedis.incr("k"), "the command that met the timeout is served from MongoDB");
                long took = (System.nanoTime() - start) / 1_000_000;
                assertTrue(took < 5_000, "within the latency budget and the switch: " + took + " ms");
                assertEquals("fallback", mode(proxy));
                assertEquals(3L, jedis.incr("k"));
            } finally {
                redis.resume();
            }
            awaitMode(proxy, "primary", Duration.ofSeconds(30));
            assertEquals("3", direct.get("k"));
            assertEquals(4L, jedis.incr("k"));
        }
    }

    static String mode(KvFallback proxy) {
        return proxy.failover().mode().name().toLowerCase(java.util.Locale.ROOT);
    }

    static void awaitMode(KvFallback proxy, String mode, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!mode(proxy).equals(mode) || !proxy.failover().isReady()) {
            assertTrue(System.nanoTime() < deadline, "mode " + mode + " within " + limit + "; health: "
                    + Backups.get(proxy, "/api/admin/db-health").body());
            Thread.sleep(50);
        }
    }
}
