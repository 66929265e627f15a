package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the engine runs commands: per-key order, optimistic retries, failures, size limits. */
class EngineTest {

    private static final CommandTable TABLE = CommandTable.load();
    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(4);

    @AfterEach
    void stop() {
        delays.shutdownNow();
    }

    private static Engine engine(Keyspace keyspace) {
        return new Engine(keyspace, TABLE, System::currentTimeMillis, new Random(1), 16, true);
    }

    private static RespValue run(Engine engine, String... args) throws Exception {
        return engine.execute(0, 2, RespRequest.of(args)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String text(RespValue value) {
        return value instanceof RespValue.Bulk b ? new String(b.bytes(), StandardCharsets.UTF_8) : String.valueOf(value);
    }

    @Test
    void commandsOnOneKeyRunInArrivalOrderWhateverTheStorageLatency() throws Exception {
        Engine engine = engine(new SlowKeyspace(new InMemoryKeyspace(), delays));
        List<CompletableFuture<RespValue>> replies = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            replies.add(engine.execute(0, 2, RespRequest.of("INCR", "counter")).toCompletableFuture());
            replies.add(engine.execute(0, 2, RespRequest.of("INCR", "other" + (i % 7))).toCompletableFuture());
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(new RespValue.Int(i + 1), replies.get(2 * i).get(10, TimeUnit.SECONDS));
        }
        assertEquals("500", text(run(engine, "GET", "counter")));
    }

    @Test
    void aWriteThatMeetsAnotherVersionIsRecomputedOnFreshData() throws Exception {
        InMemoryKeyspace memory = new InMemoryKeyspace();
        AtomicInteger sabotaged = new AtomicInteger();
        Keyspace racing = new DelegatingKeyspace(memory) {
            @Override
            public CompletionStage<Boolean> write(int db, List<Write> writes) {
                if (sabotaged.getAndIncrement() < 3) {
                    // Another writer stores first: INCR must be computed again from its value.
                    Stored current = memory.load(db, List.of(writes.get(0).key())).toCompletableFuture().join().get(0);
                    long n = current.value() == null ? 0
                            : Long.parseLong(new String(((StringValue) current.value()).bytes(), StandardCharsets.US_ASCII));
                    memory.write(db, List.of(new Write(current.key(), current.version(),
                            new StringValue(Long.toString(n + 10).getBytes(StandardCharsets.US_ASCII)), 0, false)));
                }
                return memory.write(db, writes);
            }
        };
        Engine engine = engine(racing);
        assertEquals(new RespValue.Int(31), run(engine, "INCR", "n"));
        assertEquals("31", text(run(engine, "GET", "n")));
    }

    @Test
    void aStorageFailureIsAnErrorReplyAndNothingIsAcknowledged() throws Exception {
        InMemoryKeyspace memory = new InMemoryKeyspace();
        Keyspace down = new DelegatingKeyspace(memory) {
            @Override
            public CompletionStage<Boolean> write(int db, List<Write> writes) {
                return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
            }
        };
        RespValue reply = run(engine(down), "SET", "k", "v");
        assertEquals(new RespValue.Error("ERR kvfallback: MongoDB unavailable (connection refused)"), reply);
        assertEquals(RespValue.Null.BULK, run(engine(memory), "GET", "k"));
    }

    @Test
    void aValuePastMongoDbsDocumentLimitIsRefusedNotStored() throws Exception {
        Engine engine = engine(new InMemoryKeyspace());
        String eightMb = "x".repeat(8 << 20);
        assertEquals(RespValue.Simple.OK, run(engine, "SET", "big", eightMb));
        RespValue reply = run(engine, "APPEND", "big", eightMb + "y");
        assertTrue(reply instanceof RespValue.Error e && e.text().contains("16 MB document limit"), reply.toString());
        assertEquals(new RespValue.Int(8 << 20), run(engine, "STRLEN", "big"));
    }

    @Test
    void writesInFallbackMarkTheirKeysDivergentAndDeletesLeaveTombstones() throws Exception {
        InMemoryKeyspace memory = new InMemoryKeyspace();
        Engine engine = engine(memory);
        run(engine, "SET", "k", "v");
        Stored written = memory.load(0, List.of("k".getBytes())).toCompletableFuture().join().get(0);
        assertTrue(written.divergent());
        run(engine, "DEL", "k");
        Stored deleted = memory.load(0, List.of("k".getBytes())).toCompletableFuture().join().get(0);
        assertEquals(null, deleted.value());
        assertTrue(deleted.divergent() && deleted.version() > written.version());
        assertEquals(new RespValue.Int(0), run(engine, "EXISTS", "k"));
    }

    @Test
    void expiredKeysReadAsAbsent() throws Exception {
        long[] now = {1_000_000};
        Engine engine = new Engine(new InMemoryKeyspace(), TABLE, () -> now[0], new Random(1), 16, true);
        run(engine, "SET", "k", "v", "PX", "100");
        assertEquals("v", text(run(engine, "GET", "k")));
        now[0] += 100;
        assertEquals(RespValue.Null.BULK, run(engine, "GET", "k"));
        assertEquals(new RespValue.Int(0), run(engine, "DBSIZE"));
    }

    /** Delays every load and write by a random few milliseconds on another thread, as MongoDB would. */
    private static final class SlowKeyspace extends DelegatingKeyspace {
        private final ScheduledExecutorService delays;
        private final Random random = new Random(7);

        SlowKeyspace(Keyspace inner, ScheduledExecutorService delays) {
            super(inner);
            this.delays = delays;
        }

        private <T> CompletionStage<T> later(CompletionStage<T> stage) {
            CompletableFuture<T> delayed = new CompletableFuture<>();
            int ms;
            synchronized (random) {
                ms = random.nextInt(3);
            }
            delays.schedule(() -> stage.whenComplete((v, e) -> {
                if (e != null) {
                    delayed.completeExceptionally(e);
                } else {
                    delayed.complete(v);
                }
            }), ms, TimeUnit.MILLISECONDS);
            return delayed;
        }

        @Override
        public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
            return later(super.load(db, keys));
        }

        @Override
        public CompletionStage<Boolean> write(int db, List<Write> writes) {
            return later(super.write(db, writes));
        }
    }
}
