package dev.kvfallback.tee;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.kvfallback.testing.Backups.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup tee with a real redis-server and the embedded store: writes of every type through
 * the proxy, from several clients at once on shared keys, end up in MongoDB exactly as Redis
 * holds them. Checked twice: by the admin verify, and by reading every key back through the proxy
 * in fallback mode on the same data directory, next to Redis read directly.
 */
class TeeIT {

    private static final String KEY = "admin-key";
    private static final int DBS = 3;

    @TempDir
    Path dataDir;
    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private KvFallback proxy(String... flags) throws Exception {
        List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--admin-key", KEY));
        all.addAll(List.of(flags));
        return Proxy.start(redis.url(), all.toArray(String[]::new));
    }

    @Test
    void mixedWritesOfEveryTypeFromManyClientsAreCopiedExactly() throws Exception {
        try (KvFallback proxy = proxy()) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                work.add(pool.submit(() -> writeMixed(proxy.port(), seed, 1500)));
            }
            work.add(pool.submit(() -> writeResp3(proxy.port(), 400)));
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            try (Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
                jedis.select(2);
                jedis.set("doomed", "x");
                jedis.hset("doomed-h", "f", "v");
                jedis.flushDB();
                jedis.set("after-flush", "kept");
            }
            Backups.awaitSettled(proxy, Duration.ofSeconds(60));
            String verify = Backups.post(proxy, "/api/admin/verify?sample=10", KEY);
            long keys = keysInRedis();
            assertEquals(0, Backups.number(verify, "mismatched"), verify);
            assertEquals(keys, Backups.number(verify, "checked"), verify);
            assertTrue(keys > 100, "the workload should leave many keys, left " + keys);
            System.out.println("[TeeIT] " + keys + " keys verified; tee: " + proxy.tee().stats());
        }
        assertFallbackServesWhatRedisHolds();
    }

    @Test
    void aTransactionIsCopiedAfterExecAndADiscardedOneIsNot() throws Exception {
        try (KvFallback proxy = proxy(); Jedis jedis = new Jedis("127.0.0.1", proxy.port())) {
            Transaction discarded = jedis.multi();
            discarded.set("t:discarded", "x");
            discarded.discard();
            Transaction tx = jedis.multi();
            tx.set("t:s", "v");
            tx.incr("t:n");
            tx.get("t:s");
            tx.hset("t:h", "f", "v");
            tx.exec();
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));
            assertEquals(3L, proxy.tee().stats().get("effects_applied"), "the block's three writes, not the discarded one");
            String verify = Backups.post(proxy, "/api/admin/verify", KEY);
            assertEquals(0, Backups.number(verify, "mismatched"), verify);
            assertEquals(3, Backups.number(verify, "checked"), verify);
        }
    }

    /** Reads every key of Redis and of the proxy in fallback mode (same data dir) and compares. */
    private void assertFallbackServesWhatRedisHolds() throws Exception {
        try (KvFallback fallback = Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback",
                "--data-dir", dataDir.toString());
             Jedis direct = new Jedis("127.0.0.1", redis.port());
             Jedis served = new Jedis("127.0.0.1", fallback.port())) {
            for (int db = 0; db < DBS; db++) {
                Map<String, Long> directTtls = new HashMap<>();
                Map<String, Long> servedTtls = new HashMap<>();
                Map<String, String> expected = Backups.picture(direct, db, directTtls);
                Map<String, String> actual = Backups.picture(served, db, servedTtls);
                assertEquals(expected, actual, "db " + db);
                assertEquals(List.of(), Backups.ttlDifferences(directTtls, servedTtls, 3000), "TTLs in db " + db);
            }
        }
    }

    private long keysInRedis() {
        long n = 0;
        try (Jedis direct = new Jedis("127.0.0.1", redis.port())) {
            for (int db = 0; db < DBS; db++) {
                direct.select(db);
                n += direct.dbSize();
            }
        }
        return n;
    }

    /** Random writes of every type on a pool of keys shared with the other clients. */
    private static void writeMixed(int port, int seed, int operations) {
        Random random = new Random(seed);
        try (Jedis jedis = new Jedis("127.0.0.1", port); Jedis db1 = new Jedis("127.0.0.1", port)) {
            db1.select(1);
            for (int i = 0; i < operations; i++) {
                int k = random.nextInt(30);
                String m = "m" + random.nextInt(8);
                Jedis target = random.nextInt(5) == 0 ? db1 : jedis;
                switch (random.nextInt(40)) {
                    case 0 -> call(target, "SET", "s" + k, "v" + i);
                    case 1 -> call(target, "SET", "s" + k, "v" + i, "EX", "1000");
                    case 2 -> call(target, "APPEND", "s" + k, "+" + i);
                    case 3 -> call(target, "INCR", "n" + k);
                    case 4 -> call(target, "INCRBYFLOAT", "f" + k, "1.1");
                    case 5 -> call(target, "SETRANGE", "s" + k, "2", "ab");
                    case 6 -> call(target, "GETDEL", "s" + k);
                    case 7 -> call(target, "MSET", "s" + k, "a", "s" + (k + 1), "b");
                    case 8 -> call(target, "HSET", "h" + k, m, "v" + i, "g", "x");
                    case 9 -> call(target, "HINCRBY", "h" + k, "count", "3");
                    case 10 -> call(target, "HINCRBYFLOAT", "h" + k, "fl", "0.25");
                    case 11 -> call(target, "HDEL", "h" + k, m);
                    case 12 -> call(target, "LPUSH", "l" + k, "a" + i, "b" + i);
                    case 13 -> call(target, "RPUSH", "l" + k, "c" + i);
                    case 14 -> call(target, "LPOP", "l" + k);
                    case 15 -> call(target, "RPOP", "l" + k, "2");
                    case 16 -> call(target, "LMOVE", "l" + k, "l" + (k + 1), "LEFT", "RIGHT");
                    case 17 -> call(target, "LTRIM", "l" + k, "0", "5");
                    case 18 -> call(target, "LINSERT", "l" + k, "BEFORE", "c1", "ins");
                    case 19 -> call(target, "SADD", "set" + k, m, "m" + (i % 11));
                    case 20 -> call(target, "SREM", "set" + k, m);
                    case 21 -> call(target, "SPOP", "set" + k);
                    case 22 -> call(target, "SPOP", "set" + k, "2");
                    case 23 -> call(target, "SMOVE", "set" + k, "set" + (k + 1), m);
                    case 24 -> call(target, "SINTERSTORE", "sdst" + k, "set" + k, "set" + (k + 1));
                    case 25 -> call(target, "ZADD", "z" + k, Integer.toString(random.nextInt(100)), m);
                    case 26 -> call(target, "ZINCRBY", "z" + k, "1.5", m);
                    case 27 -> call(target, "ZPOPMIN", "z" + k);
                    case 28 -> call(target, "ZREMRANGEBYSCORE", "z" + k, "0", "10");
                    case 29 -> call(target, "ZUNIONSTORE", "zdst" + k, "2", "z" + k, "z" + (k + 1));
                    case 30 -> call(target, "EXPIRE", "h" + k, "500");
                    case 31 -> call(target, "PEXPIRE", "s" + k, "800000");
                    case 32 -> call(target, "PERSIST", "h" + k);
                    case 33 -> call(target, "RENAME", "s" + k, "renamed" + k);
                    case 34 -> call(target, "DEL", "s" + k, "l" + k);
                    case 35 -> call(target, "COPY", "h" + k, "hcopy" + k, "REPLACE");
                    case 36 -> {
                        Transaction tx = jedis.multi();
                        tx.incr("n" + k);
                        tx.hset("h" + k, "tx", "t" + i);
                        tx.lpush("l" + k, "tx" + i);
                        tx.exec();
                    }
                    case 37 -> call(target, "BLPOP", "l" + k, "0.01");
                    case 38 -> call(target, "EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return 1", "1", "script" + k,
                            "v" + i);
                    default -> call(target, "SET", "gone" + k, "v", "PX", "30");
                }
            }
        }
    }

    /** A RESP3 client (Lettuce speaks RESP3 by default): replies with doubles and maps. */
    private static void writeResp3(int port, int operations) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> c = connection.sync();
            for (int i = 0; i < operations; i++) {
                int k = i % 30;
                c.zincrby("z" + k, 0.5, "r3");
                c.hincrbyfloat("h" + k, "r3", 0.125);
                c.incrbyfloat("f" + k, 2.5);
                c.zpopmax("z" + k);
                c.spop("set" + k);
            }
        } finally {
            client.shutdown();
        }
    }
}
