package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.testing.Conformance;
import dev.kvfallback.testing.Conformance.Case;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's conformance table: every case run on a real redis-server and on the engine over an
 * in-memory keyspace, in RESP2 and RESP3, replies compared byte for byte.
 */
class EngineConformanceIT {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    static Stream<Arguments> cases() {
        return Conformance.inBothProtocols(StringCases.cases(), KeyCases.cases(), HashCases.cases(),
                ListCases.cases(), SetCases.cases(), ZSetCases.cases());
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("cases")
    void engineRepliesAreRedisRepliesByteForByte(Case c, int protocol) throws Exception {
        Engine engine = new Engine(new InMemoryKeyspace(), CommandTable.load(), System::currentTimeMillis,
                new Random(1), 16, true);
        String expected = Conformance.transcript(redis.port(), c, protocol);
        assertEquals(expected, Conformance.transcript(engine, c, protocol));
    }
}
