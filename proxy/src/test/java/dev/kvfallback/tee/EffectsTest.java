package dev.kvfallback.tee;

import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.command.CommandTable;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.InMemoryKeyspace;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How an acknowledged write becomes effects on MongoDB's copy. Each case is rendered as one line
 * per effect ({@code apply db0 [SREM k m] expect :1 keys [k]}), so the tables read like the
 * translation they pin.
 */
class EffectsTest {

    private static final CommandTable TABLE = CommandTable.load();
    private static final long AT = 1_700_000_000_000L;
    private static final Predicate<String> ALL_SERVED = name -> true;

    // --- non-deterministic writes are recorded by their result ---

    @Test
    void spopIsTheSremOfTheMembersRedisRemoved() {
        assertEquals(List.of("apply db0 [SREM k m] expect :1 keys [k]"),
                effects(bulk("m"), "SPOP", "k"));
        assertEquals(List.of("apply db0 [SREM k a b] expect :2 keys [k]"),
                effects(array(bulk("a"), bulk("b")), "SPOP", "k", "2"));
        assertEquals(List.of("apply db0 [SREM k a b] expect :2 keys [k]"),
                effects(new RespValue.Set(List.of(bulk("a"), bulk("b"))), "SPOP", "k", "2"),
                "RESP3 answers SPOP with a count as a set");
    }

    @Test
    void spopThatRemovedNothingHasNoEffect() {
        assertEquals(List.of(), effects(RespValue.Null.BULK, "SPOP", "k"));
        assertEquals(List.of(), effects(RespValue.Array.EMPTY, "SPOP", "k", "2"));
    }

    @Test
    void blockingListPopIsThePopOfTheKeyInTheReply() {
        assertEquals(List.of("apply db0 [LPOP k2] expect $x keys [k1, k2]"),
                effects(array(bulk("k2"), bulk("x")), "BLPOP", "k1", "k2", "0"));
        assertEquals(List.of("apply db0 [RPOP k1] expect $y keys [k1, k2]"),
                effects(array(bulk("k1"), bulk("y")), "BRPOP", "k1", "k2", "0"));
    }

    @Test
    void blockingPopsThatTimedOutHaveNoEffect() {
        assertEquals(List.of(), effects(RespValue.Null.ARRAY, "BLPOP", "k", "1"));
        assertEquals(List.of(), effects(RespValue.Null.ARRAY, "BRPOP", "k", "1"));
        assertEquals(List.of(), effects(RespValue.Null.ARRAY, "BZPOPMIN", "z", "1"));
        assertEquals(List.of(), effects(RespValue.Null.BULK, "BLMOVE", "s", "d", "LEFT", "RIGHT", "1"));
        assertEquals(List.of(), effects(RespValue.Null.BULK, "BRPOPLPUSH", "s", "d", "1"));
        assertEquals(List.of(), effects(RespValue.Null.ARRAY, "BLMPOP", "1", "1", "k", "LEFT"));
        assertEquals(List.of(), effects(RespValue.Null.ARRAY, "BZMPOP", "1", "1", "z", "MIN"));
    }

    @Test
    void blockingSortedSetPopIsTheZremOfTheMemberInTheReply() {
        assertEquals(List.of("apply db0 [ZREM z2 m] expect :1 keys [z1, z2]"),
                effects(array(bulk("z2"), bulk("m"), bulk("1.5")), "BZPOPMIN", "z1", "z2", "0"));
        assertEquals(List.of("apply db0 [ZREM z1 m] expect :1 keys [z1]"),
                effects(array(bulk("z1"), bulk("m"), new RespValue.Double(1.5)), "BZPOPMAX", "z1", "0"));
    }

    @Test
    void blockingMovesAndMultiPopsRunAsTheirNonBlockingTwinWithRedissReplyExpected() {
        assertEquals(List.of("apply db0 [LMOVE s d LEFT RIGHT] expect $x keys [s, d] copyAbsent"),
                effects(bulk("x"), "BLMOVE", "s", "d", "LEFT", "RIGHT", "0"));
        assertEquals(List.of("apply db0 [RPOPLPUSH s d] expect $x keys [s, d] copyAbsent"),
                effects(bulk("x"), "BRPOPLPUSH", "s", "d", "0"));
        assertEquals(List.of("apply db0 [LMPOP 1 k LEFT] expect *[$k, *[$a]] keys [k]"),
                effects(array(bulk("k"), array(bulk("a"))), "BLMPOP", "0", "1", "k", "LEFT"));
        assertEquals(List.of("apply db0 [ZMPOP 2 z1 z2 MIN COUNT 1] expect *[$z2, *[*[$m, $1]]] keys [z1, z2]"),
                effects(array(bulk("z2"), array(array(bulk("m"), bulk("1")))),
                        "BZMPOP", "0.5", "2", "z1", "z2", "MIN", "COUNT", "1"));
    }

    // --- writes over whole dbs, or across dbs ---

    @Test
    void writesAcrossTheKeyspaceClearResyncOrCopy() {
        assertEquals(List.of("clear db4"), effectsIn(4, ok(), "FLUSHDB"));
        assertEquals(List.of("clear db-1"), effectsIn(4, ok(), "FLUSHALL"));
        assertEquals(List.of("resync db0", "resync db1"), effects(ok(), "SWAPDB", "0", "1"));
        assertEquals(List.of("copy db0 [k]", "copy db3 [k]"), effects(RespValue.Int.ONE, "MOVE", "k", "3"));
        assertEquals(List.of("copy db2 [b]"), effects(RespValue.Int.ONE, "COPY", "a", "b", "DB", "2"));
        assertEquals(List.of("copy db2 [b]"), effects(RespValue.Int.ONE, "COPY", "a", "b", "REPLACE", "DB", "2"));
        assertEquals(List.of("apply db0 [COPY a b] expect :1 keys [a, b]"),
                effects(RespValue.Int.ONE, "COPY", "a", "b"));
    }

    // --- writes the engine cannot compute are copied from Redis ---

    @Test
    void scriptsCopyTheKeysTheyDeclare() {
        assertEquals(List.of("copy db0 [k1, k2]"),
                effects(RespValue.Int.ONE, "EVAL", "return 1", "2", "k1", "k2", "arg"));
        assertEquals(List.of("copy db0 [k]"),
                effects(RespValue.Int.ONE, "EVALSHA", "0123456789abcdef0123456789abcdef01234567", "1", "k"));
        assertEquals(List.of("copy db0 [k]"), effects(RespValue.Int.ONE, "FCALL", "f", "1", "k"));
        assertEquals(List.of(), effects(RespValue.Int.ONE, "EVAL", "return 1", "0"),
                "a script without declared keys leaves nothing the tee can copy");
    }

    @Test
    void writesTheEngineDoesNotServeCopyTheirKeys() {
        Predicate<String> none = name -> false;
        assertEquals(List.of("copy db0 [s]"),
                render(Effects.of(spec("xadd"), 0, 2, RespRequest.of("XADD", "s", "*", "f", "v"),
                        bulk("1-0"), AT, none)));
        assertEquals(List.of("copy db0 [b]"),
                render(Effects.of(spec("setbit"), 0, 2, RespRequest.of("SETBIT", "b", "7", "1"),
                        RespValue.Int.ZERO, AT, none)));
    }

    @Test
    void restoreIsCopiedEvenWhereTheEngineWouldServeIt() {
        assertEquals(List.of("copy db0 [k]"), effects(ok(), "RESTORE", "k", "0", "payload"));
    }

    @Test
    void sortIsOnlyAWriteWithStore() {
        assertEquals(List.of(), effects(array(bulk("1")), "SORT", "k"));
        List<Effect> stored = Effects.of(spec("sort"), 0, 2, RespRequest.of("SORT", "k", "STORE", "d"),
                RespValue.Int.ONE, AT, ALL_SERVED);
        assertEquals(1, stored.size());
        assertTrue(keysOf(stored.get(0)).contains("d"), "the STORE destination is brought up to date: " + render(stored));
    }

    // --- plain writes ---

    @Test
    void aPlainWriteIsAppliedAsSentAtTheAcknowledgementTime() {
        RespRequest incr = RespRequest.of("INCR", "k");
        List<Effect> effects = Effects.of(spec("incr"), 5, 3, incr, new RespValue.Int(5), AT, ALL_SERVED);
        assertEquals(1, effects.size());
        Effect.Apply apply = assertInstanceOf(Effect.Apply.class, effects.get(0));
        assertEquals(new Engine.Step.Run(incr, 3, AT), apply.step());
        assertEquals(new RespValue.Int(5), apply.expected());
        assertEquals(5, apply.db());
        assertFalse(apply.copyAbsent());
        assertEquals(List.of("k"), keysOf(apply));
    }

    @Test
    void rewrittenStepsKeepTheClientsProtocolAndTheAcknowledgementTime() {
        List<List<Effect>> rewritten = List.of(
                Effects.of(spec("spop"), 0, 3, RespRequest.of("SPOP", "k"), bulk("m"), AT, ALL_SERVED),
                Effects.of(spec("blpop"), 0, 3, RespRequest.of("BLPOP", "k", "0"),
                        array(bulk("k"), bulk("x")), AT, ALL_SERVED),
                Effects.of(spec("bzpopmin"), 0, 3, RespRequest.of("BZPOPMIN", "z", "0"),
                        array(bulk("z"), bulk("m"), new RespValue.Double(1)), AT, ALL_SERVED),
                Effects.of(spec("blmove"), 0, 3, RespRequest.of("BLMOVE", "s", "d", "LEFT", "LEFT", "0"),
                        bulk("x"), AT, ALL_SERVED));
        for (List<Effect> effects : rewritten) {
            Engine.Step.Run run = (Engine.Step.Run) ((Effect.Apply) effects.get(0)).step();
            assertEquals(3, run.protocol(), run.request().toString());
            assertEquals(AT, run.at(), run.request().toString());
        }
    }

    @Test
    void writesWhoseReplyHidesAMissingKeyAskForAnAbsentKeyToBeCopied() {
        assertTrue(copyAbsent("HSET", "h", "f", "v"));
        assertTrue(copyAbsent("SADD", "s", "m"));
        assertTrue(copyAbsent("ZADD", "z", "1", "m"));
        assertTrue(copyAbsent("SET", "k", "v", "KEEPTTL"), "KEEPTTL keeps a TTL MongoDB may not know");
        assertTrue(copyAbsent("LTRIM", "l", "0", "1"), "OK whether or not the list exists");
        assertTrue(copyAbsent("SETRANGE", "k", "10", "x"), "the new length, whether or not the string existed");
        assertTrue(copyAbsent("SETBIT", "k", "7", "1"));
        assertFalse(copyAbsent("SET", "k", "v"), "SET replaces the whole value");
        assertFalse(copyAbsent("INCR", "k"));
        assertFalse(copyAbsent("RPUSH", "l", "a"));
    }

    // --- which commands are teed, and their keys ---

    @Test
    void writesAndScriptsAreTeedReadsAndPublishAreNot() {
        for (String name : List.of("set", "del", "eval", "evalsha", "fcall", "hset", "flushall")) {
            assertTrue(Effects.teed(spec(name)), name);
        }
        for (String name : List.of("get", "publish", "hgetall", "ping")) {
            assertFalse(Effects.teed(spec(name)), name);
        }
    }

    @Test
    void keysAreEachWrittenKeyOnce() {
        assertEquals(List.of("k"), keys("MSET", "k", "v", "k", "w"));
        assertEquals(List.of("a", "b"), keys("MSET", "a", "1", "b", "2", "a", "3"));
        assertEquals(List.of("k", "d"), keys("SORT", "k", "STORE", "d"));
        assertEquals(List.of("k", "d"), keys("SORT", "k", "BY", "w_*", "LIMIT", "0", "5", "GET", "#", "STORE", "d"));
        assertEquals(List.of("k"), keys("SORT", "k", "BY", "store"), "a BY pattern named like the option is no key");
        assertEquals(List.of("abc", "def"), keys("SORT", "abc", "STORE", "invalid", "STORE", "stillbad", "STORE", "def"),
                "only the last STORE is written, as in Redis");
    }

    // --- the rewrites compute Redis's reply (as the tee's self-check compares it, on the wire)
    //     when the copy holds what Redis held ---

    @Test
    void rewrittenStepsComputeRedissReplyOnTheSameState() throws Exception {
        Engine engine = new Engine(new InMemoryKeyspace(), TABLE, () -> AT, new Random(1), 16, false);
        run(engine, "RPUSH", "l", "a", "b", "c", "d");
        run(engine, "SADD", "s", "a", "b", "c");
        run(engine, "ZADD", "z", "1", "a", "2", "b", "3", "c");

        List<Effect> effects = new ArrayList<>();
        effects.addAll(Effects.of(spec("spop"), 0, 2, RespRequest.of("SPOP", "s", "2"),
                array(bulk("c"), bulk("a")), AT, engine::serves));
        effects.addAll(Effects.of(spec("blpop"), 0, 2, RespRequest.of("BLPOP", "none", "l", "0"),
                array(bulk("l"), bulk("a")), AT, engine::serves));
        effects.addAll(Effects.of(spec("blmpop"), 0, 2, RespRequest.of("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2"),
                array(bulk("l"), array(bulk("d"), bulk("c"))), AT, engine::serves));
        effects.addAll(Effects.of(spec("blmove"), 0, 2, RespRequest.of("BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"),
                bulk("b"), AT, engine::serves));
        effects.addAll(Effects.of(spec("bzpopmin"), 0, 2, RespRequest.of("BZPOPMIN", "z", "0"),
                array(bulk("z"), bulk("a"), bulk("1")), AT, engine::serves));
        effects.addAll(Effects.of(spec("bzmpop"), 0, 2, RespRequest.of("BZMPOP", "0", "1", "z", "MAX"),
                array(bulk("z"), array(array(bulk("c"), bulk("3")))), AT, engine::serves));

        for (Effect effect : effects) {
            Effect.Apply apply = assertInstanceOf(Effect.Apply.class, effect);
            Engine.Applied applied = engine.applyAll(0, List.of(apply.step())).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            RespValue computed = applied.replies().get(0);
            assertTrue(Tee.sameReply(apply.expected(), computed, apply.step()),
                    render(List.of(effect)) + " computed " + computed);
        }
        assertEquals(new RespValue.Set(List.of(bulk("b"))), run(engine, "SMEMBERS", "s"));
        assertEquals(array(bulk("b")), run(engine, "LRANGE", "l2", "0", "-1"));
        assertEquals(RespValue.Int.ZERO, run(engine, "EXISTS", "l"));
        assertEquals(array(bulk("b")), run(engine, "ZRANGE", "z", "0", "-1"));
    }

    // --- helpers ---

    @Test
    void aFailedWriteChangesNothingUnlessAScriptFailedMidwayOrTheProxyLostTheReply() {
        RespValue wrongType = new RespValue.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertEquals(List.of(), afterError(wrongType, "INCR", "k"));
        assertEquals(List.of("copy db0 [k1, k2]"),
                afterError(new RespValue.Error("ERR user_script:1: boom"), "EVAL", "s", "2", "k1", "k2"),
                "a script may have written before it failed");
        assertEquals(List.of("copy db0 [k]"),
                afterError(new RespValue.Error("ERR kvfallback: Redis unavailable (command timed out after 5000 ms)"),
                        "INCR", "k"), "a write that timed out may have run");
        assertEquals(List.of(), afterError(null, "INCR", "k"), "an EXEC that aborted ran nothing");
    }

    private static List<String> afterError(RespValue reply, String... args) {
        RespRequest request = RespRequest.of(args);
        CommandSpec spec = spec(request.name());
        return render(Effects.afterError(spec, 0, Effects.keys(spec, request), reply));
    }

    private static RespValue run(Engine engine, String... args) throws Exception {
        return engine.execute(0, 2, RespRequest.of(args)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static CommandSpec spec(String name) {
        CommandSpec spec = TABLE.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no command " + name);
        }
        return spec;
    }

    /** The effects of a write in db 0 for a RESP2 client, every command served, rendered. */
    private static List<String> effects(RespValue reply, String... args) {
        return effectsIn(0, reply, args);
    }

    private static List<String> effectsIn(int db, RespValue reply, String... args) {
        RespRequest request = RespRequest.of(args);
        return render(Effects.of(spec(request.name()), db, 2, request, reply, AT, ALL_SERVED));
    }

    private static boolean copyAbsent(String... args) {
        RespRequest request = RespRequest.of(args);
        List<Effect> effects = Effects.of(spec(request.name()), 0, 2, request, RespValue.Int.ONE, AT, ALL_SERVED);
        return assertInstanceOf(Effect.Apply.class, effects.get(0)).copyAbsent();
    }

    private static List<String> keys(String... args) {
        RespRequest request = RespRequest.of(args);
        return Effects.keys(spec(request.name()), request).stream().map(EffectsTest::text).toList();
    }

    private static List<String> render(List<Effect> effects) {
        return effects.stream().map(EffectsTest::render).toList();
    }

    private static String render(Effect effect) {
        if (effect instanceof Effect.Apply a) {
            RespRequest request = ((Engine.Step.Run) a.step()).request();
            String argv = request.args().stream().map(EffectsTest::text).collect(Collectors.joining(" "));
            return "apply db" + a.db() + " [" + argv + "] expect " + value(a.expected()) + " keys " + keysOf(a)
                    + (a.copyAbsent() ? " copyAbsent" : "");
        }
        if (effect instanceof Effect.Copy c) {
            return "copy db" + c.db() + " " + keysOf(c);
        }
        if (effect instanceof Effect.Clear c) {
            return "clear db" + c.db();
        }
        if (effect instanceof Effect.Resync r) {
            return "resync db" + r.db();
        }
        return effect.toString();
    }

    private static List<String> keysOf(Effect effect) {
        List<byte[]> keys = effect instanceof Effect.Apply a ? a.keys()
                : effect instanceof Effect.Copy c ? c.keys() : List.of();
        return keys.stream().map(EffectsTest::text).toList();
    }

    private static String value(RespValue v) {
        if (v instanceof RespValue.Array a) {
            return a.items().stream().map(EffectsTest::value).collect(Collectors.joining(", ", "*[", "]"));
        }
        return String.valueOf(v);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static RespValue.Bulk bulk(String s) {
        return RespValue.Bulk.of(s);
    }

    private static RespValue.Array array(RespValue... items) {
        return new RespValue.Array(List.of(items));
    }

    private static RespValue ok() {
        return RespValue.Simple.OK;
    }
}
