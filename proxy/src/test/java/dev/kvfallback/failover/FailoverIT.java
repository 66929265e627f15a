package dev.kvfallback.failover;

import dev.kvfallback.KvFallback;
import dev.kvfallback.mongo.EmbeddedMongo;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.FaultProxy;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import java.nio.file.Path;
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

    @Test
    void aRateLimitedRedisIsServedFromMongoAndProbedUntilItTakesRequestsAgain() throws Exception {
        try (RedisServer redis = RedisServer.start();
             FaultProxy fault = FaultProxy.start(redis.port());
             KvFallback proxy = Proxy.start(fault.url(), "--admin-key", KEY, "--probe-interval", "200ms",
                     "--probe-backoff-max", "500ms");
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000);
             Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            jedis.set("k", "1");
            jedis.sadd("s", "a");
            Backups.awaitSettled(proxy, Duration.ofSeconds(10));

            fault.mode(FaultProxy.Mode.RATE_LIMIT);
            assertEquals(2L, jedis.incr("k"), "the command that met the limit got a normal reply");
            assertEquals("fallback", mode(proxy));
            assertEquals(1L, jedis.sadd("s", "b"));
            assertEquals("2", jedis.get("k"));
            assertEquals("1", direct.get("k"), "Redis was not written while it refused requests");
            String health = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(health.contains("\"cause\":\"KV rate limit hit: " + FaultProxy.RATE_LIMIT_ERROR + "\""), health);
            Thread.sleep(1500);
            assertEquals("fallback", mode(proxy), "probes meet the limit too: still on MongoDB");
            long refused = fault.rateLimited();
            assertTrue(refused >= 2, "the probes kept trying: " + refused);

            fault.mode(FaultProxy.Mode.PASS);
            awaitMode(proxy, "primary", Duration.ofSeconds(20));
            assertEquals("2", direct.get("k"));
            assertEquals(Set.of("a", "b"), direct.smembers("s"));
            String metrics = Backups.get(proxy, "/metrics").body();
            assertTrue(metrics.contains("kvfallback_upstream_errors_total{class=\"rate_limit\"}"), metrics);
        }
    }

    @Test
    void bothBackendsDownIsOneClearErrorNamingBothAndServiceResumesWhenRedisReturns(@TempDir Path mongoDir)
            throws Exception {
        int mongoPort = RedisServer.freePort();
        EmbeddedMongo mongo = EmbeddedMongo.start(mongoDir, mongoPort);
        try (RedisServer redis = RedisServer.start();
             FaultProxy fault = FaultProxy.start(redis.port());
             KvFallback proxy = Proxy.start(fault.url(), "--admin-key", KEY,
                     "--mongodb-uri", "mongodb://127.0.0.1:" + mongoPort + "/?serverSelectionTimeoutMS=500",
                     "--tee", "off", "--probe-interval", "200ms", "--probe-backoff-max", "500ms");
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000)) {
            assertEquals("OK", jedis.set("k", "1"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Backups.get(proxy, "/api/admin/db-health").body().contains("\"divergent_keys\":0")) {
                assertTrue(System.nanoTime() < deadline, "MongoDB counted: nothing divergent");
                Thread.sleep(50);
            }
            mongo.close();
            fault.mode(FaultProxy.Mode.RATE_LIMIT);
            long start = System.nanoTime();
            redis.clients.jedis.exceptions.JedisDataException e = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> jedis.get("k"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().startsWith("ERR kvfallback: Redis unavailable (" + FaultProxy.RATE_LIMIT_ERROR
                    + ") and MongoDB unavailable ("), e.getMessage());
            assertTrue(millis < 5_000, "an answer within the timeouts, not a hang: " + millis + " ms");
            assertEquals("PONG", jedis.ping(), "the connection lives on");

            fault.mode(FaultProxy.Mode.PASS);
            awaitMode(proxy, "primary", Duration.ofSeconds(20));
            assertEquals("1", jedis.get("k"), "Redis serves again by itself");
        }
    }

    @Test
    void pinnedWorkDuringAFailoverGetsAClearErrorOrItsConnectionClosedNeverAHang() throws Exception {
        RedisServer redis = RedisServer.start();
        try (KvFallback proxy = Proxy.start(redis.url(), "--command-timeout", "500ms");
             RawClient multi = new RawClient(proxy.port());
             RawClient blocked = new RawClient(proxy.port());
             RawClient subscriber = new RawClient(proxy.port());
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000)) {
            assertEquals("+OK\\r\\n", RawClient.show(multi.call("MULTI")));
            assertEquals("+QUEUED\\r\\n", RawClient.show(multi.call("SET", "a", "1")));
            blocked.send("BLPOP", "queue", "0");
            assertTrue(RawClient.show(subscriber.call("SUBSCRIBE", "ch")).startsWith("*3"));
            Thread.sleep(200);

            redis.kill();
            assertEquals("OK", jedis.set("x", "1"), "a shared command is served from MongoDB");
            multi.send("EXEC");
            for (RawClient c : List.of(multi, blocked, subscriber)) {
                long start = System.nanoTime();
                String outcome = outcome(c);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(outcome.equals("closed") || outcome.startsWith("-ERR kvfallback: Redis unavailable"),
                        "a clear error or a closed connection, got " + outcome);
                assertTrue(millis < 5_000, "within 5 s, not a hang: " + millis + " ms");
            }
            try (RawClient again = new RawClient(proxy.port())) {
                assertEquals("+OK\\r\\n", RawClient.show(again.call("MULTI")));
                assertEquals("+QUEUED\\r\\n", RawClient.show(again.call("INCR", "n")));
                assertEquals("*1\\r\\n:1\\r\\n", RawClient.show(again.call("EXEC")),
                        "a new transaction runs on MongoDB");
            }
        } finally {
            redis.close();
        }
    }

    @Test
    void aRedisThatComesBackEmptyIsRehydratedFromMongo() throws Exception {
        RedisServer redis = RedisServer.start();
        int port = redis.port();
        try (KvFallback proxy = Proxy.start(redis.url(), "--admin-key", KEY, "--probe-interval", "200ms");
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000)) {
            for (int i = 0; i < 300; i++) {
                jedis.set("k" + i, "v" + i);
            }
            jedis.hset("h", Map.of("a", "1", "b", "2"));
            jedis.rpush("l", "x", "y");
            jedis.set("ttl", "t", SetParams.setParams().px(600_000));
            jedis.select(2);
            jedis.sadd("s2", "m");
            jedis.select(0);
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));

            redis.kill();
            assertEquals("v7", jedis.get("k7"));
            assertEquals("OK", jedis.set("during", "d"));
            redis = RedisServer.restartOn(port);
            awaitMode(proxy, "primary", Duration.ofSeconds(30));
            try (Jedis direct = new Jedis("127.0.0.1", port)) {
                assertEquals(304L, direct.dbSize(), "every key MongoDB held in db 0, and the one written meanwhile");
                assertEquals("v299", direct.get("k299"));
                assertEquals("d", direct.get("during"));
                assertEquals(Map.of("a", "1", "b", "2"), direct.hgetAll("h"));
                assertEquals(List.of("x", "y"), direct.lrange("l", 0, -1));
                assertTrue(direct.pttl("ttl") > 500_000, "with its expiry: " + direct.pttl("ttl"));
                direct.select(2);
                assertEquals(Set.of("m"), direct.smembers("s2"), "every db");
            }
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));
            assertEquals(0, Backups.number(Backups.post(proxy, "/api/admin/verify", KEY), "mismatched"));
        } finally {
            redis.close();
        }
    }

    /** The next reply's text, or "closed" if the proxy closed the connection instead. */
    private static String outcome(RawClient c) {
        try {
            return RawClient.show(c.readReply());
        } catch (java.io.IOException e) {
            return e.getMessage().contains("closed") ? "closed" : e.toString();
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
