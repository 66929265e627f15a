package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the conformance table cannot show for the key commands: KEYS and SCAN over several keys
 * (Redis lists them in hash order), SCAN's paging guarantees, RANDOMKEY, expiry as time passes,
 * and COPY into another db. Keys are seeded straight into the keyspace so these tests need no
 * other command family.
 */
class KeyCommandsTest {

    private final InMemoryKeyspace keyspace = new InMemoryKeyspace();
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final Engine engine = new Engine(keyspace, CommandTable.load(), clock::get, new Random(1), 16, true);

    @Test
    void keysListsEveryMatchingKey() throws Exception {
        for (String key : List.of("alpha", "beta", "gamma", "delta", "b")) {
            put(0, key, new StringValue(bytes("v")), 0);
        }
        put(1, "other", new StringValue(bytes("v")), 0);
        assertEquals(new TreeSet<>(List.of("alpha", "b", "beta", "delta", "gamma")), sorted(run(0, "KEYS", "*")));
        assertEquals(new TreeSet<>(List.of("b", "beta")), sorted(run(0, "KEYS", "b*")));
        assertEquals(new TreeSet<>(List.of("alpha", "beta", "delta", "gamma")), sorted(run(0, "KEYS", "*a")));
        assertEquals(Set.of("other"), sorted(run(1, "KEYS", "*")));
    }

    @Test
    void keysPagesThroughALargeKeyspace() throws Exception {
        Set<String> all = seed(0, 2500);
        assertEquals(all, sorted(run(0, "KEYS", "*")));
        assertEquals(10, sorted(run(0, "KEYS", "key:1?")).size());
    }

    @Test
    void scanVisitsEveryKeyOnceAndEndsAtCursorZero() throws Exception {
        Set<String> all = seed(0, 1000);
        for (int count : new int[] {1, 7, 10, 999, 1000, 5000}) {
            List<String> seen = new ArrayList<>();
            String cursor = "0";
            int calls = 0;
            do {
                RespValue.Array reply = (RespValue.Array) run(0, "SCAN", cursor, "COUNT", Integer.toString(count));
                cursor = text(reply.items().get(0));
                seen.addAll(texts(reply.items().get(1)));
                calls++;
            } while (!cursor.equals("0") && calls < 2000);
            assertEquals("0", cursor);
            assertEquals(all.size(), seen.size(), "no key twice, COUNT " + count);
            assertEquals(all, new HashSet<>(seen), "every key, COUNT " + count);
        }
    }

    @Test
    void scanFiltersByPatternAndType() throws Exception {
        seed(0, 300);
        HashValue hash = new HashValue();
        hash.fields().put(Bytes.of("f"), bytes("v"));
        put(0, "key:h1", hash, 0);
        put(0, "key:h2", hash.copy(), 0);
        assertEquals(Set.of("key:h1", "key:h2"), scanAll(0, "TYPE", "HASH", "COUNT", "13"));
        assertEquals(Set.of("key:h1"), scanAll(0, "MATCH", "*1", "TYPE", "hash"));
        assertEquals(Set.of("key:10", "key:11", "key:12"), scanAll(0, "MATCH", "key:1[0-2]", "TYPE", "string"));
        assertEquals(Set.of("key:h1", "key:h2"), scanAll(0, "MATCH", "nothing", "MATCH", "key:h?"), "the last MATCH wins");
        assertEquals(Set.of(), scanAll(0, "TYPE", "zset"));
    }

    @Test
    void scanWithAnUnknownCursorStartsOver() throws Exception {
        seed(0, 30);
        RespValue.Array reply = (RespValue.Array) run(0, "SCAN", "123456789");
        assertEquals(10, texts(reply.items().get(1)).size());
        assertNotEquals("0", text(reply.items().get(0)));
        RespValue.Array fresh = (RespValue.Array) run(0, "SCAN", "0");
        assertEquals(texts(fresh.items().get(1)), texts(reply.items().get(1)));
        // A cursor from db 0 used in db 1 starts db 1 over rather than skipping its keys.
        put(1, "a", new StringValue(bytes("v")), 0);
        RespValue.Array other = (RespValue.Array) run(1, "SCAN", text(fresh.items().get(0)));
        assertEquals(List.of("a"), texts(other.items().get(1)));
    }

    @Test
    void cursorTableForgetsTheLeastRecentlyUsed() {
        KeyCommands.ScanCursors cursors = new KeyCommands.ScanCursors(2);
        Random random = new Random(7);
        long a = cursors.save(0, bytes("a"), random);
        long b = cursors.save(0, bytes("b"), random);
        assertEquals("a", new String(cursors.resume(a, 0), StandardCharsets.UTF_8));
        long c = cursors.save(0, bytes("c"), random);
        assertNull(cursors.resume(b, 0));
        assertEquals("a", new String(cursors.resume(a, 0), StandardCharsets.UTF_8));
        assertEquals("c", new String(cursors.resume(c, 0), StandardCharsets.UTF_8));
        assertNull(cursors.resume(c, 1));
    }

    @Test
    void cursorsParseAsStrtoul() {
        assertEquals(0, Scans.parseCursor(bytes("")));
        assertEquals(-1L, Scans.parseCursor(bytes("18446744073709551615")));
        assertEquals(-1L, Scans.parseCursor(bytes("-1")));
        assertEquals(1L, Scans.parseCursor(bytes("-18446744073709551615")));
        assertEquals(42L, Scans.parseCursor(bytes("+042")));
        assertEquals(5L, Scans.parseCursor(new byte[] {'5', 0, 'x'}));
        for (String bad : List.of("18446744073709551616", " 1", "1 ", "x", "+", "-", "0x1", "1e3", "\t1")) {
            assertThrows(CommandError.class, () -> Scans.parseCursor(bytes(bad)), bad);
        }
    }

    @Test
    void randomKeyReturnsEachKeySometimes() throws Exception {
        Set<String> all = seed(0, 5);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            seen.merge(text(run(0, "RANDOMKEY")), 1, Integer::sum);
        }
        assertEquals(all, seen.keySet());
        seed(0, 2500);
        for (int i = 0; i < 20; i++) {
            assertTrue(text(run(0, "RANDOMKEY")).startsWith("key:"));
        }
        assertEquals("_\r\n", resp3(run(2, "RANDOMKEY")));
    }

    @Test
    void expiredKeysAreGoneForEveryCommand() throws Exception {
        put(0, "k", new StringValue(bytes("v")), clock.get() + 100);
        put(0, "live", new StringValue(bytes("v")), 0);
        assertEquals(":1\r\n", resp2(run(0, "EXISTS", "k")));
        clock.addAndGet(100);
        assertEquals(":0\r\n", resp2(run(0, "EXISTS", "k")));
        assertEquals(":-2\r\n", resp2(run(0, "TTL", "k")));
        assertEquals("+none\r\n", resp2(run(0, "TYPE", "k")));
        assertEquals(":0\r\n", resp2(run(0, "DEL", "k")));
        assertEquals(":0\r\n", resp2(run(0, "EXPIRE", "k", "100")));
        assertEquals("-ERR no such key\r\n", resp2(run(0, "RENAME", "k", "x")));
        assertEquals(":0\r\n", resp2(run(0, "COPY", "k", "x")));
        assertEquals(":1\r\n", resp2(run(0, "DBSIZE")));
        assertEquals(Set.of("live"), sorted(run(0, "KEYS", "*")));
        assertEquals(Set.of("live"), scanAll(0));
        assertEquals("live", text(run(0, "RANDOMKEY")));
        assertEquals(":1\r\n", resp2(run(0, "RENAMENX", "live", "k")));
    }

    @Test
    void ttlRoundsToTheNearestSecond() throws Exception {
        put(0, "k", new StringValue(bytes("v")), 0);
        run(0, "PEXPIRE", "k", "1499");
        assertEquals(":1\r\n", resp2(run(0, "TTL", "k")));
        assertEquals(":1499\r\n", resp2(run(0, "PTTL", "k")));
        run(0, "PEXPIRE", "k", "1500");
        assertEquals(":2\r\n", resp2(run(0, "TTL", "k")));
        clock.addAndGet(1000);
        assertEquals(":500\r\n", resp2(run(0, "PTTL", "k")));
        assertEquals(":1\r\n", resp2(run(0, "TTL", "k")));
        assertEquals(":" + (clock.get() + 500) + "\r\n", resp2(run(0, "PEXPIRETIME", "k")));
        assertEquals(":0\r\n", resp2(run(0, "PEXPIREAT", "k", Long.toString(clock.get() + 500), "GT")));
        assertEquals(":1\r\n", resp2(run(0, "PEXPIREAT", "k", Long.toString(clock.get()), "LT")));
        assertEquals(":0\r\n", resp2(run(0, "EXISTS", "k")));
    }

    @Test
    void copyIntoAnotherDbIsRefusedAfterItsOptionsAreChecked() throws Exception {
        put(0, "a", new StringValue(bytes("v")), 0);
        assertEquals("-ERR kvfallback: COPY ... DB is unavailable while Redis is unreachable\r\n",
                resp2(run(0, "COPY", "a", "b", "DB", "1")));
        assertEquals("-ERR DB index is out of range\r\n", resp2(run(0, "COPY", "a", "b", "DB", "16")));
        assertEquals("-ERR syntax error\r\n", resp2(run(0, "COPY", "a", "b", "DB", "1", "x")));
        assertEquals(":0\r\n", resp2(run(0, "EXISTS", "b")));
    }

    @Test
    void flushAllClearsEveryDb() throws Exception {
        for (int db = 0; db < 16; db++) {
            put(db, "k", new StringValue(bytes("v")), 0);
        }
        assertEquals("+OK\r\n", resp2(run(3, "FLUSHDB")));
        assertEquals(":0\r\n", resp2(run(3, "DBSIZE")));
        assertEquals(":1\r\n", resp2(run(15, "DBSIZE")));
        assertEquals("+OK\r\n", resp2(run(0, "FLUSHALL")));
        for (int db = 0; db < 16; db++) {
            assertEquals(":0\r\n", resp2(run(db, "DBSIZE")));
        }
    }

    @Test
    void renameMovesTheValueAndItsExpiry() throws Exception {
        ListValue list = new ListValue();
        list.elements().add(bytes("x"));
        put(0, "l", list, clock.get() + 10_000);
        put(0, "dst", new StringValue(bytes("old")), 0);
        assertEquals("+OK\r\n", resp2(run(0, "RENAME", "l", "dst")));
        assertEquals("+list\r\n", resp2(run(0, "TYPE", "dst")));
        assertEquals(":10000\r\n", resp2(run(0, "PTTL", "dst")));
        assertEquals(":0\r\n", resp2(run(0, "EXISTS", "l")));
    }

    // Helpers.

    private RespValue run(int db, String... args) throws Exception {
        return engine.execute(db, 2, RespRequest.of(args)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void put(int db, String key, RedisValue value, long expireAt) throws Exception {
        List<Stored> current = keyspace.load(db, List.of(bytes(key))).toCompletableFuture().get();
        assertTrue(keyspace.write(db, List.of(new Write(bytes(key), current.get(0).version(), value, expireAt, false)))
                .toCompletableFuture().get());
    }

    /** Keys {@code key:0} .. {@code key:n-1} holding strings. */
    private Set<String> seed(int db, int n) throws Exception {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < n; i++) {
            put(db, "key:" + i, new StringValue(bytes("v")), 0);
            keys.add("key:" + i);
        }
        return keys;
    }

    private Set<String> scanAll(int db, String... options) throws Exception {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            List<String> args = new ArrayList<>(List.of("SCAN", cursor));
            args.addAll(List.of(options));
            RespValue.Array reply = (RespValue.Array) run(db, args.toArray(new String[0]));
            cursor = text(reply.items().get(0));
            seen.addAll(texts(reply.items().get(1)));
        } while (!cursor.equals("0"));
        return seen;
    }

    private static Set<String> sorted(RespValue reply) {
        return new TreeSet<>(texts(reply));
    }

    private static List<String> texts(RespValue reply) {
        List<String> out = new ArrayList<>();
        for (RespValue item : ((RespValue.Array) reply).items()) {
            out.add(text(item));
        }
        return out;
    }

    private static String text(RespValue value) {
        return ((RespValue.Bulk) value).text();
    }

    private static String resp2(RespValue value) {
        return new String(RespEncoder.toBytes(value, 2), StandardCharsets.UTF_8);
    }

    private static String resp3(RespValue value) {
        return new String(RespEncoder.toBytes(value, 3), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
