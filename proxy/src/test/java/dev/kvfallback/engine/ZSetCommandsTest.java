package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted-set commands on the engine alone: the random forms of ZRANDMEMBER (which the conformance
 * table cannot compare), paging through a large ZSCAN, and keys of other types stored straight
 * into the keyspace, so these hold whatever the string and set families serve. The conformance
 * table has the same type checks against real Redis.
 */
class ZSetCommandsTest {

    private static final RespValue.Error WRONGTYPE = EngineErrors.WRONGTYPE;

    private Engine engine;

    @BeforeEach
    void engineWithAStringAndASet() throws Exception {
        InMemoryKeyspace keyspace = new InMemoryKeyspace();
        SetValue set = new SetValue(new LinkedHashSet<>(List.of(Bytes.of("x"), Bytes.of("y"))));
        keyspace.write(0, List.of(new Write(bytes("s"), 0, new StringValue(bytes("v")), 0, false),
                        new Write(bytes("plain"), 0, set, 0, false)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        engine = new Engine(keyspace, CommandTable.load(), System::currentTimeMillis, new Random(1), 16, true);
        for (int i = 0; i < 10; i++) {
            run(2, "ZADD", "z", Integer.toString(i), "m" + i);
        }
    }

    @Test
    void randomMemberIsAMember() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            RespValue.Bulk b = assertInstanceOf(RespValue.Bulk.class, run(2, "ZRANDMEMBER", "z"));
            seen.add(text(b));
        }
        assertEquals(members(10), seen);
    }

    @Test
    void positiveCountGivesDistinctMembers() throws Exception {
        for (int count = 1; count < 10; count++) {
            List<RespValue> items = array(run(2, "ZRANDMEMBER", "z", Integer.toString(count)));
            Set<String> distinct = new HashSet<>();
            for (RespValue item : items) {
                distinct.add(text(item));
            }
            assertEquals(count, items.size());
            assertEquals(count, distinct.size());
            assertTrue(members(10).containsAll(distinct));
        }
    }

    @Test
    void negativeCountMayRepeatAndGivesExactlyThatMany() throws Exception {
        List<RespValue> items = array(run(2, "ZRANDMEMBER", "z", "-50"));
        assertEquals(50, items.size());
        Set<String> distinct = new HashSet<>();
        for (RespValue item : items) {
            distinct.add(text(item));
        }
        assertTrue(distinct.size() < 50);
        assertTrue(members(10).containsAll(distinct));
    }

    @Test
    void withScoresPairsEachMemberWithItsScore() throws Exception {
        List<RespValue> flat = array(run(2, "ZRANDMEMBER", "z", "-20", "WITHSCORES"));
        assertEquals(40, flat.size());
        for (int i = 0; i < flat.size(); i += 2) {
            assertEquals("m" + (int) ((RespValue.Double) flat.get(i + 1)).value(), text(flat.get(i)));
        }
        List<RespValue> pairs = array(run(3, "ZRANDMEMBER", "z", "5", "WITHSCORES"));
        assertEquals(5, pairs.size());
        for (RespValue pair : pairs) {
            List<RespValue> p = array(pair);
            assertEquals("m" + (int) ((RespValue.Double) p.get(1)).value(), text(p.get(0)));
        }
    }

    @Test
    void randomFormsLeaveTheSetAlone() throws Exception {
        run(2, "ZRANDMEMBER", "z", "-5");
        run(2, "ZRANDMEMBER", "z", "3", "WITHSCORES");
        assertEquals(new RespValue.Int(10), run(2, "ZCARD", "z"));
    }

    @Test
    void hugeNegativeCountIsRefusedNotAttempted() throws Exception {
        RespValue reply = run(2, "ZRANDMEMBER", "z", "-9223372036854775807");
        assertTrue(text(reply).startsWith("ERR kvfallback"));
    }

    @Test
    void scanOfALargeSetPagesThroughEveryMemberOnce() throws Exception {
        for (int i = 10; i < 300; i++) {
            run(2, "ZADD", "z", Integer.toString(i), "m" + i);
        }
        Map<String, String> seen = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<RespValue> reply = array(run(2, "ZSCAN", "z", cursor, "COUNT", "25"));
            cursor = text(reply.get(0));
            List<RespValue> items = array(reply.get(1));
            for (int i = 0; i < items.size(); i += 2) {
                assertEquals(null, seen.put(text(items.get(i)), text(items.get(i + 1))));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertEquals(300, seen.size());
        assertEquals("123", seen.get("m123"));
        assertTrue(calls > 1);
        List<RespValue> matched = array(array(run(2, "ZSCAN", "z", "0", "MATCH", "m29?", "COUNT", "1000")).get(1));
        assertEquals(20, matched.size());
    }

    @Test
    void everyZSetCommandRefusesAString() throws Exception {
        String[][] commands = {
                {"ZADD", "s", "1", "a"}, {"ZINCRBY", "s", "1", "a"}, {"ZREM", "s", "a"}, {"ZSCORE", "s", "a"},
                {"ZMSCORE", "s", "a"}, {"ZCARD", "s"}, {"ZCOUNT", "s", "0", "1"}, {"ZLEXCOUNT", "s", "-", "+"},
                {"ZRANK", "s", "a"}, {"ZREVRANK", "s", "a"}, {"ZRANGE", "s", "0", "-1"},
                {"ZRANGEBYSCORE", "s", "0", "1"}, {"ZRANGEBYLEX", "s", "-", "+"}, {"ZREVRANGE", "s", "0", "1"},
                {"ZRANGESTORE", "d", "s", "0", "-1"}, {"ZREMRANGEBYRANK", "s", "0", "1"},
                {"ZREMRANGEBYSCORE", "s", "0", "1"}, {"ZREMRANGEBYLEX", "s", "-", "+"}, {"ZPOPMIN", "s"},
                {"ZPOPMAX", "s", "2"}, {"ZMPOP", "2", "nokey", "s", "MIN"}, {"ZRANDMEMBER", "s"},
                {"ZRANDMEMBER", "s", "2"}, {"ZSCAN", "s", "0"}, {"ZUNIONSTORE", "d", "1", "s"},
                {"ZINTER", "2", "nokey", "s"}, {"ZDIFF", "1", "s"}, {"ZINTERCARD", "1", "s"},
        };
        for (String[] command : commands) {
            assertEquals(WRONGTYPE, run(2, command), String.join(" ", command));
        }
        assertEquals(new RespValue.Bulk(bytes("v")), run(2, "GET", "s"));
    }

    @Test
    void argumentErrorsComeBeforeTheTypeCheck() throws Exception {
        assertEquals(EngineErrors.NOT_FLOAT, run(2, "ZADD", "s", "x", "a"));
        assertEquals(new RespValue.Error("ERR min or max is not a float"), run(2, "ZCOUNT", "s", "x", "1"));
        assertEquals(EngineErrors.NOT_INTEGER, run(2, "ZRANGE", "s", "x", "1"));
        assertEquals(new RespValue.Error("ERR weight value is not a float"),
                run(2, "ZUNIONSTORE", "d", "1", "z", "WEIGHTS", "x"));
        // ...but the set operations look their keys up before they read their options.
        assertEquals(WRONGTYPE, run(2, "ZUNIONSTORE", "d", "1", "s", "WEIGHTS", "x"));
    }

    @Test
    void plainSetsCountWithScoreOne() throws Exception {
        assertEquals(new RespValue.Int(12), run(2, "ZUNIONSTORE", "d", "2", "plain", "z"));
        assertEquals(new RespValue.Double(1), run(2, "ZSCORE", "d", "x"));
        assertEquals(new RespValue.Int(0), run(2, "ZINTERSTORE", "d", "2", "plain", "z"));
        run(2, "ZADD", "z", "5", "x");
        assertEquals(new RespValue.Int(1), run(2, "ZINTERSTORE", "d", "2", "plain", "z", "WEIGHTS", "10", "1"));
        assertEquals(new RespValue.Double(15), run(2, "ZSCORE", "d", "x"));
        assertEquals(new RespValue.Int(1), run(2, "ZDIFFSTORE", "d", "2", "plain", "z"));
        assertEquals(new RespValue.Double(1), run(2, "ZSCORE", "d", "y"));
        assertEquals(WRONGTYPE, run(2, "ZRANGE", "plain", "0", "-1"));
    }

    @Test
    void setOperationsReplaceADestinationOfAnyType() throws Exception {
        assertEquals(new RespValue.Int(10), run(2, "ZUNIONSTORE", "s", "1", "z"));
        assertEquals(new RespValue.Int(10), run(2, "ZCARD", "s"));
        assertEquals(new RespValue.Int(0), run(2, "ZINTERSTORE", "plain", "1", "nokey"));
        assertEquals(RespValue.Array.EMPTY, run(2, "ZUNION", "1", "plain"));
        assertNotEquals(WRONGTYPE, run(2, "ZRANGESTORE", "s", "z", "0", "0"));
    }

    private RespValue run(int protocol, String... command) throws Exception {
        return engine.execute(0, protocol, RespRequest.of(command)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<RespValue> array(RespValue v) {
        return assertInstanceOf(RespValue.Array.class, v).items();
    }

    private static String text(RespValue v) {
        if (v instanceof RespValue.Error e) {
            return e.text();
        }
        return new String(assertInstanceOf(RespValue.Bulk.class, v).bytes(), StandardCharsets.UTF_8);
    }

    private static Set<String> members(int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add("m" + i);
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
