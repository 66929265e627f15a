package dev.kvfallback.failover;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.FaultProxy;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients write every type through the proxy, recording each write the proxy acknowledged, while
 * faults cycle: a rate limit, a frozen Redis, a stalled network, a killed and restarted Redis.
 * Afterwards, back on Redis, every acknowledged write is there, read through the proxy and read
 * from Redis directly, and no client ever saw an error.
 */
class ChaosIT {

    private static final int CLIENTS = 4;
    private static final String[] TYPES = {"string", "counter", "list", "set", "hash", "zset"};

    /** What one client had acknowledged, per type: the values it wrote. */
    private static final class Acked {
        final Map<String, List<Integer>> byType = new HashMap<>();
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        synchronized void add(String type, int n) {
            byType.computeIfAbsent(type, t -> new ArrayList<>()).add(n);
        }

        synchronized List<Integer> of(String type) {
            return new ArrayList<>(byType.getOrDefault(type, List.of()));
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesCyclingFaultsAndNoClientSeesAnError() throws Exception {
        RedisServer redis = RedisServer.startPersistent();
        try (FaultProxy fault = FaultProxy.start(redis.port());
             KvFallback proxy = Proxy.start(fault.url(), "--command-timeout", "500ms", "--probe-interval", "200ms",
                     "--probe-backoff-max", "400ms", "--probe-successes", "2", "--admin-key", "k")) {
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Acked> acked = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Acked a = new Acked();
                acked.add(a);
                int client = c;
                Thread t = new Thread(() -> write(proxy.port(), client, a, writing), "chaos-writer-" + c);
                t.start();
                writers.add(t);
            }
            List<String> faults = List.of("rate-limit", "freeze", "stall", "kill", "rate-limit", "freeze");
            for (String f : faults) {
                Thread.sleep(1200);
                redis = inject(f, fault, redis);
            }
            Thread.sleep(1200);
            writing.set(false);
            for (Thread t : writers) {
                t.join(60_000);
            }
            FailoverIT.awaitMode(proxy, "primary", Duration.ofSeconds(60));
            Backups.awaitSettled(proxy, Duration.ofSeconds(30));

            System.out.println("[ChaosIT] before checks: tee " + proxy.tee().stats());
            int total = 0;
            List<String> errors = new ArrayList<>();
            try (Jedis direct = new Jedis("127.0.0.1", redis.port(), 20_000);
                 Jedis through = new Jedis("127.0.0.1", proxy.port(), 20_000)) {
                for (int c = 0; c < CLIENTS; c++) {
                    errors.addAll(acked.get(c).errors);
                    check(direct, "Redis directly", c, acked.get(c));
                    total += check(through, "through the proxy", c, acked.get(c));
                }
            }
            long changes = proxy.failover().changesTo(Failover.Mode.FALLBACK);
            System.out.println("[ChaosIT] " + CLIENTS + " clients, " + total + " acknowledged writes of "
                    + TYPES.length + " types, faults " + faults + ", " + changes + " switches to MongoDB, "
                    + proxy.failover().changesTo(Failover.Mode.PRIMARY) + " returns to Redis, "
                    + fault.rateLimited() + " rate-limit replies, client errors: " + errors.size()
                    + "; tee " + proxy.tee().stats() + "; write-back " + Backups.get(proxy, "/api/admin/db-health").body());
            assertEquals(List.of(), errors, "no client saw an error");
            assertTrue(changes >= 4, "the faults switched to MongoDB: " + changes);
            assertTrue(total > 500, "clients kept writing: " + total);
        } finally {
            redis.close();
        }
    }

    private static RedisServer inject(String fault, FaultProxy proxy, RedisServer redis) throws Exception {
        switch (fault) {
            case "rate-limit" -> {
                proxy.mode(FaultProxy.Mode.RATE_LIMIT);
                Thread.sleep(1200);
                proxy.mode(FaultProxy.Mode.PASS);
            }
            case "stall" -> {
                proxy.mode(FaultProxy.Mode.STALL);
                Thread.sleep(1200);
                proxy.mode(FaultProxy.Mode.PASS);
            }
            case "freeze" -> {
                redis.pause();
                Thread.sleep(1200);
                redis.resume();
            }
            case "kill" -> {
                redis.kill();
                Thread.sleep(1200);
                return redis.restart();
            }
            default -> throw new IllegalArgumentException(fault);
        }
        return redis;
    }

    /** Round-robin over the types; every acknowledged write is recorded, every exception is an error. */
    private static void write(int port, int client, Acked acked, AtomicBoolean writing) {
        String p = "c" + client + ":";
        int n = 0;
        try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
            while (writing.get()) {
                n++;
                String type = TYPES[n % TYPES.length];
                String v = Integer.toString(n);
                try {
                    switch (type) {
                        case "string" -> jedis.set(p + "s:" + v, v);
                        case "counter" -> jedis.incr(p + "counter");
                        case "list" -> jedis.rpush(p + "list", v);
                        case "set" -> jedis.sadd(p + "set", v);
                        case "hash" -> jedis.hset(p + "hash", "f" + v, v);
                        default -> jedis.zadd(p + "zset", n, "m" + v);
                    }
                    acked.add(type, n);
                } catch (RuntimeException e) {
                    acked.errors.add(type + " " + v + ": " + e);
                }
            }
        } catch (RuntimeException e) {
            acked.errors.add("connection: " + e);
        }
    }

    /** Asserts every acknowledged write of one client is readable; returns how many writes that was. */
    private static int check(Jedis reader, String how, int client, Acked acked) {
        String p = "c" + client + ":";
        String who = how + ", client " + client;
        int total = 0;
        for (int n : acked.of("string")) {
            assertEquals(Integer.toString(n), reader.get(p + "s:" + n), who + " string " + n);
        }
        long counter = Long.parseLong(reader.get(p + "counter") == null ? "0" : reader.get(p + "counter"));
        assertTrue(counter >= acked.of("counter").size(), who + " counter " + counter + " < " + acked.of("counter").size());
        List<String> list = reader.lrange(p + "list", 0, -1);
        for (int n : acked.of("list")) {
            assertTrue(list.contains(Integer.toString(n)), who + " list lacks " + n);
        }
        Set<String> set = reader.smembers(p + "set");
        List<Integer> lacking = new ArrayList<>();
        for (int n : acked.of("set")) {
            if (!set.contains(Integer.toString(n))) {
                lacking.add(n);
            }
        }
        assertEquals(List.of(), lacking, who + " set lacks members; acked " + acked.of("set"));
        Map<String, String> hash = reader.hgetAll(p + "hash");
        for (int n : acked.of("hash")) {
            assertEquals(Integer.toString(n), hash.get("f" + n), who + " hash field " + n);
        }
        for (int n : acked.of("zset")) {
            assertEquals((double) n, reader.zscore(p + "zset", "m" + n), who + " zset member " + n);
        }
        for (String type : TYPES) {
            total += acked.of(type).size();
        }
        return total;
    }
}
