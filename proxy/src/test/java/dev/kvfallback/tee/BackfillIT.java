package dev.kvfallback.tee;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ZAddParams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.kvfallback.testing.Backups.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys that were in Redis before the proxy started (the seed guide's "migration from KV-only"):
 * a key reaches MongoDB whole on its first write through the proxy, and every key on a backfill,
 * with writes going on meanwhile.
 */
class BackfillIT {

    private static final String KEY = "admin-key";

    @TempDir
    Path dataDir;
    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
        try (Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            direct.set("pre:string", "10");
            direct.expire("pre:string", 1000);
            direct.set("pre:counter", "41");
            direct.hset("pre:hash", "a", "1");
            direct.hset("pre:hash", "b", "2");
            direct.rpush("pre:list", "x", "y");
            direct.sadd("pre:set", "p", "q");
            direct.zadd("pre:zset", Double.POSITIVE_INFINITY, "top");
            direct.zadd("pre:zset", -2.5, "low");
            direct.set("pre:untouched", "u");
            direct.rpush("pre:trimmed", "a", "b", "c");
            direct.zadd("pre:xx", 1, "m");
            direct.set("pre:range", "hello");
            direct.select(1);
            direct.hset("pre:db1", "f", "v");
        }
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private KvFallback proxy(String... flags) throws Exception {
        return Proxy.start(redis.url(), concat(new String[]{"--data-dir", dataDir.toString(), "--admin-key", KEY}, flags));
    }

    @Test
    void aKeyOlderThanTheProxyIsCopiedWholeOnItsFirstWrite() throws Exception {
        try (KvFallback proxy = proxy(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            jedis.hset("pre:hash", "c", "3");        // same reply either way: caught as a created key
            jedis.sadd("pre:set", "r");
            jedis.zadd("pre:zset", 1, "mid");
            jedis.rpush("pre:list", "z");             // reply 3, MongoDB would say 1: the self-check
            jedis.incr("pre:counter");                // 42 against 1
            jedis.append("pre:string", "!");          // keeps the TTL Redis had
            // Replies that are the same whether or not the key existed: caught as keys found absent.
            jedis.ltrim("pre:trimmed", 0, 1);
            jedis.zadd("pre:xx", 2, "m", ZAddParams.zAddParams().xx());
            jedis.setrange("pre:range", 10, "x");
            jedis.select(1);
            jedis.hset("pre:db1", "g", "w");
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));

            String verify = Backups.post(proxy, "/api/admin/verify?sample=100", KEY);
            assertEquals(Set.of("pre:untouched"), sampledKeys(verify), verify);
            assertEquals(1, Backups.number(verify, "mismatched"), verify);
            assertEquals(11, Backups.number(verify, "checked"), verify);

            String repair = Backups.post(proxy, "/api/admin/verify?repair=true", KEY);
            assertEquals(1, Backups.number(repair, "mismatched"), repair);
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));
            String after = Backups.post(proxy, "/api/admin/verify", KEY);
            assertEquals(0, Backups.number(after, "mismatched"), "a repairing verify re-copies what differs: " + after);
        }
    }

    @Test
    void backfillCopiesEveryKeyWhileWritesGoOn() throws Exception {
        try (Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            Pipeline p = direct.pipelined();
            for (int i = 0; i < 6000; i++) {
                p.hset("bulk:" + i, "n", Integer.toString(i));
            }
            p.sync();
        }
        try (KvFallback proxy = proxy("--copy-rate", "3000");
             Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (Jedis w = new Jedis("127.0.0.1", proxy.port())) {
                    for (int i = 0; writing.get(); i++) {
                        w.hincrBy("bulk:" + (i * 7 % 6000), "n", 1);
                        call(w, "LPUSH", "during:" + (i % 50), "e" + i);
                        writes.incrementAndGet();
                    }
                }
            });
            writer.start();
            String started = Backups.post(proxy, "/api/admin/backfill", KEY);
            assertTrue(started.contains("\"started\":true"), started);
            String again = Backups.post(proxy, "/api/admin/backfill", KEY);
            assertTrue(again.contains("\"started\":false"), "a second backfill while one runs: " + again);
            Thread.sleep(1500);
            String health = Backups.get(proxy, "/api/admin/db-health").body();
            assertTrue(health.contains("\"backfill\":{\"running\":"), health);
            awaitBackfillDone(proxy);
            writing.set(false);
            writer.join();
            Backups.awaitSettled(proxy, Duration.ofSeconds(60));

            String verify = Backups.post(proxy, "/api/admin/verify?sample=20", KEY);
            long keys = 6000 + 50 + 11;
            assertEquals(0, Backups.number(verify, "mismatched"), verify);
            assertEquals(keys, Backups.number(verify, "checked"), verify);
            assertTrue(writes.get() > 100, "writes went on during the backfill: " + writes.get());
            System.out.println("[BackfillIT] " + keys + " keys verified after a backfill with " + writes.get()
                    + " writes meanwhile; tee: " + proxy.tee().stats());
        }
    }

    @Test
    void backfillAtStartWithTheFlag() throws Exception {
        try (KvFallback proxy = proxy("--backfill", "yes")) {
            awaitBackfillDone(proxy);
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));
            String verify = Backups.post(proxy, "/api/admin/verify", KEY);
            assertEquals(0, Backups.number(verify, "mismatched"), verify);
            assertEquals(11, Backups.number(verify, "checked"), verify);
        }
    }

    private static void awaitBackfillDone(KvFallback proxy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (proxy.tee().copier().backfillStats() == null
                || (Boolean) proxy.tee().copier().backfillStats().get("running")) {
            assertTrue(System.nanoTime() < deadline, "the backfill did not finish: " + proxy.tee().copier().backfillStats());
            Thread.sleep(100);
        }
    }

    private static Set<String> sampledKeys(String json) {
        Set<String> keys = new TreeSet<>();
        Matcher m = Pattern.compile("\"key\":\"([^\"]*)\"").matcher(json);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
