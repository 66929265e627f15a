package dev.kvfallback.failover;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The switch, the re-run on MongoDB and the both-down reply, with a fake MongoDB and no socket. */
class FailoverBackendTest {

    private final List<String> trips = new ArrayList<>();
    private final List<RespRequest> ranOnMongo = new ArrayList<>();
    private final AtomicReference<String> redisDown = new AtomicReference<>();
    private CompletableFuture<RespValue> mongoAnswer = CompletableFuture.completedFuture(RespValue.Simple.OK);

    private final FailoverBackend backend = new FailoverBackend((db, protocol, request) -> {
        ranOnMongo.add(request);
        return mongoAnswer;
    }, trips::add, redisDown::get);

    @Test
    void redisFailingSwitchesAndTheCommandGetsMongosReply() {
        RespValue.Error rateLimited = new RespValue.Error("ERR max requests limit exceeded. Limit: 10000, Usage: 10000");
        RespRequest set = RespRequest.of("SET", "k", "v");
        assertTrue(FailoverBackend.fallsBack(rateLimited, true, false));
        RespValue reply = backend.rerun(rateLimited, 0, 2, set).toCompletableFuture().join();
        assertEquals(RespValue.Simple.OK, reply, "the client gets a normal reply");
        assertEquals(List.of("ERR max requests limit exceeded. Limit: 10000, Usage: 10000"), trips);
        assertEquals(List.of(set), ranOnMongo, "run once more, on MongoDB");
    }

    @Test
    void mongoFailingWhileRedisIsDownNamesBothCauses() {
        mongoAnswer = CompletableFuture.completedFuture(new RespValue.Error("ERR kvfallback: MongoDB unavailable (timed out)"));
        assertEquals("ERR kvfallback: MongoDB unavailable (timed out)",
                ((RespValue.Error) backend.onMongo(0, 2, RespRequest.of("GET", "k")).toCompletableFuture().join()).text(),
                "while Redis serves, MongoDB's trouble is all there is to say");
        redisDown.set("connection refused");
        RespValue reply = backend.onMongo(0, 2, RespRequest.of("GET", "k")).toCompletableFuture().join();
        assertEquals("ERR kvfallback: Redis unavailable (connection refused) and MongoDB unavailable (timed out)",
                ((RespValue.Error) reply).text());
    }

    @Test
    void mongosOwnErrorsReachTheClientAsTheyAreWhileRedisServes() {
        RespValue.Error wrongType = new RespValue.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
        mongoAnswer = CompletableFuture.completedFuture(wrongType);
        assertEquals(wrongType, backend.onMongo(0, 2, RespRequest.of("INCR", "k")).toCompletableFuture().join());
        mongoAnswer = CompletableFuture.failedFuture(new IllegalStateException("no document"));
        RespValue failed = backend.onMongo(0, 2, RespRequest.of("GET", "k")).toCompletableFuture().join();
        assertTrue(((RespValue.Error) failed).text().startsWith("ERR kvfallback: "), failed.toString());
        assertEquals(List.of(), trips, "MongoDB's trouble switches nothing");
    }

    @Test
    void onlyRedisFailingSendsACommandToMongo() {
        assertFalse(FailoverBackend.fallsBack(new RespValue.Error("WRONGTYPE Operation against a key"), true, false));
        assertFalse(FailoverBackend.fallsBack(new RespValue.Error("OOM command not allowed"), false, false),
                "Redis refusing writes still serves reads");
        assertTrue(FailoverBackend.fallsBack(new RespValue.Error("OOM command not allowed"), true, false));
        RespValue.Error busy = new RespValue.Error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        assertTrue(FailoverBackend.fallsBack(busy, false, false), "another app's script holds Redis");
        assertFalse(FailoverBackend.fallsBack(busy, false, true), "a script of the proxy's own clients holds it");
    }
}
