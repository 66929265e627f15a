package dev.kvfallback.engine;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link Keyspace} keeps, written once and run against each implementation by
 * subclassing (as mongo-java-server tests its backends). {@link InMemoryKeyspace} is the reference;
 * a subclass gives a fresh, empty keyspace per test.
 */
public abstract class KeyspaceContract {

    /** A fixed clock: expiry is relative to it, never to the wall clock. */
    protected static final long NOW = 1_900_000_000_000L;

    private static final byte[] UTF8_KEY = utf8("ключ🔑");
    private static final byte[] BINARY_KEY = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28};
    private static final byte[] NUL_KEY = {'a', 0x00, 'b'};

    private Keyspace ks;

    /** A new, empty keyspace; called before each test. */
    protected abstract Keyspace keyspace() throws Exception;

    /**
     * Whether the keyspace itself refuses a write computed from a stale version. A keyspace used
     * exclusively by one process leaves that to the engine's per-key order (see MongoKeyspace).
     */
    protected boolean refusesStaleVersions() {
        return true;
    }

    @BeforeEach
    protected void create() throws Exception {
        ks = keyspace();
    }

    @Test
    public void anAbsentKeyLoadsAsAbsent() throws Exception {
        Stored s = load(0, utf8("missing"));
        assertNull(s.value());
        assertEquals(0, s.version());
        assertEquals(0, s.expireAt());
        assertFalse(s.divergent());
        assertEquals("missing", new String(s.key(), StandardCharsets.UTF_8));
    }

    @Test
    public void anInsertedKeyLoadsWithVersionOne() throws Exception {
        assertTrue(write(0, new Write(utf8("k"), 0, string("v"), NOW + 5000, true)));
        Stored s = load(0, utf8("k"));
        assertEquals(describe(string("v")), describe(s.value()));
        assertEquals(NOW + 5000, s.expireAt());
        assertEquals(1, s.version());
        assertTrue(s.divergent());
    }

    @Test
    public void loadAnswersInTheOrderAsked() throws Exception {
        assertTrue(write(0, new Write(utf8("a"), 0, string("1"), 0, false),
                new Write(BINARY_KEY, 0, string("2"), 0, false)));
        List<Stored> got = await(ks.load(0, List.of(BINARY_KEY, utf8("none"), utf8("a"))));
        assertEquals(3, got.size());
        assertEquals(describe(string("2")), describe(got.get(0).value()));
        assertNull(got.get(1).value());
        assertEquals(describe(string("1")), describe(got.get(2).value()));
        assertTrue(Arrays.equals(BINARY_KEY, got.get(0).key()));
    }

    @Test
    public void everyValueTypeRoundTripsBinarySafe() throws Exception {
        List<RedisValue> values = List.of(
                new StringValue(awkward()),
                new StringValue(new byte[0]),
                hash(),
                list(),
                set(),
                zset());
        List<byte[]> keys = List.of(UTF8_KEY, BINARY_KEY, NUL_KEY, utf8(""), awkward(), utf8("plain"));
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            writes.add(new Write(keys.get(i), 0, values.get(i), 0, false));
        }
        assertTrue(await(ks.write(0, writes)));
        List<Stored> got = await(ks.load(0, keys));
        for (int i = 0; i < values.size(); i++) {
            assertEquals(describe(values.get(i)), describe(got.get(i).value()), "value " + i);
            assertEquals(values.get(i).type(), got.get(i).value().type());
            assertTrue(Arrays.equals(keys.get(i), got.get(i).key()), "key " + i);
            assertEquals(0, got.get(i).expireAt());
        }
    }

    @Test
    public void aLoadedValueIsACopy() throws Exception {
        assertTrue(write(0, new Write(utf8("l"), 0, list(), 0, false)));
        ((ListValue) load(0, utf8("l")).value()).elements().clear();
        assertEquals(describe(list()), describe(load(0, utf8("l")).value()));
    }

    @Test
    public void aReplaceBumpsTheVersion() throws Exception {
        assertTrue(write(0, new Write(utf8("k"), 0, string("1"), NOW + 1, false)));
        assertTrue(write(0, new Write(utf8("k"), 1, string("2"), 0, true)));
        Stored s = load(0, utf8("k"));
        assertEquals(describe(string("2")), describe(s.value()));
        assertEquals(2, s.version());
        assertEquals(0, s.expireAt());
        assertTrue(s.divergent());
    }

    @Test
    public void aStaleVersionIsAConflictAndNotApplied() throws Exception {
        Assumptions.assumeTrue(refusesStaleVersions());
        assertTrue(write(0, new Write(utf8("k"), 0, string("1"), 0, false)));
        assertTrue(write(0, new Write(utf8("k"), 1, string("2"), 0, false)));
        assertFalse(write(0, new Write(utf8("k"), 1, string("3"), 0, false)));
        assertFalse(write(0, new Write(utf8("k"), 7, string("3"), 0, false)));
        Stored s = load(0, utf8("k"));
        assertEquals(describe(string("2")), describe(s.value()));
        assertEquals(2, s.version());
    }

    @Test
    public void anInsertOverAnExistingKeyIsAConflict() throws Exception {
        assertTrue(write(0, new Write(utf8("k"), 0, string("1"), 0, false)));
        assertFalse(write(0, new Write(utf8("k"), 0, string("2"), 0, false)));
        assertEquals(describe(string("1")), describe(load(0, utf8("k")).value()));
    }

    @Test
    public void aReplaceOfAnAbsentKeyIsAConflict() throws Exception {
        assertFalse(write(0, new Write(utf8("k"), 3, string("1"), 0, false)));
        assertEquals(0, load(0, utf8("k")).version());
    }

    @Test
    public void aConflictDoesNotStopTheOtherWrites() throws Exception {
        assertTrue(write(0, new Write(utf8("taken"), 0, string("1"), 0, false)));
        assertFalse(write(0, new Write(utf8("taken"), 0, string("2"), 0, false),
                new Write(utf8("free"), 0, string("3"), 0, false)));
        assertEquals(describe(string("1")), describe(load(0, utf8("taken")).value()));
        assertEquals(describe(string("3")), describe(load(0, utf8("free")).value()));
    }

    @Test
    public void aDeleteIsGuardedByVersion() throws Exception {
        Assumptions.assumeTrue(refusesStaleVersions());
        assertTrue(write(0, new Write(BINARY_KEY, 0, string("1"), 0, false)));
        assertFalse(write(0, new Write(BINARY_KEY, 2, null, 0, false)));
        assertEquals(1, load(0, BINARY_KEY).version());
        assertTrue(write(0, new Write(BINARY_KEY, 1, null, 0, false)));
        Stored s = load(0, BINARY_KEY);
        assertNull(s.value());
        assertEquals(0, s.version());
        assertFalse(write(0, new Write(BINARY_KEY, 1, null, 0, false)), "deleting a deleted key again");
    }

    @Test
    public void deletingAKeyThatMustBeAbsentHoldsOnlyWhileItIs() throws Exception {
        assertTrue(write(0, new Write(utf8("k"), 0, null, 0, false)));
        assertEquals(0, load(0, utf8("k")).version());
        assertTrue(write(0, new Write(utf8("k"), 0, string("1"), 0, false)));
        assertFalse(write(0, new Write(utf8("k"), 0, null, 0, false)));
        assertEquals(describe(string("1")), describe(load(0, utf8("k")).value()));
    }

    @Test
    public void aDivergentDeleteLeavesATombstoneThatScanAndSizeSkip() throws Exception {
        assertTrue(write(0, new Write(utf8("gone"), 0, string("1"), NOW + 1000, false),
                new Write(utf8("kept"), 0, string("2"), 0, false)));
        assertTrue(write(0, new Write(utf8("gone"), 1, null, 0, true)));
        Stored s = load(0, utf8("gone"));
        assertNull(s.value());
        assertEquals(2, s.version());
        assertTrue(s.divergent());
        assertEquals(0, s.expireAt());
        assertEquals(List.of("kept"), texts(scanAll(0, 10)));
        assertEquals(1L, await(ks.size(0, NOW)));

        assertFalse(write(0, new Write(utf8("gone"), 0, string("3"), 0, true)), "a tombstone is not absent");
        assertTrue(write(0, new Write(utf8("gone"), 2, string("3"), 0, true)), "a tombstone can be revived");
        assertEquals(3, load(0, utf8("gone")).version());
        assertEquals(List.of("gone", "kept"), sorted(texts(scanAll(0, 10))));
    }

    @Test
    public void aDivergentDeleteOfAnAbsentKeyLeavesATombstone() throws Exception {
        assertTrue(write(0, new Write(NUL_KEY, 0, null, 0, true)));
        Stored s = load(0, NUL_KEY);
        assertNull(s.value());
        assertEquals(1, s.version());
        assertTrue(s.divergent());
        assertEquals(0L, await(ks.size(0, NOW)));
    }

    @Test
    public void anExpiredKeyStillLoadsWithItsVersion() throws Exception {
        assertTrue(write(0, new Write(utf8("old"), 0, string("1"), NOW - 1, false)));
        assertTrue(write(0, new Write(utf8("old"), 1, string("2"), NOW - 1, false)));
        Stored s = load(0, utf8("old"));
        assertEquals(describe(string("2")), describe(s.value()));
        assertEquals(NOW - 1, s.expireAt());
        assertEquals(2, s.version());
        assertFalse(s.liveAt(NOW));
        assertFalse(write(0, new Write(utf8("old"), 0, string("3"), 0, false)), "an expired key is not absent");
    }

    @Test
    public void scanPagesCoverEveryLiveKeyOnceInAStableOrder() throws Exception {
        List<byte[]> live = List.of(utf8("a"), utf8("b"), utf8("zz"), utf8(""), UTF8_KEY, NUL_KEY, BINARY_KEY,
                awkward(), new byte[] {(byte) 0x80}, new byte[] {(byte) 0xfe, (byte) 0xff, 0x01});
        List<Write> writes = new ArrayList<>();
        for (byte[] key : live) {
            writes.add(new Write(key, 0, string("v"), NOW + 1, false));
        }
        writes.add(new Write(utf8("expired"), 0, string("v"), NOW, false));
        writes.add(new Write(new byte[] {(byte) 0xc0}, 0, string("v"), NOW - 5, false));
        writes.add(new Write(utf8("tombstone"), 0, null, 0, true));
        writes.add(new Write(new byte[] {(byte) 0xc1}, 0, null, 0, true));
        assertTrue(await(ks.write(0, writes)));

        List<String> whole = hex(scanAll(0, 1000));
        assertEquals(sorted(hex(live)), sorted(whole), "every live key, each once");
        for (int count : new int[] {1, 2, 3, 7}) {
            assertEquals(whole, hex(scanAll(0, count)), "the same order in pages of " + count);
        }
        assertEquals(List.of(), await(ks.scan(0, null, 10, NOW + 2)), "all expired later");
        assertEquals(List.of(), await(ks.scan(1, null, 10, NOW)), "another db");
    }

    @Test
    public void sizeCountsLiveKeys() throws Exception {
        assertEquals(0L, await(ks.size(0, NOW)));
        assertTrue(write(0, new Write(utf8("a"), 0, string("1"), 0, false),
                new Write(BINARY_KEY, 0, hash(), NOW + 10, false),
                new Write(utf8("b"), 0, string("1"), NOW, false),
                new Write(utf8("c"), 0, null, 0, true)));
        assertEquals(2L, await(ks.size(0, NOW)));
        assertEquals(1L, await(ks.size(0, NOW + 10)));
    }

    @Test
    public void clearRemovesEveryKey() throws Exception {
        assertTrue(write(0, new Write(utf8("a"), 0, string("1"), 0, true),
                new Write(BINARY_KEY, 0, null, 0, true)));
        await(ks.clear(0, false));
        assertEquals(0, load(0, utf8("a")).version());
        assertEquals(0, load(0, BINARY_KEY).version());
        assertEquals(0L, await(ks.size(0, NOW)));
        assertTrue(write(0, new Write(utf8("a"), 0, string("2"), 0, false)), "the key can be created again");
    }

    @Test
    public void aDivergentClearLeavesTombstones() throws Exception {
        assertTrue(write(0, new Write(utf8("a"), 0, string("1"), NOW + 100, false),
                new Write(BINARY_KEY, 0, zset(), 0, true)));
        assertTrue(write(0, new Write(utf8("a"), 1, string("1"), NOW + 100, false)));
        await(ks.clear(0, true));
        Stored a = load(0, utf8("a"));
        Stored b = load(0, BINARY_KEY);
        assertNull(a.value());
        assertNull(b.value());
        assertEquals(0, a.expireAt());
        assertEquals(3, a.version());
        assertEquals(2, b.version());
        assertTrue(a.divergent());
        assertTrue(b.divergent());
        assertEquals(0L, await(ks.size(0, NOW)));
        assertEquals(List.of(), await(ks.scan(0, null, 10, NOW)));
        assertTrue(write(0, new Write(utf8("a"), 3, string("2"), 0, true)));
    }

    @Test
    public void databasesAreIsolated() throws Exception {
        assertTrue(write(0, new Write(utf8("k"), 0, string("zero"), 0, false)));
        assertTrue(write(1, new Write(utf8("k"), 0, string("one"), 0, false)));
        assertTrue(write(15, new Write(utf8("only15"), 0, string("x"), 0, false)));
        assertEquals(describe(string("zero")), describe(load(0, utf8("k")).value()));
        assertEquals(describe(string("one")), describe(load(1, utf8("k")).value()));
        assertNull(load(0, utf8("only15")).value());
        await(ks.clear(1, false));
        assertNull(load(1, utf8("k")).value());
        assertEquals(1L, await(ks.size(0, NOW)));
        assertEquals(1L, await(ks.size(15, NOW)));
        assertEquals(List.of("only15"), texts(scanAll(15, 10)));
    }

    // --- helpers ---

    private Stored load(int db, byte[] key) throws Exception {
        return await(ks.load(db, List.of(key))).get(0);
    }

    private boolean write(int db, Write... writes) throws Exception {
        return await(ks.write(db, List.of(writes)));
    }

    /** Every live key at {@link #NOW}, paging by {@code count} until a page comes back empty. */
    private List<byte[]> scanAll(int db, int count) throws Exception {
        List<byte[]> all = new ArrayList<>();
        byte[] after = null;
        for (int pages = 0; pages < 1000; pages++) {
            List<byte[]> page = await(ks.scan(db, after, count, NOW));
            assertTrue(page.size() <= count, "a page holds at most count keys");
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1);
        }
        throw new AssertionError("scan does not end");
    }

    protected static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes no text encoding survives: NUL, 0xff, a lone continuation byte, a truncated sequence. */
    private static byte[] awkward() {
        return new byte[] {0x00, (byte) 0xff, 'x', (byte) 0x80, (byte) 0xe2, (byte) 0x82, 0x00};
    }

    private static StringValue string(String s) {
        return new StringValue(utf8(s));
    }

    private static HashValue hash() {
        LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();
        fields.put(Bytes.of("z-first"), utf8("1"));
        fields.put(Bytes.wrap(awkward()), awkward());
        fields.put(Bytes.of(""), new byte[0]);
        fields.put(Bytes.of("ключ"), new byte[] {(byte) 0xff});
        return new HashValue(fields);
    }

    private static ListValue list() {
        return new ListValue(new ArrayList<>(List.of(utf8("b"), awkward(), utf8("a"), utf8("b"), new byte[0])));
    }

    private static SetValue set() {
        return new SetValue(new LinkedHashSet<>(List.of(Bytes.of("m"), Bytes.wrap(awkward()), Bytes.of("a"),
                Bytes.wrap(new byte[] {(byte) 0xff}))));
    }

    private static ZSetValue zset() {
        ZSetValue z = new ZSetValue();
        z.put(Bytes.of("b"), 1.5);
        z.put(Bytes.of("a"), 1.5);
        z.put(Bytes.wrap(awkward()), Double.NEGATIVE_INFINITY);
        z.put(Bytes.of("top"), Double.POSITIVE_INFINITY);
        z.put(Bytes.of("neg"), -0.25);
        z.put(Bytes.of("precise"), 0.1 + 0.2);
        return z;
    }

    /** A value's type and content, in its order, as comparable text (byte strings in hex). */
    static String describe(RedisValue v) {
        if (v == null) {
            return "null";
        }
        HexFormat h = HexFormat.of();
        if (v instanceof StringValue s) {
            return "string " + h.formatHex(s.bytes());
        }
        if (v instanceof HashValue m) {
            return "hash " + m.fields().entrySet().stream()
                    .map(e -> h.formatHex(e.getKey().bytes()) + "=" + h.formatHex(e.getValue()))
                    .collect(Collectors.joining(","));
        }
        if (v instanceof ListValue l) {
            return "list " + l.elements().stream().map(h::formatHex).collect(Collectors.joining(","));
        }
        if (v instanceof SetValue s) {
            return "set " + s.members().stream().map(b -> h.formatHex(b.bytes())).collect(Collectors.joining(","));
        }
        ZSetValue z = (ZSetValue) v;
        return "zset " + z.ordered().stream()
                .map(e -> h.formatHex(e.member().bytes()) + "@" + Double.doubleToRawLongBits(e.score()))
                .collect(Collectors.joining(",")) + " size " + z.size();
    }

    private static List<String> hex(List<byte[]> keys) {
        return keys.stream().map(HexFormat.of()::formatHex).collect(Collectors.toList());
    }

    private static List<String> texts(List<byte[]> keys) {
        return keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    private static List<String> sorted(List<String> list) {
        return list.stream().sorted().collect(Collectors.toList());
    }
}
