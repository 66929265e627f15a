package dev.kvfallback.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The cache never serves a value older than the keyspace's: a load that was in flight while a
 * write, a failed write or a flush happened must not fill the cache with what it read.
 */
class CachingKeyspaceRaceTest {

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static String value(Stored s) {
        return s.value() == null ? null : new String(((StringValue) s.value()).bytes(), StandardCharsets.UTF_8);
    }

    /** An in-memory keyspace whose loads answer only when the test says so. */
    private static final class Held extends DelegatingKeyspace {
        final InMemoryKeyspace memory;
        CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        final AtomicInteger loads = new AtomicInteger();

        Held() {
            this(new InMemoryKeyspace());
        }

        private Held(InMemoryKeyspace memory) {
            super(memory);
            this.memory = memory;
        }

        @Override
        public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
            loads.incrementAndGet();
            List<Stored> now = memory.load(db, keys).toCompletableFuture().join();
            return gate.thenApply(ignored -> now);
        }
    }

    private static Stored load(Keyspace ks, String k) {
        return ks.load(0, List.of(key(k))).toCompletableFuture().join().get(0);
    }

    @Test
    void aLoadThatStartedBeforeAWriteDoesNotFillTheCache() {
        Held inner = new Held();
        CachingKeyspace cache = new CachingKeyspace(inner, 100, 1 << 20);
        inner.memory.write(0, List.of(new Write(key("k"), 0, new StringValue(key("old")), 0, false)));
        inner.gate = new CompletableFuture<>();
        CompletableFuture<List<Stored>> slow = cache.load(0, List.of(key("k"))).toCompletableFuture();
        cache.write(0, List.of(new Write(key("k"), 1, new StringValue(key("new")), 0, false))).toCompletableFuture().join();
        inner.gate.complete(null);
        assertEquals("old", value(slow.join().get(0)), "the slow load itself saw the old value");
        assertEquals("new", value(load(cache, "k")));
    }

    @Test
    void aFailedWriteForgetsTheKey() {
        Held inner = new Held();
        CachingKeyspace cache = new CachingKeyspace(inner, 100, 1 << 20);
        cache.write(0, List.of(new Write(key("k"), 0, new StringValue(key("a")), 0, false))).toCompletableFuture().join();
        // Someone else changed the key: the cached version is stale, the guarded write conflicts.
        inner.memory.write(0, List.of(new Write(key("k"), 1, new StringValue(key("b")), 0, false)));
        assertEquals(false, cache.write(0, List.of(new Write(key("k"), 1, new StringValue(key("c")), 0, false)))
                .toCompletableFuture().join());
        int before = inner.loads.get();
        assertEquals("b", value(load(cache, "k")));
        assertEquals(before + 1, inner.loads.get(), "after a conflict the key is read from the keyspace again");
        assertEquals("b", value(load(cache, "k")));
        assertEquals(before + 1, inner.loads.get(), "and then cached");
    }

    @Test
    void aLoadInFlightDuringAFlushDoesNotBringTheKeyBack() {
        Held inner = new Held();
        CachingKeyspace cache = new CachingKeyspace(inner, 100, 1 << 20);
        inner.memory.write(0, List.of(new Write(key("k"), 0, new StringValue(key("v")), 0, false)));
        inner.gate = new CompletableFuture<>();
        CompletableFuture<List<Stored>> slow = cache.load(0, List.of(key("k"))).toCompletableFuture();
        cache.clear(0, false).toCompletableFuture().join();
        inner.gate.complete(null);
        slow.join();
        inner.gate = CompletableFuture.completedFuture(null);
        assertNull(load(cache, "k").value());
    }

    @Test
    void evictionKeepsTheBoundsAndAnEvictedKeyIsReadAgain() {
        Held inner = new Held();
        CachingKeyspace cache = new CachingKeyspace(inner, 3, 1 << 20);
        for (int i = 0; i < 10; i++) {
            cache.write(0, List.of(new Write(key("k" + i), 0, new StringValue(key("v" + i)), 0, false)))
                    .toCompletableFuture().join();
        }
        int before = inner.loads.get();
        assertEquals("v9", value(load(cache, "k9")));
        assertEquals(before, inner.loads.get(), "a recent key is cached");
        assertEquals("v0", value(load(cache, "k0")));
        assertEquals(before + 1, inner.loads.get(), "an evicted key is loaded again");
    }
}
