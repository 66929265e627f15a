package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the conformance table cannot compare with Redis: the random forms of HRANDFIELD, HSCAN's
 * paging of large hashes, and long double arithmetic where Redis's replies are long.
 */
class HashCommandsTest {

    private final Engine engine = new Engine(new InMemoryKeyspace(), CommandTable.load(), System::currentTimeMillis,
            new Random(1), 16, true);

    private RespValue run(int protocol, String... args) throws Exception {
        return engine.execute(0, protocol, RespRequest.of(args)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RespValue run(String... args) throws Exception {
        return run(2, args);
    }

    private static String text(RespValue v) {
        return new String(((RespValue.Bulk) v).bytes(), StandardCharsets.UTF_8);
    }

    private static List<String> texts(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue item : ((RespValue.Array) v).items()) {
            out.add(text(item));
        }
        return out;
    }

    /** A hash f0..f{n-1} with values v0..v{n-1}. */
    private Map<String, String> hash(String key, int n) throws Exception {
        Map<String, String> fields = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of("HSET", key));
        for (int i = 0; i < n; i++) {
            fields.put("f" + i, "v" + i);
            cmd.add("f" + i);
            cmd.add("v" + i);
        }
        run(cmd.toArray(new String[0]));
        return fields;
    }

    @Test
    void hrandfieldWithAPositiveCountGivesDistinctFieldsOfTheHash() throws Exception {
        Map<String, String> fields = hash("h", 10);
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 50; round++) {
            List<String> picked = texts(run("HRANDFIELD", "h", "4"));
            assertEquals(4, picked.size());
            assertEquals(4, new HashSet<>(picked).size(), "distinct");
            assertTrue(fields.keySet().containsAll(picked));
            seen.addAll(picked);
        }
        assertEquals(fields.keySet(), seen, "every field gets picked sometime");
        assertTrue(fields.containsKey(text(run("HRANDFIELD", "h"))));
    }

    @Test
    void hrandfieldWithANegativeCountMayRepeatAndPairsValuesPerProtocol() throws Exception {
        Map<String, String> fields = hash("h", 3);
        List<String> picked = texts(run("HRANDFIELD", "h", "-25"));
        assertEquals(25, picked.size());
        assertTrue(fields.keySet().containsAll(picked));
        assertTrue(new HashSet<>(picked).size() < 25, "repeats");

        List<String> flat = texts(run(2, "HRANDFIELD", "h", "-5", "WITHVALUES"));
        assertEquals(10, flat.size());
        for (int i = 0; i < flat.size(); i += 2) {
            assertEquals(fields.get(flat.get(i)), flat.get(i + 1));
        }
        List<RespValue> pairs = ((RespValue.Array) run(3, "HRANDFIELD", "h", "-5", "WITHVALUES")).items();
        assertEquals(5, pairs.size());
        for (RespValue pair : pairs) {
            List<String> fv = texts(pair);
            assertEquals(fields.get(fv.get(0)), fv.get(1));
        }
        List<RespValue> some = ((RespValue.Array) run(3, "HRANDFIELD", "h", "2", "WITHVALUES")).items();
        assertEquals(2, some.size());
        assertTrue(some.get(0) instanceof RespValue.Array);
    }

    @Test
    void hrandfieldRefusesAHugeRepeatCountRatherThanBuildIt() throws Exception {
        hash("h", 1);
        assertTrue(run("HRANDFIELD", "h", "-1000000000") instanceof RespValue.Error);
    }

    /** Iterates HSCAN to the end; returns every field returned, counting repeats. */
    private List<String> fullScan(String key, String count, Runnable betweenCalls) throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<RespValue> reply = ((RespValue.Array) run("HSCAN", key, cursor, "COUNT", count)).items();
            cursor = text(reply.get(0));
            List<String> flat = texts(reply.get(1));
            for (int i = 0; i < flat.size(); i += 2) {
                out.add(flat.get(i));
            }
            betweenCalls.run();
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 1, "a large hash is paged");
        return out;
    }

    @Test
    void hscanPagesALargeHashAndReturnsEveryFieldOnce() throws Exception {
        Map<String, String> fields = hash("big", 500);
        List<String> scanned = fullScan("big", "7", () -> { });
        assertEquals(500, scanned.size());
        assertEquals(fields.keySet(), new HashSet<>(scanned));
    }

    @Test
    void hscanReturnsFieldsPresentThroughoutDespiteChanges() throws Exception {
        Map<String, String> fields = hash("big", 300);
        int[] step = {0};
        List<String> scanned = fullScan("big", "10", () -> {
            try {
                int i = step[0]++;
                run("HSET", "big", "added" + i, "x");
                if (i < 100) {
                    run("HDEL", "big", "f" + (299 - i));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 200; i++) {
            assertTrue(scanned.contains("f" + i), "f" + i);
        }
        assertEquals(scanned.size(), new HashSet<>(scanned).size(), "no field twice");
    }

    @Test
    void hincrbyfloatComputesInLongDouble() throws Exception {
        assertEquals("0.1", text(run("HINCRBYFLOAT", "h", "a", "0.1")));
        // A double would give 0.30000000000000004.
        assertEquals("0.3", text(run("HINCRBYFLOAT", "h", "a", "0.2")));
        // 2^64 + 1 needs 65 bits: rounds to even (2^64).
        assertEquals("18446744073709551616", text(run("HINCRBYFLOAT", "h", "b", "18446744073709551617")));
        // 2^63 + 1 fits in 64 bits, which a double could not hold.
        assertEquals("9223372036854775809", text(run("HINCRBYFLOAT", "h", "c", "9223372036854775809")));
        String big = text(run("HINCRBYFLOAT", "h", "d", "1e4000"));
        // The long double nearest 10^4000 is just below it: redis-server 7.0.15 replies the same.
        assertEquals(4000, big.length());
        assertTrue(big.startsWith("99999999999999999999654638730996237849324925"));
    }
}
