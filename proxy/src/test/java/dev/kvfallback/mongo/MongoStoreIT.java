package dev.kvfallback.mongo;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MongoStore} as the proxy uses it: the embedded store's file, the sweeper, a dead server. */
class MongoStoreIT {

    private static final Duration SWEEP = Duration.ofMillis(100);

    @TempDir
    Path dataDir;

    @Test
    void keysSurviveARestartOnTheSameDataDirectory() throws Exception {
        byte[] binaryKey = {(byte) 0xff, 0x00, 0x01};
        try (MongoStore store = MongoStore.open(null, "kvfallback", dataDir, SWEEP)) {
            assertTrue(store.embedded());
            assertTrue(store.description().startsWith("embedded (H2 file in "), store.description());
            await(store.ping());
            assertTrue(await(store.keyspace().write(0, List.of(
                    new Write(utf8("greeting"), 0, new StringValue(utf8("hello")), 0, false),
                    new Write(binaryKey, 0, set("a", "b"), 0, true)))));
            assertTrue(await(store.keyspace().write(2, List.of(new Write(utf8("tomb"), 0, null, 0, true)))));
        }
        assertTrue(Files.exists(dataDir.resolve(EmbeddedMongo.FILE_NAME)));

        try (MongoStore store = MongoStore.open(null, "kvfallback", dataDir, SWEEP)) {
            List<Stored> got = await(store.keyspace().load(0, List.of(utf8("greeting"), binaryKey)));
            assertArrayEquals(utf8("hello"), ((StringValue) got.get(0).value()).bytes());
            assertEquals(1, got.get(0).version());
            assertEquals(new LinkedHashSet<>(List.of(Bytes.of("a"), Bytes.of("b"))),
                    ((SetValue) got.get(1).value()).members());
            assertTrue(got.get(1).divergent());
            Stored tomb = await(store.keyspace().load(2, List.of(utf8("tomb")))).get(0);
            assertNull(tomb.value());
            assertEquals(1, tomb.version());
            assertTrue(tomb.divergent());
            assertTrue(await(store.keyspace().write(0, List.of(
                    new Write(utf8("greeting"), 1, new StringValue(utf8("again")), 0, false)))));
        }
    }

    @Test
    void aSecondStoreOnTheSameDataDirectoryIsRefused() {
        try (MongoStore store = MongoStore.open(null, "kvfallback", dataDir, SWEEP)) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> MongoStore.open(null, "kvfallback", dataDir, SWEEP).close());
            assertTrue(String.valueOf(e.getMessage()).contains("locked"), e.toString());
        }
    }

    @Test
    void theSweeperRemovesExpiredKeysButKeepsDivergentOnes() throws Exception {
        try (MongoStore store = MongoStore.open(null, "kvfallback", dataDir, SWEEP)) {
            long past = System.currentTimeMillis() - 1000;
            assertTrue(await(store.keyspace().write(4, List.of(
                    new Write(utf8("expired"), 0, new StringValue(utf8("v")), past, false),
                    new Write(utf8("expired-divergent"), 0, new StringValue(utf8("v")), past, true),
                    new Write(utf8("live"), 0, new StringValue(utf8("v")), 0, false)))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (version(store, "expired") != 0) {
                assertTrue(System.nanoTime() < deadline, "the sweeper did not remove the expired key");
                Thread.sleep(50);
            }
            assertEquals(1, version(store, "expired-divergent"), "a divergent key waits for its replay");
            assertEquals(1, version(store, "live"));
        }
    }

    @Test
    void anUnreachableServerFailsOperationsWithinSecondsAndOpenDoesNotWait() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        long start = System.nanoTime();
        try (MongoStore store = MongoStore.open("mongodb://app:s3cret@127.0.0.1:" + port + "/?connectTimeoutMS=500",
                "kvfallback", dataDir, SWEEP)) {
            assertTrue(elapsed(start) < 2_000, "open returns at once");
            assertFalse(store.embedded());
            assertEquals("mongodb://app:***@127.0.0.1:" + port + "/?connectTimeoutMS=500", store.description());

            long before = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> await(store.keyspace().load(0, List.of(utf8("k")))));
            assertTrue(elapsed(before) < MongoStore.SERVER_SELECTION_TIMEOUT.toMillis() + 3_000,
                    "failed after " + elapsed(before) + " ms: " + e.getCause());
            assertThrows(ExecutionException.class, () -> await(store.ping()));
        }
        assertFalse(Files.exists(dataDir.resolve(EmbeddedMongo.FILE_NAME)), "no embedded store with a URI");
    }

    @Test
    void aMalformedUriIsRefusedWithoutEchoingItsPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MongoStore.open("mongodb://app:s3cret@host:notaport/", "kvfallback", dataDir, SWEEP));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MongoStore.open("http://app:s3cret@host/", "kvfallback", dataDir, SWEEP));
    }

    private static long version(MongoStore store, String key) throws Exception {
        return await(store.keyspace().load(4, List.of(utf8(key)))).get(0).version();
    }

    private static long elapsed(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static SetValue set(String... members) {
        LinkedHashSet<Bytes> set = new LinkedHashSet<>();
        for (String m : members) {
            set.add(Bytes.of(m));
        }
        return new SetValue(set);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
