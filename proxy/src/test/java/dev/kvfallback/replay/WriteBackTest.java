package dev.kvfallback.replay;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.ListValue;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.ZSetValue;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands that put MongoDB's value of a key into Redis, atomically, and how their replies are read. */
class WriteBackTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void aStringIsOneSetWithItsAbsoluteExpiry() {
        assertEquals(List.of("SET k v"), render(stored("k", new StringValue(b("v")), 0)));
        assertEquals(List.of("SET k v PXAT " + (NOW + 5000)), render(stored("k", new StringValue(b("v")), NOW + 5000)));
    }

    @Test
    void aTombstoneOrAnExpiredKeyIsADelete() {
        assertEquals(List.of("DEL gone"), render(new Stored(b("gone"), null, 0, 3, true)));
        assertEquals(List.of("DEL old"), render(stored("old", new StringValue(b("v")), NOW - 1)));
    }

    @Test
    void aCollectionIsReplacedWholeInOneTransaction() {
        LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();
        fields.put(Bytes.of("f"), b("1"));
        fields.put(Bytes.of("g"), b("2"));
        assertEquals(List.of("MULTI", "DEL h", "HSET h f 1 g 2", "PEXPIREAT h " + (NOW + 1), "EXEC"),
                render(stored("h", new HashValue(fields), NOW + 1)));

        ArrayList<byte[]> elements = new ArrayList<>(List.of(b("a"), b("b"), b("a")));
        assertEquals(List.of("MULTI", "DEL l", "RPUSH l a b a", "EXEC"), render(stored("l", new ListValue(elements), 0)));

        LinkedHashSet<Bytes> members = new LinkedHashSet<>(List.of(Bytes.of("x")));
        assertEquals(List.of("MULTI", "DEL s", "SADD s x", "EXEC"), render(stored("s", new SetValue(members), 0)));

        ZSetValue z = new ZSetValue();
        z.put(Bytes.of("low"), Double.NEGATIVE_INFINITY);
        z.put(Bytes.of("mid"), 2.5);
        z.put(Bytes.of("tiny"), 0.1);
        assertEquals(List.of("MULTI", "DEL z", "ZADD z -inf low 0.10000000000000001 tiny 2.5 mid", "EXEC"),
                render(stored("z", z, 0)), "scores in %.17g: they read back as the same double");
    }

    @Test
    void aLargeCollectionIsAddedInChunks() {
        ArrayList<byte[]> elements = new ArrayList<>();
        for (int i = 0; i < WriteBack.CHUNK * 2 + 1; i++) {
            elements.add(b(Integer.toString(i)));
        }
        List<RespRequest> commands = WriteBack.commands(stored("l", new ListValue(elements), 0), NOW);
        assertEquals(6, commands.size(), "MULTI, DEL, three RPUSHes, EXEC");
        int pushed = 0;
        for (RespRequest c : commands) {
            if (c.name().equals("rpush")) {
                pushed += c.size() - 2;
                assertTrue(c.size() - 2 <= WriteBack.CHUNK);
            }
        }
        assertEquals(elements.size(), pushed);
    }

    @Test
    void aWriteBackFailsOnAnErrorOrAnAbortedTransaction() {
        RespValue ok = RespValue.Simple.OK;
        RespValue queued = RespValue.Simple.QUEUED;
        assertNull(WriteBack.firstError(List.of(ok)));
        assertNull(WriteBack.firstError(List.of(ok, queued, queued, new RespValue.Array(List.of(RespValue.Int.ONE, RespValue.Int.ONE)))));
        RespValue.Error oom = new RespValue.Error("OOM command not allowed when used memory > 'maxmemory'.");
        assertEquals(oom, WriteBack.firstError(List.of(oom)));
        assertEquals(oom, WriteBack.firstError(List.of(ok, queued, queued, new RespValue.Array(List.of(RespValue.Int.ONE, oom)))));
        assertTrue(WriteBack.firstError(List.of(ok, queued, queued, RespValue.Null.ARRAY)) != null,
                "an EXEC that did not run is not a write-back");
    }

    private static Stored stored(String key, dev.kvfallback.engine.RedisValue value, long expireAt) {
        return new Stored(b(key), value, expireAt, 1, true);
    }

    private static List<String> render(Stored s) {
        List<String> out = new ArrayList<>();
        for (RespRequest r : WriteBack.commands(s, NOW)) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                words.add(new String(r.arg(i), StandardCharsets.UTF_8));
            }
            out.add(String.join(" ", words));
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
