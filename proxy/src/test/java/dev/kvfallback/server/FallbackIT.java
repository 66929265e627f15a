package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy in {@code --mode fallback} with real clients: data written through it survives a
 * restart of the proxy on the same data directory, pipelines keep their order, transactions run.
 * Redis is never reachable in these tests (the URL points at a port nothing listens on).
 */
class FallbackIT {

    @TempDir
    Path dataDir;

    private KvFallback start() throws Exception {
        return Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback",
                "--data-dir", dataDir.toString());
    }

    @Test
    void everyTypeSurvivesARestartOfTheProxyOnTheSameDataDir() throws Exception {
        byte[] binaryKey = {0, (byte) 0xff, 'k', (byte) 0xc3};
        byte[] binaryValue = {(byte) 0x80, 0, '\r', '\n', (byte) 0xfe};
        try (KvFallback proxy = start(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            jedis.set("s", "text");
            jedis.set(binaryKey, binaryValue);
            jedis.set("ttl", "v", SetParams.setParams().ex(1000));
            jedis.set("gone", "v", SetParams.setParams().px(50));
            jedis.hset("h", Map.of("f", "1"));
            jedis.rpush("l", "a", "b", "c");
            jedis.sadd("set", "3", "1", "2");
            jedis.zadd("z", 2.5, "m");
            jedis.select(3);
            jedis.set("db3", "three");
        }
        Thread.sleep(100);
        try (KvFallback proxy = start(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            assertEquals("text", jedis.get("s"));
            assertArrayEquals(binaryValue, jedis.get(binaryKey));
            long ttl = jedis.ttl("ttl");
            assertTrue(ttl > 990 && ttl <= 1000, "ttl " + ttl);
            assertNull(jedis.get("gone"));
            assertEquals(Map.of("f", "1"), jedis.hgetAll("h"));
            assertEquals(List.of("a", "b", "c"), jedis.lrange("l", 0, -1));
            assertEquals(Set.of("1", "2", "3"), jedis.smembers("set"));
            assertEquals(2.5, jedis.zscore("z", "m"));
            assertEquals(7, jedis.dbSize());
            jedis.select(3);
            assertEquals("three", jedis.get("db3"));
        }
    }

    @Test
    void aPipelineOfWritesAndReadsKeepsItsOrder() throws Exception {
        try (KvFallback proxy = start(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            Pipeline p = jedis.pipelined();
            List<Response<Long>> counts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                p.incr("counter");
                p.rpush("list", Integer.toString(i));
                counts.add(p.llen("list"));
            }
            Response<Long> size = p.dbSize();
            p.sync();
            for (int i = 0; i < 300; i++) {
                assertEquals(i + 1, counts.get(i).get());
            }
            assertEquals(2, size.get());
            assertEquals("300", jedis.get("counter"));
        }
    }

    @Test
    void transactionsRunTheirCommandsInOrder() throws Exception {
        try (KvFallback proxy = start(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            Transaction t = jedis.multi();
            t.set("a", "1");
            t.incrBy("a", 41);
            t.get("a");
            t.lpush("a", "x");
            List<Object> results = t.exec();
            assertEquals("OK", results.get(0));
            assertEquals(42L, results.get(1));
            assertEquals("42", results.get(2));
            assertTrue(results.get(3) instanceof Exception, String.valueOf(results.get(3)));
        }
    }

    @Test
    void anUnreachableMongoDbIsAnErrorReplyWithinTheTimeoutNotAHang() throws Exception {
        String deadMongo = "mongodb://127.0.0.1:" + RedisServer.freePort() + "/?serverSelectionTimeoutMS=1000";
        try (KvFallback proxy = Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback",
                "--mongodb-uri", deadMongo, "--data-dir", dataDir.toString());
             RawClient client = new RawClient(proxy.port())) {
            long start = System.nanoTime();
            String reply = new String(client.call("SET", "k", "v"), StandardCharsets.UTF_8);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(reply.startsWith("-ERR kvfallback: MongoDB unavailable ("), reply);
            assertTrue(millis < 5000, millis + " ms");
            assertEquals("+PONG\r\n", new String(client.call("PING"), StandardCharsets.UTF_8));
        }
    }

    @Test
    void lettuceSpeaksResp3ToTheFallback() throws Exception {
        try (KvFallback proxy = start()) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                redis.hset("h", Map.of("a", "1", "b", "2"));
                assertEquals(Map.of("a", "1", "b", "2"), redis.hgetall("h"));
                redis.zadd("z", 1.5, "m");
                assertEquals(1.5, redis.zscore("z", "m"));
                assertEquals(1L, redis.exists("h"));
            } finally {
                client.shutdown();
            }
        }
    }
}
