package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tee's group commit: acknowledged writes applied in order over one load and one write. */
class EngineApplyAllTest {

    private static final CommandTable TABLE = CommandTable.load();
    /** The engine's clock; steps carry their own times, which differ from it on purpose. */
    private static final long NOW = 1_700_000_000_000L;

    private final InMemoryKeyspace memory = new InMemoryKeyspace();
    private final CountingKeyspace counting = new CountingKeyspace(memory);
    /** Divergent, as the fallback engine is: the tee's group must still store non-divergent. */
    private final Engine engine = engine(counting);

    private static Engine engine(Keyspace keyspace) {
        return new Engine(keyspace, TABLE, () -> NOW, new Random(1), 16, true);
    }

    /** An engine whose commands do not mark keys divergent, as the tee sees Redis's writes. */
    private static Engine notDivergent(Keyspace keyspace) {
        return new Engine(keyspace, TABLE, () -> NOW, new Random(1), 16, false);
    }

    @Test
    void aThousandIncrsOfOneKeyAreOneLoadAndOneWrite() throws Exception {
        List<Engine.Step> steps = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            steps.add(run(NOW, "INCR", "k"));
        }
        Engine.Applied applied = apply(steps);

        for (int i = 0; i < 1000; i++) {
            assertEquals(new RespValue.Int(i + 1), applied.replies().get(i));
        }
        assertTrue(applied.stored());
        assertEquals("1000", string(load("k")));
        assertEquals(1, counting.loads.get());
        assertEquals(1, counting.writes.get());
    }

    @Test
    void aGroupThatChangesNothingWritesNothing() throws Exception {
        Engine.Applied applied = apply(List.of(run(NOW, "DEL", "absent"), run(NOW, "GET", "absent")));
        assertEquals(List.of(RespValue.Int.ZERO, RespValue.Null.BULK), applied.replies());
        assertTrue(applied.stored());
        assertEquals(0, counting.writes.get());
    }

    @Test
    void aStepsErrorIsItsReplyAndLaterStepsSeeTheStateUnchanged() throws Exception {
        Engine.Applied applied = apply(List.of(
                run(NOW, "HSET", "h", "f", "1"),
                run(NOW, "INCR", "h"),
                run(NOW, "HINCRBY", "h", "f", "notanumber"),
                run(NOW, "HINCRBY", "h", "f", "2"),
                run(NOW, "HLEN", "h")));

        assertEquals(RespValue.Int.ONE, applied.replies().get(0));
        assertEquals("WRONGTYPE", assertInstanceOf(RespValue.Error.class, applied.replies().get(1)).code());
        assertInstanceOf(RespValue.Error.class, applied.replies().get(2));
        assertEquals(new RespValue.Int(3), applied.replies().get(3));
        assertEquals(RespValue.Int.ONE, applied.replies().get(4));
        assertTrue(applied.stored());
        HashValue hash = assertInstanceOf(HashValue.class, load("h").value());
        assertEquals("3", new String(hash.fields().get(Bytes.wrap(bytes("f"))), StandardCharsets.US_ASCII));
    }

    @Test
    void unknownUnservedAndMalformedStepsAreErrorRepliesAndTheGroupGoesOn() throws Exception {
        Engine.Applied applied = apply(List.of(
                run(NOW, "NOSUCHCOMMAND", "k"),
                run(NOW, "XADD", "s", "*", "f", "v"),
                run(NOW, "INCR"),
                run(NOW, "INCR", "k")));

        assertInstanceOf(RespValue.Error.class, applied.replies().get(0));
        assertInstanceOf(RespValue.Error.class, applied.replies().get(1));
        assertInstanceOf(RespValue.Error.class, applied.replies().get(2));
        assertEquals(RespValue.Int.ONE, applied.replies().get(3));
        assertTrue(applied.stored());
        assertEquals("1", string(load("k")));
        assertNull(load("s").value());
    }

    @Test
    void absentIsPerStepTheKeysMissingOrExpiredBeforeItRan() throws Exception {
        put("old", new StringValue(bytes("x")), 0);
        put("stale", new StringValue(bytes("x")), NOW + 50);

        Engine.Applied applied = apply(List.of(
                run(NOW, "SADD", "new", "a"),
                run(NOW, "SADD", "new", "b"),
                run(NOW, "APPEND", "old", "y"),
                run(NOW + 100, "SADD", "stale", "a"),
                run(NOW, "DEL", "old"),
                run(NOW, "SET", "old", "again"),
                run(NOW, "SADD", "never", "a"),
                run(NOW, "SREM", "never", "a"),
                run(NOW, "LTRIM", "nolist", "0", "1"),
                run(NOW, "SUNIONSTORE", "dst", "new", "none")));

        assertEquals(List.of(List.of("new"), List.of(), List.of(), List.of("stale"), List.of(), List.of("old"),
                List.of("never"), List.of(), List.of("nolist"), List.of("dst", "none")), absent(applied));
    }

    @Test
    void aKeyCreatedAndRemovedInOneGroupLeavesNoDocument() throws Exception {
        Engine.Applied applied = apply(List.of(run(NOW, "SADD", "s", "a"), run(NOW, "SREM", "s", "a")));
        assertTrue(applied.stored());
        assertEquals(0, load("s").version(), "no document, not even a tombstone");
    }

    @Test
    void putSetsTheWholeValueAndExpiryAndPutNullDeletes() throws Exception {
        Engine.Applied applied = apply(List.of(
                new Engine.Step.Put(bytes("k"), new StringValue(bytes("41")), NOW + 5_000),
                run(NOW, "INCR", "k"),
                new Engine.Step.Put(bytes("gone"), new StringValue(bytes("v")), 0)));
        assertNull(applied.replies().get(0));
        assertEquals(new RespValue.Int(42), applied.replies().get(1), "later steps see the value put");
        assertEquals(List.of(List.of("k"), List.of(), List.of("gone")), absent(applied));
        Stored k = load("k");
        assertEquals("42", string(k));
        assertEquals(NOW + 5_000, k.expireAt(), "INCR keeps the expiry the put set");

        apply(List.of(new Engine.Step.Put(bytes("gone"), null, 0)));
        Stored gone = load("gone");
        assertNull(gone.value());
        assertEquals(0, gone.version(), "a non-divergent delete leaves no tombstone");
    }

    @Test
    void relativeExpiriesCountFromTheStepsTimeNotTheEnginesClock() throws Exception {
        long at = NOW + 123_456;
        apply(List.of(run(at, "SET", "a", "v", "EX", "10"), run(at, "SET", "b", "v", "PX", "250"),
                run(at, "SET", "c", "v"), run(at, "EXPIRE", "c", "7")));
        assertEquals(at + 10_000, load("a").expireAt());
        assertEquals(at + 250, load("b").expireAt());
        assertEquals(at + 7_000, load("c").expireAt());
    }

    @Test
    void expiryIsJudgedAtTheStepsTime() throws Exception {
        put("k", new StringValue(bytes("10")), NOW + 50);
        Engine.Applied applied = apply(List.of(run(NOW, "INCR", "k"), run(NOW + 100, "INCR", "k")));
        assertEquals(List.of(new RespValue.Int(11), RespValue.Int.ONE), applied.replies(),
                "at NOW+100 the key had expired in Redis too");
    }

    @Test
    void aGroupLeavesADivergentTombstoneOrValueAsItIs() throws Exception {
        memory.write(0, List.of(new Write(bytes("t"), 0, null, 0, true))).toCompletableFuture().get();
        memory.write(0, List.of(new Write(bytes("v"), 0, new StringValue(bytes("5")), 0, true)))
                .toCompletableFuture().get();
        assertTrue(load("t").divergent());
        assertTrue(load("v").divergent());

        Engine.Applied applied = apply(List.of(run(NOW, "SET", "t", "x"), run(NOW, "INCR", "v"),
                new Engine.Step.Put(bytes("v"), new StringValue(bytes("99")), 0), run(NOW, "SET", "w", "y")));

        assertTrue(applied.stored());
        assertEquals(Arrays.asList(null, null, null, RespValue.Simple.OK), applied.replies(),
                "steps on divergent keys are not run: MongoDB's value is the newer, and goes to Redis");
        Stored t = load("t");
        Stored v = load("v");
        assertNull(t.value());
        assertTrue(t.divergent());
        assertEquals("5", string(v));
        assertTrue(v.divergent());
        assertEquals("y", string(load("w")));
    }

    @Test
    void aGroupThatMeetsAnotherWritersVersionSaysItDidNotStore() throws Exception {
        put("k", new StringValue(bytes("1")), 0);
        Engine racing = engine(new DelegatingKeyspace(memory) {
            @Override
            public CompletionStage<Boolean> write(int db, List<Write> writes) {
                put("k", new StringValue(bytes("100")), 0);
                return super.write(db, writes);
            }
        });
        Engine.Applied applied = racing.applyAll(0, List.of(run(NOW, "INCR", "k")))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(applied.stored());
        assertEquals("100", string(load("k")), "the other writer's value stands");
    }

    @Test
    void aGroupIsOrderedWithCommandsOnItsKeysWhateverTheStorageLatency() throws Exception {
        Engine slow = notDivergent(new SlowKeyspace(memory));
        List<CompletableFuture<RespValue>> before = new ArrayList<>();
        List<CompletableFuture<Engine.Applied>> groups = new ArrayList<>();
        List<CompletableFuture<RespValue>> after = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            before.add(slow.execute(0, 2, RespRequest.of("INCR", "k")).toCompletableFuture());
            groups.add(slow.applyAll(0, List.of(run(NOW, "INCR", "k"), run(NOW, "INCRBY", "k", "10")))
                    .toCompletableFuture());
            after.add(slow.execute(0, 2, RespRequest.of("INCR", "k")).toCompletableFuture());
        }
        long expected = 0;
        for (int i = 0; i < 50; i++) {
            assertEquals(new RespValue.Int(++expected), before.get(i).get(10, TimeUnit.SECONDS));
            Engine.Applied applied = groups.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(new RespValue.Int(++expected), applied.replies().get(0));
            expected += 10;
            assertEquals(new RespValue.Int(expected), applied.replies().get(1));
            assertEquals(new RespValue.Int(++expected), after.get(i).get(10, TimeUnit.SECONDS));
        }
        assertEquals(Long.toString(expected), string(load("k")));
    }

    // --- helpers ---

    @Test
    void aValueTooLargeForOneDocumentIsLeftOutAndTheRestOfTheGroupIsStored() throws Exception {
        byte[] big = new byte[(int) Engine.MAX_VALUE_WEIGHT + 1];
        Engine.Applied applied = apply(List.of(
                new Engine.Step.Put(bytes("big"), new StringValue(big), 0),
                run(NOW, "SET", "small", "v")));
        assertTrue(applied.stored());
        assertEquals(List.of("big"), applied.tooLarge().stream().map(b -> new String(b)).toList());
        assertEquals("v", string(load("small")));
        assertEquals(null, load("big").value(), "MongoDB keeps what it had: nothing");
    }

    private static Engine.Step run(long at, String... args) {
        return new Engine.Step.Run(RespRequest.of(args), 2, at);
    }

    private Engine.Applied apply(List<Engine.Step> steps) throws Exception {
        return engine.applyAll(0, steps).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Stored load(String key) throws Exception {
        return memory.load(0, List.of(bytes(key))).toCompletableFuture().get().get(0);
    }

    private void put(String key, RedisValue value, long expireAt) {
        Stored current = memory.load(0, List.of(bytes(key))).toCompletableFuture().join().get(0);
        assertTrue(memory.write(0, List.of(new Write(bytes(key), current.version(), value, expireAt, false)))
                .toCompletableFuture().join());
    }

    private static List<List<String>> absent(Engine.Applied applied) {
        return applied.absent().stream()
                .map(keys -> keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList())
                .toList();
    }

    private static String string(Stored stored) {
        return new String(assertInstanceOf(StringValue.class, stored.value()).bytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Counts the round trips the engine makes to storage. */
    private static final class CountingKeyspace extends DelegatingKeyspace {
        final AtomicInteger loads = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();

        CountingKeyspace(Keyspace inner) {
            super(inner);
        }

        @Override
        public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
            loads.incrementAndGet();
            return super.load(db, keys);
        }

        @Override
        public CompletionStage<Boolean> write(int db, List<Write> writes) {
            this.writes.incrementAndGet();
            return super.write(db, writes);
        }
    }

    /** Runs every load and write a random few milliseconds later, on another thread, as MongoDB would. */
    private static final class SlowKeyspace extends DelegatingKeyspace {
        private final Random random = new Random(7);

        SlowKeyspace(Keyspace inner) {
            super(inner);
        }

        private Executor later() {
            int ms;
            synchronized (random) {
                ms = random.nextInt(3);
            }
            return CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
            return CompletableFuture.supplyAsync(() -> null, later()).thenCompose(ignored -> super.load(db, keys));
        }

        @Override
        public CompletionStage<Boolean> write(int db, List<Write> writes) {
            return CompletableFuture.supplyAsync(() -> null, later()).thenCompose(ignored -> super.write(db, writes));
        }
    }
}
