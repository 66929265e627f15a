package dev.kvfallback.admin;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.JsonText;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees and does, against a real redis-server: the health JSON in each mode, the
 * Prometheus scrape moving under traffic, the key on operations, no secret anywhere, and a stop
 * that answers what clients sent and loses no write on its way to MongoDB.
 */
class OperationsIT {

    private static final String KEY = "the-admin-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    @Test
    void healthInNormalModeThenWithRedisKilledThenInForcedFallback() throws Exception {
        RedisServer redis = RedisServer.start();
        try (KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString(), "--admin-key", KEY)) {
            String normal = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(normal.startsWith("{\"status\":\"kv\",\"mode\":\"primary\""), normal);
            assertTrue(normal.contains("\"health\":{\"kv\":true,\"mongodb\":true}"), normal);
            assertTrue(normal.contains("\"kv\":{\"configured\":true,\"available\":true"), normal);
            assertTrue(normal.contains("\"mongodb\":{\"configured\":true,\"available\":true"), normal);
            assertTrue(normal.contains("\"tee\":{\"backlog\":"), normal);

            redis.kill();
            String killed = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(killed.contains("\"health\":{\"kv\":false,\"mongodb\":true}"), killed);
            assertTrue(killed.contains("\"kv\":{\"configured\":true,\"available\":false"), killed);
            assertTrue(killed.contains("\"mongodb\":{\"configured\":true,\"available\":true"), killed);
            assertTrue(killed.matches("(?s).*\"kv\":\\{[^}]*\"error\":\"[^\"]+\".*"),
                    "the probe says why Redis is unavailable: " + killed);
        }
        try (KvFallback fallback = Proxy.start(redis.url(), "--data-dir", dataDir.toString(), "--mode", "fallback")) {
            String forced = Backups.get(fallback, "/api/admin/db-health").body();
            assertTrue(forced.startsWith("{\"status\":\"mongodb\",\"mode\":\"fallback\""), forced);
            assertTrue(forced.contains("\"cause\":\"fallback forced by configuration (--mode fallback)\""), forced);
            assertTrue(forced.contains("\"tee\":null"), forced);
        }
    }

    @Test
    void anOperatorForcesFallbackAndReturnsAfterTheWritesMadeMeanwhileAreInRedis() throws Exception {
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString(), "--admin-key", KEY);
             Jedis jedis = new Jedis("127.0.0.1", proxy.port());
             Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            jedis.set("before", "1");
            String toFallback = Backups.post(proxy, "/api/admin/mode?mode=fallback", KEY);
            assertEquals("{\"changed\":true,\"mode\":\"fallback\",\"status\":\"mongodb\"}", toFallback);
            assertEquals("1", jedis.get("before"), "the write Redis acknowledged before the switch is served from MongoDB");
            assertEquals("fallback", status(proxy, "mode"));

            jedis.set("during", "2");
            jedis.del("before");
            assertNull(direct.get("during"), "served from MongoDB, not Redis");
            assertEquals("1", direct.get("before"));

            String back = Backups.post(proxy, "/api/admin/mode?mode=auto", KEY);
            assertTrue(back.startsWith("{\"changed\":true,\"divergent_keys\":2,"), back);
            awaitMode(proxy, "primary");
            assertEquals("2", direct.get("during"), "the write made in fallback was written back to Redis");
            assertNull(direct.get("before"), "and so was the delete");
            assertEquals("2", jedis.get("during"));
            String health = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(health.contains("\"keys_done\":2"), health);
            assertEquals(0, Backups.number(Backups.post(proxy, "/api/admin/verify", KEY), "mismatched"));
        }
    }

    private static void awaitMode(KvFallback proxy, String mode) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!status(proxy, "mode").equals(mode)) {
            assertTrue(System.nanoTime() < deadline, "mode " + mode + " within 20 s; health: "
                    + Backups.get(proxy, "/api/admin/db-health").body());
            Thread.sleep(50);
        }
    }

    @Test
    void metricsArePresentAndMoveUnderTraffic() throws Exception {
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString());
             Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            jedis.set("warm", "up");
            String before = scrape(proxy);
            for (int i = 0; i < 100; i++) {
                jedis.set("k" + i, "v");
            }
            jedis.ping();
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));
            String after = scrape(proxy);
            String setOk = "kvfallback_commands_total{command=\"set\",outcome=\"ok\",route=\"upstream\"}";
            assertEquals(100, value(after, setOk) - value(before, setOk), 0.0);
            assertTrue(value(after, "kvfallback_commands_total{command=\"ping\",outcome=\"ok\",route=\"local\"}") >= 1);
            assertTrue(value(after, "kvfallback_tee_effects_applied_total") - value(before, "kvfallback_tee_effects_applied_total") >= 100);
            assertTrue(value(after, "kvfallback_command_seconds_count{route=\"upstream\"}") >= 101);
            assertEquals(1, value(after, "kvfallback_mode{mode=\"primary\"}"), 0.0);
            assertEquals(0, value(after, "kvfallback_mode{mode=\"fallback\"}"), 0.0);
            assertEquals(1, value(after, "kvfallback_client_connections"), 0.0);
            assertTrue(after.contains("kvfallback_backend_up{backend=\"redis\"}"), after);
            assertTrue(after.contains("kvfallback_tee_backlog_age_seconds"), after);
            assertTrue(after.contains("kvfallback_divergent_keys"), after);
            assertTrue(after.contains("jvm_memory_used_bytes"), "JVM memory");
            assertTrue(after.contains("netty_allocator_memory_used"), "Netty buffer memory");
            assertFalse(after.contains("command=\"k"), "no key is ever a tag");
        }
    }

    @Test
    void operationsNeedTheKeyAndNoSecretIsShown() throws Exception {
        try (RedisServer redis = RedisServer.start("--requirepass", "upstream-s3cret");
             KvFallback proxy = Proxy.start("redis://:upstream-s3cret@127.0.0.1:" + redis.port(),
                     "--data-dir", dataDir.toString(), "--admin-key", KEY);
             Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            HttpResponse<String> noKey = post(proxy, "/api/admin/backfill", null);
            HttpResponse<String> wrongKey = post(proxy, "/api/admin/verify", "not-" + KEY);
            assertEquals(401, noKey.statusCode());
            assertEquals(401, wrongKey.statusCode());
            assertEquals(401, post(proxy, "/api/admin/mode?mode=fallback", null).statusCode());
            assertEquals("primary", status(proxy, "mode"), "a refused operation changed nothing");
            for (String shown : List.of(Backups.get(proxy, "/api/admin/db-health").body(), scrape(proxy),
                    jedis.info("kvfallback"), noKey.body(), wrongKey.body())) {
                assertFalse(shown.contains("upstream-s3cret"), shown);
                assertFalse(shown.contains(KEY), shown);
            }
        }
        try (RedisServer redis = RedisServer.start();
             KvFallback keyless = Proxy.start(redis.url(), "--data-dir", dataDir.resolve("2").toString())) {
            assertEquals(403, post(keyless, "/api/admin/backfill", KEY).statusCode());
        }
    }

    @Test
    void healthCountsCommandsByRouteAndKeepsTheLastVerifyWithoutItsKeyNames() throws Exception {
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString(), "--admin-key", KEY);
             Jedis jedis = new Jedis("127.0.0.1", proxy.port());
             Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            Map<?, ?> before = health(proxy);
            assertNull(before.get("verify"), "no verify run yet");
            assertTrue(((Number) before.get("now")).longValue() >= ((Number) before.get("since")).longValue());
            for (int i = 0; i < 10; i++) {
                jedis.set("counted" + i, "v");
            }
            jedis.ping();
            direct.set("secret-looking-key-only-in-redis", "x");
            Map<?, ?> commands = (Map<?, ?>) health(proxy).get("commands");
            assertEquals(List.of("upstream", "fallback", "local"), List.copyOf(commands.keySet()));
            assertTrue(((Number) commands.get("upstream")).longValue() >= 10, commands.toString());
            assertTrue(((Number) commands.get("local")).longValue() >= 1, commands.toString());

            String answer = Backups.post(proxy, "/api/admin/verify", KEY);
            assertTrue(answer.contains("secret-looking-key-only-in-redis"), "the operator's answer names the key: " + answer);
            String health = Backups.get(proxy, "/api/admin/db-health").body();
            Map<?, ?> verify = (Map<?, ?>) ((Map<?, ?>) JsonText.parse(health)).get("verify");
            assertEquals(false, verify.get("running"));
            assertEquals(1L, ((Number) verify.get("mismatched")).longValue(), verify.toString());
            assertTrue(((Number) verify.get("checked")).longValue() >= 11, verify.toString());
            assertFalse(health.contains("secret-looking-key-only-in-redis"), "the health JSON, open to all, names no key");
            Map<?, ?> replay = (Map<?, ?>) health(proxy).get("replay");
            assertTrue(replay.containsKey("eta_s") && replay.get("eta_s") == null, "no estimate while idle: " + replay);
        }
    }

    private static Map<?, ?> health(KvFallback proxy) throws Exception {
        return (Map<?, ?>) JsonText.parse(Backups.get(proxy, "/api/admin/db-health").body());
    }

    @Test
    void aStopAnswersWhatClientsSentAndLosesNoWriteOnItsWayToMongo() throws Exception {
        int keys = 5000;
        try (RedisServer redis = RedisServer.start()) {
            KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString());
            Jedis blocked = new Jedis("127.0.0.1", proxy.port());
            try (Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.hset("stop:" + i, "f", Integer.toString(i));
                }
                p.sync();
            }
            CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(() -> blocked.blpop(2, "nothing"));
            Thread.sleep(300);
            proxy.close();
            assertNull(waiting.get(), "the blocked client got its reply (a timeout), not a dropped connection");
            blocked.close();
        }
        try (KvFallback fallback = Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback",
                "--data-dir", dataDir.toString());
             Jedis served = new Jedis("127.0.0.1", fallback.port())) {
            assertEquals(keys, served.dbSize(), "every write acknowledged before the stop is in MongoDB");
            assertEquals("4999", served.hget("stop:4999", "f"));
        }
    }

    private static String status(KvFallback proxy, String field) throws Exception {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(Backups.get(proxy, "/api/admin/db-health").body());
        assertTrue(m.find());
        return m.group(1);
    }

    private static String scrape(KvFallback proxy) throws Exception {
        HttpResponse<String> r = Backups.get(proxy, "/metrics");
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** A sample's value in a scrape (0 when absent). */
    private static double value(String scrape, String sample) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    private static HttpResponse<String> post(KvFallback proxy, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            b.header("x-admin-key", key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
