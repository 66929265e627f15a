package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the conformance table cannot pin down: exact expiry instants (the engine runs on a fixed
 * clock here) and the engine's own limits, which Redis does not have.
 */
class StringCommandsTest {

    private static final long NOW = 1_700_000_000_000L;

    private final InMemoryKeyspace keyspace = new InMemoryKeyspace();
    private final Engine engine = new Engine(keyspace, CommandTable.load(), () -> NOW, new Random(1), 16, true);

    private RespValue run(String... command) throws Exception {
        return engine.execute(0, 2, RespRequest.of(command)).toCompletableFuture().get();
    }

    private Stored stored(String key) throws Exception {
        return keyspace.load(0, List.of(key.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get().get(0);
    }

    private long expireAt(String key) throws Exception {
        return stored(key).expireAt();
    }

    @Test
    void setStoresAbsoluteExpiries() throws Exception {
        run("SET", "ex", "v", "EX", "100");
        run("SET", "px", "v", "PX", "1500");
        run("SET", "exat", "v", "EXAT", "4102444800");
        run("SET", "pxat", "v", "PXAT", "4102444800123");
        run("SETEX", "setex", "7", "v");
        run("PSETEX", "psetex", "7", "v");
        assertEquals(NOW + 100_000, expireAt("ex"));
        assertEquals(NOW + 1500, expireAt("px"));
        assertEquals(4_102_444_800_000L, expireAt("exat"));
        assertEquals(4_102_444_800_123L, expireAt("pxat"));
        assertEquals(NOW + 7000, expireAt("setex"));
        assertEquals(NOW + 7, expireAt("psetex"));
    }

    @Test
    void relativeExpiryOverflowingTheClockIsInvalid() throws Exception {
        String largest = Long.toString(Long.MAX_VALUE - NOW);
        assertEquals(RespValue.Simple.OK, run("SET", "k", "v", "PX", largest));
        assertEquals(Long.MAX_VALUE, expireAt("k"));
        assertEquals(new RespValue.Error("ERR invalid expire time in 'set' command"),
                run("SET", "k", "v", "PX", Long.toString(Long.MAX_VALUE - NOW + 1)));
        assertEquals(new RespValue.Error("ERR invalid expire time in 'getex' command"),
                run("GETEX", "k", "PX", Long.toString(Long.MAX_VALUE - NOW + 1)));
    }

    @Test
    void expiryAtOrBeforeNowDeletesTheKey() throws Exception {
        run("SET", "k", "v", "PXAT", Long.toString(NOW));
        assertNull(stored("k").value());
        run("SET", "k", "v");
        run("GETEX", "k", "PXAT", Long.toString(NOW));
        assertNull(stored("k").value());
    }

    @Test
    void changesInPlaceKeepTheTtlAndReplacementsClearIt() throws Exception {
        for (String[] keeps : new String[][] {{"APPEND", "k", "1"}, {"SETRANGE", "k", "0", "2"}, {"INCR", "k"},
                {"INCRBY", "k", "2"}, {"DECR", "k"}, {"DECRBY", "k", "2"}, {"INCRBYFLOAT", "k", "0.5"},
                {"SET", "k", "3", "KEEPTTL"}, {"GETEX", "k"}}) {
            run("SET", "k", "1", "EX", "100");
            run(keeps);
            assertEquals(NOW + 100_000, expireAt("k"), String.join(" ", keeps));
        }
        for (String[] clears : new String[][] {{"SET", "k", "2"}, {"GETSET", "k", "2"}, {"MSET", "k", "2"},
                {"GETEX", "k", "PERSIST"}}) {
            run("SET", "k", "1", "EX", "100");
            run(clears);
            assertEquals(0, expireAt("k"), String.join(" ", clears));
        }
    }

    @Test
    void valuesAreStoredAsTheClientSentThem() throws Exception {
        run("SET", "n", "010");
        assertArrayEquals("010".getBytes(StandardCharsets.US_ASCII), ((StringValue) stored("n").value()).bytes());
        run("INCRBYFLOAT", "f", "1.5");
        run("INCRBYFLOAT", "f", "0.1");
        assertArrayEquals("1.6".getBytes(StandardCharsets.US_ASCII), ((StringValue) stored("f").value()).bytes());
    }

    @Test
    void stringsPastTheDocumentLimitAreRefusedBeforeTheyAreBuilt() throws Exception {
        RespValue reply = run("SETRANGE", "k", "100000000", "x");
        assertTrue(reply instanceof RespValue.Error e && e.text().startsWith("ERR kvfallback:"), reply.toString());
        assertNull(stored("k").value());
    }

    @Test
    void lcsOfLongStringsIsRefusedByTheEngine() throws Exception {
        run("SET", "a", "x".repeat(5000));
        run("SET", "b", "y".repeat(5000));
        RespValue reply = run("LCS", "a", "b");
        assertTrue(reply instanceof RespValue.Error e && e.text().startsWith("ERR kvfallback:"), reply.toString());
    }
}
