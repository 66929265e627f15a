package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the conformance table cannot compare with Redis: the random forms of SPOP and SRANDMEMBER,
 * SSCAN's paging of large sets, and the TTL rules of the commands that write a destination.
 */
class SetCommandsTest {

    private final InMemoryKeyspace keyspace = new InMemoryKeyspace();
    private final Engine engine = new Engine(keyspace, CommandTable.load(), System::currentTimeMillis,
            new Random(1), 16, true);

    private RespValue run(String... args) throws Exception {
        return engine.execute(0, 2, RespRequest.of(args)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String text(RespValue v) {
        return new String(((RespValue.Bulk) v).bytes(), StandardCharsets.UTF_8);
    }

    private static List<String> texts(RespValue v) {
        List<RespValue> items = v instanceof RespValue.Set s ? s.items() : ((RespValue.Array) v).items();
        List<String> out = new ArrayList<>();
        for (RespValue item : items) {
            out.add(text(item));
        }
        return out;
    }

    private long integer(String... args) throws Exception {
        return ((RespValue.Int) run(args)).value();
    }

    /** A set of members m0..m{n-1} (not integers: a hash table in Redis). */
    private Set<String> set(String key, int n) throws Exception {
        Set<String> members = new LinkedHashSet<>();
        List<String> cmd = new ArrayList<>(List.of("SADD", key));
        for (int i = 0; i < n; i++) {
            members.add("m" + i);
            cmd.add("m" + i);
        }
        run(cmd.toArray(new String[0]));
        return members;
    }

    @Test
    void spopRemovesWhatItReturns() throws Exception {
        Set<String> members = set("s", 20);
        List<String> popped = texts(run("SPOP", "s", "5"));
        assertEquals(5, new HashSet<>(popped).size());
        assertTrue(members.containsAll(popped));
        assertEquals(15, integer("SCARD", "s"));
        for (String m : popped) {
            assertEquals(0, integer("SISMEMBER", "s", m));
        }
        String one = text(run("SPOP", "s"));
        assertTrue(members.contains(one) && !popped.contains(one));
        assertEquals(14, integer("SCARD", "s"));
        assertTrue(run("SPOP", "s", "5") instanceof RespValue.Set, "RESP3 set reply");
    }

    @Test
    void srandmemberSamplesWithoutChangingTheSet() throws Exception {
        Set<String> members = set("s", 10);
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 50; round++) {
            List<String> picked = texts(run("SRANDMEMBER", "s", "3"));
            assertEquals(3, new HashSet<>(picked).size());
            assertTrue(members.containsAll(picked));
            seen.addAll(picked);
        }
        assertEquals(members, seen);
        List<String> repeats = texts(run("SRANDMEMBER", "s", "-30"));
        assertEquals(30, repeats.size());
        assertTrue(members.containsAll(repeats));
        assertTrue(members.contains(text(run("SRANDMEMBER", "s"))));
        assertEquals(10, integer("SCARD", "s"));
        assertTrue(run("SRANDMEMBER", "s", "-1000000000") instanceof RespValue.Error);
    }

    private List<String> fullScan(String key, Runnable betweenCalls) throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<RespValue> reply = ((RespValue.Array) run("SSCAN", key, cursor)).items();
            cursor = text(reply.get(0));
            out.addAll(texts(reply.get(1)));
            betweenCalls.run();
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 1, "a large set is paged");
        return out;
    }

    @Test
    void sscanPagesAHashTableSetAndReturnsEveryMemberOnce() throws Exception {
        Set<String> members = set("s", 1000);
        List<String> scanned = fullScan("s", () -> { });
        assertEquals(1000, scanned.size());
        assertEquals(members, new HashSet<>(scanned));
    }

    @Test
    void sscanReturnsMembersPresentThroughoutDespiteChanges() throws Exception {
        set("s", 300);
        int[] step = {0};
        List<String> scanned = fullScan("s", () -> {
            try {
                int i = step[0]++;
                run("SADD", "s", "new" + i);
                run("SREM", "s", "m" + (299 - i));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 200; i++) {
            assertTrue(scanned.contains("m" + i), "m" + i);
        }
        assertEquals(scanned.size(), new HashSet<>(scanned).size());
    }

    @Test
    void aLargeIntegerSetIsPagedToo() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("SADD", "ints"));
        for (int i = 0; i < 600; i++) {
            cmd.add(Integer.toString(i));
        }
        run(cmd.toArray(new String[0]));
        assertEquals(600, new HashSet<>(fullScan("ints", () -> { })).size());
    }

    private long expireAt(String key) throws Exception {
        return keyspace.load(0, List.of(key.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get()
                .get(0).expireAt();
    }

    private void setWithTtl(String key, String member) throws Exception {
        SetValue value = new SetValue();
        value.members().add(Bytes.of(member));
        long version = keyspace.load(0, List.of(key.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get()
                .get(0).version();
        assertTrue(keyspace.write(0, List.of(new Write(key.getBytes(StandardCharsets.UTF_8), version, value,
                System.currentTimeMillis() + 100_000, false))).toCompletableFuture().get());
    }

    @Test
    void storeCommandsReplaceTheDestinationAndItsTtl() throws Exception {
        run("SADD", "a", "1", "2");
        run("SADD", "b", "2", "3");
        for (String store : List.of("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE")) {
            setWithTtl("d", "old");
            assertTrue(expireAt("d") > 0);
            assertTrue(integer(store, "d", "a", "b") > 0);
            assertEquals(0, expireAt("d"), store);
            assertEquals(0, integer("SISMEMBER", "d", "old"));
        }
    }

    @Test
    void addingKeepsTheTtl() throws Exception {
        setWithTtl("d", "x");
        run("SADD", "d", "y");
        run("SADD", "src", "z");
        run("SMOVE", "src", "d", "z");
        run("SREM", "d", "x");
        assertTrue(expireAt("d") > 0);
        assertEquals(List.of("y", "z"), texts(run("SMEMBERS", "d")));
        run("SPOP", "d", "1");
        assertTrue(expireAt("d") > 0);
        run("SPOP", "d");
        assertFalse(keyspace.load(0, List.of("d".getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get()
                .get(0).liveAt(System.currentTimeMillis()));
    }
}
