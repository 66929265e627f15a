package dev.kvfallback.tee;

import dev.kvfallback.KvFallback;
import dev.kvfallback.mongo.EmbeddedMongo;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.kvfallback.testing.Backups.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MongoDB stops and comes back while clients write through the proxy: no client sees an error
 * (MongoDB is only the backup), and once it is back the keys written meanwhile are re-copied
 * from Redis, so verify finds nothing missing. The backlog is kept small so that it also fills up.
 */
class MongoOutageIT {

    private static final String KEY = "admin-key";

    @TempDir
    Path mongoDir;
    @TempDir
    Path dataDir;

    @Test
    void writesDuringAMongoOutageAreCopiedWhenItIsBack() throws Exception {
        int mongoPort = RedisServer.freePort();
        EmbeddedMongo mongo = EmbeddedMongo.start(mongoDir, mongoPort);
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url(), "--data-dir", dataDir.toString(), "--admin-key", KEY,
                     "--mongodb-uri", "mongodb://127.0.0.1:" + mongoPort, "--tee-backlog", "300")) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                Thread w = new Thread(() -> write(proxy.port(), seed, writing, writes, errors));
                w.start();
                writers.add(w);
            }
            Thread.sleep(1000);
            mongo.close();
            long before = writes.get();
            Thread.sleep(4000);
            long during = writes.get() - before;
            mongo = EmbeddedMongo.start(mongoDir, mongoPort);
            Thread.sleep(1500);
            writing.set(false);
            for (Thread w : writers) {
                w.join();
            }
            Map<String, Object> outage = proxy.tee().stats();
            Backups.awaitSettled(proxy, Duration.ofSeconds(90));

            String verify = Backups.post(proxy, "/api/admin/verify?sample=10", KEY);
            assertEquals(List.of(), errors, "clients saw errors");
            assertTrue(during > 200, "clients kept writing while MongoDB was down: " + during);
            assertEquals(0, Backups.number(verify, "mismatched"), verify);
            assertTrue(Backups.number(verify, "checked") > 100, verify);
            assertEquals(true, proxy.tee().stats().get("mongodb_available"));
            assertTrue(((Number) proxy.tee().stats().get("copies_done")).longValue() > 0, proxy.tee().stats().toString());
            System.out.println("[MongoOutageIT] " + writes.get() + " writes, " + during + " while MongoDB was down; "
                    + "tee after the outage: " + outage + "; settled: " + proxy.tee().stats());
        } finally {
            mongo.close();
        }
    }

    private static void write(int port, int seed, AtomicBoolean writing, AtomicLong writes, List<String> errors) {
        Random random = new Random(seed);
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            while (writing.get()) {
                int k = random.nextInt(200);
                Object reply = switch (random.nextInt(5)) {
                    case 0 -> call(jedis, "SET", "s" + seed + ":" + k, "v" + random.nextInt());
                    case 1 -> call(jedis, "INCR", "n" + k);
                    case 2 -> call(jedis, "HSET", "h" + k, "f" + random.nextInt(5), "v");
                    case 3 -> call(jedis, "RPUSH", "l" + seed + ":" + k, "e");
                    default -> call(jedis, "ZINCRBY", "z" + k, "1", "m" + random.nextInt(4));
                };
                if (reply instanceof String s && s.startsWith("ERR")) {
                    errors.add(s);
                }
                writes.incrementAndGet();
            }
        }
    }
}
