/*
 * The failover benchmark behind `scripts/bench --failover`: the proxy runs in this JVM in front of
 * a redis-server the script started (--redis-port), with the embedded store in --data-dir.
 *
 * Switches: C clients SET keys through the proxy without pause; each trip makes Redis refuse
 * writes for real (CONFIG SET maxmemory 1 with noeviction: every write gets OOM, a fallback-class
 * reply for writes), waits until the proxy serves from MongoDB, holds it there briefly, lifts the
 * limit and waits until the proxy is back on Redis. The proxy's kvfallback_failover_rerun timer
 * measures, for each command Redis refused, the time from that reply to MongoDB's reply (the
 * switch included): its p50/p99 over every trip are printed, with the client errors seen (aim 0).
 *
 * Write-back: the proxy is switched to MongoDB by the admin endpoint, K new keys are written
 * through it (MSET, 100 keys each, pipelined), then mode=auto: the time until the proxy is back on
 * Redis gives the write-back rate in keys/s (aim >= 20000), and Redis must hold K more keys.
 *
 * Prints a Markdown table on stdout; exit 1 if a check failed.
 */
package dev.kvfallback.bench;

import dev.kvfallback.KvFallback;
import dev.kvfallback.config.ConfigLoader;
import dev.kvfallback.failover.Failover;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** See the file's opening comment. */
public final class FailoverBench {

    private static final String KEY = "bench-admin-key";

    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int redisPort = Integer.parseInt(o.get("--redis-port"));
        int trips = Integer.parseInt(o.getOrDefault("--trips", "20"));
        int clients = Integer.parseInt(o.getOrDefault("--clients", "8"));
        int replayKeys = Integer.parseInt(o.getOrDefault("--replay-keys", "100000"));
        KvFallback proxy = KvFallback.start(ConfigLoader.load(List.of("--listen", "127.0.0.1:0",
                "--redis-url", "redis://127.0.0.1:" + redisPort, "--admin-listen", "127.0.0.1:0",
                "--admin-key", KEY, "--data-dir", o.get("--data-dir"), "--probe-interval", "100ms",
                "--probe-backoff-max", "200ms", "--probe-successes", "2"), Map.of()));
        boolean ok = true;
        RedisClient lettuce = RedisClient.create();
        try (StatefulRedisConnection<String, String> direct = lettuce.connect(
                io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + redisPort))) {
            RedisCommands<String, String> redis = direct.sync();
            redis.configSet("maxmemory-policy", "noeviction");
            long[] switched = switches(proxy, redis, trips, clients);
            // Now: the timer's percentiles cover a sliding window of a few minutes.
            ValueAtPercentile[] p = proxy.metrics().reruns().takeSnapshot().percentileValues();
            double[] replay = replay(proxy, redis, replayKeys);
            System.out.println("## kvfallback bench: failover and write-back");
            System.out.println();
            System.out.printf("- %d trips (Redis refusing writes with OOM), %d clients writing; %d commands run again on "
                    + "MongoDB%n", switched[0], clients, switched[2]);
            System.out.printf("- write-back of %d keys written while serving from MongoDB%n%n", replayKeys);
            System.out.println("| measure | value |");
            System.out.println("|---|---:|");
            System.out.printf("| failing reply to MongoDB's reply, p50 | %.2f ms |%n", p[0].value(TimeUnit.MILLISECONDS));
            System.out.printf("| failing reply to MongoDB's reply, p99 | %.2f ms |%n", p[1].value(TimeUnit.MILLISECONDS));
            System.out.printf("| client errors during the switches | %d |%n", switched[1]);
            System.out.printf("| acknowledged writes during the switches | %d |%n", switched[3]);
            System.out.printf("| write-back rate | %.0f keys/s (%.2f s) |%n", replayKeys / replay[0], replay[0]);
            System.out.printf("| keys added to Redis by the write-back | %.0f |%n", replay[1]);
            ok = switched[1] == 0 && replay[1] >= replayKeys;
        } finally {
            proxy.close();
            lettuce.shutdown();
        }
        System.exit(ok ? 0 : 1);
    }

    /** Returns trips, client errors, re-runs, acknowledged writes. */
    private static long[] switches(KvFallback proxy, RedisCommands<String, String> redis, int trips, int clients)
            throws Exception {
        RedisClient lettuce = RedisClient.create();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong errors = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try (StatefulRedisConnection<String, String> conn = lettuce.connect(
                        io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + proxy.port()))) {
                    RedisCommands<String, String> client = conn.sync();
                    for (long i = 0; writing.get(); i++) {
                        try {
                            client.set("bench:" + id + ":" + (i % 1000), Long.toString(i));
                            acked.incrementAndGet();
                        } catch (RuntimeException e) {
                            if (errors.incrementAndGet() <= 5) {
                                System.err.println("bench-failover: client error: " + e);
                            }
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        Failover failover = proxy.failover();
        for (int trip = 0; trip < trips; trip++) {
            Thread.sleep(300);
            redis.configSet("maxmemory", "1");
            await(() -> failover.mode() != Failover.Mode.PRIMARY, "the switch to MongoDB");
            Thread.sleep(300);
            redis.configSet("maxmemory", "0");
            await(() -> failover.mode() == Failover.Mode.PRIMARY && failover.isReady(), "the return to Redis");
        }
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        lettuce.shutdown();
        return new long[]{trips, errors.get(), proxy.metrics().reruns().count(), acked.get()};
    }

    /** Returns the write-back's seconds and how many more keys Redis holds after it. */
    private static double[] replay(KvFallback proxy, RedisCommands<String, String> redis, int keys) throws Exception {
        // No FLUSHALL: an empty Redis would be rehydrated with every key, not just written back.
        long before = redis.dbsize();
        admin(proxy, "/api/admin/mode?mode=fallback");
        await(() -> proxy.failover().mode() == Failover.Mode.FALLBACK && proxy.failover().isReady(), "fallback");
        RedisClient lettuce = RedisClient.create();
        try (StatefulRedisConnection<String, String> c = lettuce.connect(
                io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + proxy.port()))) {
            List<RedisFuture<String>> sent = new ArrayList<>();
            for (int i = 0; i < keys; i += 100) {
                Map<String, String> kv = new java.util.LinkedHashMap<>();
                for (int j = i; j < Math.min(keys, i + 100); j++) {
                    kv.put("replay:" + j, "v" + j);
                }
                sent.add(c.async().mset(kv));
                if (sent.size() == 100) {
                    for (RedisFuture<String> f : sent) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                    sent.clear();
                }
            }
            for (RedisFuture<String> f : sent) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            lettuce.shutdown();
        }
        long start = System.nanoTime();
        admin(proxy, "/api/admin/mode?mode=auto");
        await(() -> proxy.failover().mode() == Failover.Mode.PRIMARY && proxy.failover().isReady(), "the write-back");
        double seconds = (System.nanoTime() - start) / 1e9;
        return new double[]{seconds, redis.dbsize() - before};
    }

    private static void admin(KvFallback proxy, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        if (!o.containsKey("--redis-port") || !o.containsKey("--data-dir")) {
            System.err.println("usage: FailoverBench --redis-port P --data-dir DIR [--trips N] [--clients C] "
                    + "[--replay-keys K]");
            System.exit(2);
        }
        return o;
    }
}
