package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import dev.kvfallback.testing.TlsCerts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Transaction;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis's own clients and tools through the proxy: Jedis, Lettuce (RESP2 and RESP3), redis-cli, TLS upstream. */
class ClientsIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.plain();

    @Test
    void jedisCommandsTransactionsAndPubSub() throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", STACK.proxy().port())) {
            assertEquals("OK", jedis.set("jedis:k", "v"));
            assertEquals("v", jedis.get("jedis:k"));
            jedis.hset("jedis:h", Map.of("a", "1", "b", "2"));
            assertEquals(Map.of("a", "1", "b", "2"), jedis.hgetAll("jedis:h"));
            jedis.zadd("jedis:z", 1.5, "m");
            assertEquals(1.5, jedis.zscore("jedis:z", "m"));
            Transaction tx = jedis.multi();
            tx.incr("jedis:n");
            tx.incrBy("jedis:n", 5);
            assertEquals(List.of(1L, 6L), tx.exec());
            jedis.select(3);
            jedis.set("jedis:db3", "x");
            assertEquals("x", jedis.get("jedis:db3"));
            jedis.select(0);
            assertEquals(null, jedis.get("jedis:db3"));
        }
        CountDownLatch got = new CountDownLatch(1);
        StringBuilder message = new StringBuilder();
        Thread subscriber = new Thread(() -> {
            try (Jedis sub = new Jedis("127.0.0.1", STACK.proxy().port())) {
                sub.subscribe(new JedisPubSub() {
                    @Override
                    public void onMessage(String channel, String msg) {
                        message.append(channel).append('=').append(msg);
                        got.countDown();
                        unsubscribe();
                    }
                }, "jedis:chan");
            }
        });
        subscriber.start();
        try (Jedis pub = new Jedis("127.0.0.1", STACK.proxy().port())) {
            long deadline = System.currentTimeMillis() + 5000;
            while (got.getCount() > 0 && System.currentTimeMillis() < deadline) {
                pub.publish("jedis:chan", "hi");
                Thread.sleep(50);
            }
        }
        assertTrue(got.await(5, TimeUnit.SECONDS), "no message through the proxy");
        assertEquals("jedis:chan=hi", message.toString());
        subscriber.join(5000);
    }

    @Test
    void lettuceRespTwoAndThree() {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP2, ProtocolVersion.RESP3)) {
            RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + STACK.proxy().port()));
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                RedisCommands<String, String> sync = conn.sync();
                assertEquals("PONG", sync.ping());
                sync.set("lettuce:" + version, "v");
                assertEquals("v", sync.get("lettuce:" + version));
                sync.hset("lettuce:h", "f", "v");
                assertEquals(Map.of("f", "v"), sync.hgetall("lettuce:h"));
                sync.multi();
                sync.incr("lettuce:n" + version);
                assertEquals(1L, (Long) sync.exec().get(0));
                assertEquals(List.of("lettuce:h"), sync.keys("lettuce:h"));
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void redisCliWorksThroughTheProxy() throws Exception {
        assertEquals("OK", redisCli("SET", "cli:k", "hello world"));
        assertEquals("hello world", redisCli("GET", "cli:k"));
        assertEquals("3", redisCli("RPUSH", "cli:l", "a", "b", "c"));
        assertEquals("a\nb\nc", redisCli("LRANGE", "cli:l", "0", "-1"));
        assertEquals("ERR unknown command 'NOPE', with args beginning with:", redisCli("NOPE"));
        assertTrue(redisCli("INFO", "kvfallback").contains("kvfallback_mode:primary"));
    }

    private static String redisCli(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(STACK.proxy().port())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "redis-cli hung");
        return out;
    }

    @Test
    void theUrlsDatabaseIsTheClientsDefault() throws Exception {
        try (KvFallback onDb2 = Proxy.start(STACK.redis().url() + "/2");
             Jedis viaProxy = new Jedis("127.0.0.1", onDb2.port());
             Jedis direct = new Jedis("127.0.0.1", STACK.redis().port())) {
            viaProxy.set("db:k", "in-two");
            direct.select(2);
            assertEquals("in-two", direct.get("db:k"));
            direct.select(0);
            assertEquals(null, direct.get("db:k"));
        }
    }

    @Test
    void tlsUpstreamWithHostedStyleUrl() throws Exception {
        TlsCerts certs = TlsCerts.generate();
        try (RedisServer tls = RedisServer.start(certs, "--requirepass", "TOKEN");
             KvFallback viaTls = Proxy.start("rediss://default:TOKEN@127.0.0.1:" + tls.port(),
                     "--redis-ca-cert", certs.caCert().toString());
             Jedis jedis = new Jedis("127.0.0.1", viaTls.port())) {
            assertEquals("OK", jedis.set("tls:k", "secure"));
            assertEquals("secure", jedis.get("tls:k"));
            assertEquals(List.of("secure"), jedis.mget("tls:k"));
            Transaction tx = jedis.multi();
            tx.get("tls:k");
            assertEquals(List.of("secure"), tx.exec());
        }
    }
}
