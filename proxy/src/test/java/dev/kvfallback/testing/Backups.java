package dev.kvfallback.testing;

import dev.kvfallback.KvFallback;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What tests of the backup tee share: waiting until the tee has caught up, the admin endpoint's
 * verify and backfill, and a whole-keyspace picture of a Redis endpoint to compare two with.
 */
public final class Backups {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Backups() {
    }

    /** Waits until the tee's backlog, copies and backfill are all done (twice in a row, a barrier between). */
    public static void awaitSettled(KvFallback proxy, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int quiet = 0;
        while (quiet < 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the tee did not settle in " + limit + ": " + proxy.tee().stats());
            }
            proxy.tee().barrier().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Object> s = proxy.tee().stats();
            Map<String, Object> backfill = proxy.tee().copier().backfillStats();
            boolean idle = ((Number) s.get("backlog")).longValue() == 0
                    && ((Number) s.get("copy_pending")).longValue() == 0
                    && ((Number) s.get("copy_in_flight")).longValue() == 0
                    && (backfill == null || !(Boolean) backfill.get("running"));
            quiet = idle ? quiet + 1 : 0;
            Thread.sleep(100);
        }
    }

    /** A POST to the admin endpoint with the key; the JSON body (fails unless 200). */
    public static String post(KvFallback proxy, String path, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                .header("x-admin-key", key).timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** A GET of the admin endpoint: status and body. */
    public static HttpResponse<String> get(KvFallback proxy, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A number field of a flat part of a JSON answer, e.g. {@code "mismatched":0}. */
    public static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no number " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** Sends any command; a Redis error comes back as its message. */
    public static Object call(Jedis jedis, String... args) {
        ProtocolCommand command = () -> SafeEncoder.encode(args[0]);
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        try {
            return jedis.sendCommand(command, rest);
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }

    /**
     * Every key of {@code db} as text (type and value, members sorted where order means nothing)
     * and its remaining TTL in ms (-1 none).
     */
    public static Map<String, String> picture(Jedis jedis, int db, Map<String, Long> ttls) {
        jedis.select(db);
        Map<String, String> keys = new TreeMap<>();
        String cursor = "0";
        do {
            var page = jedis.scan(cursor);
            cursor = page.getCursor();
            for (String key : page.getResult()) {
                String type = jedis.type(key);
                String value = switch (type) {
                    case "string" -> jedis.get(key);
                    case "hash" -> new TreeMap<>(jedis.hgetAll(key)).toString();
                    case "list" -> jedis.lrange(key, 0, -1).toString();
                    case "set" -> new java.util.TreeSet<>(jedis.smembers(key)).toString();
                    case "zset" -> jedis.zrangeWithScores(key, 0, -1).toString();
                    default -> "(" + type + ")";
                };
                keys.put(key, type + " " + value);
                ttls.put(db + ":" + key, jedis.pttl(key));
            }
        } while (!cursor.equals("0"));
        return keys;
    }

    /** The keys whose TTLs differ by more than {@code toleranceMs} (or where one has none). */
    public static List<String> ttlDifferences(Map<String, Long> a, Map<String, Long> b, long toleranceMs) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : a.entrySet()) {
            Long other = b.get(e.getKey());
            if (other == null) {
                continue;
            }
            long x = e.getValue();
            long y = other;
            if ((x < 0) != (y < 0) || Math.abs(x - y) > toleranceMs) {
                out.add(e.getKey() + ": " + x + " vs " + y);
            }
        }
        return out;
    }
}
