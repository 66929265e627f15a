package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.engine.EngineCases;
import dev.kvfallback.testing.Conformance;
import dev.kvfallback.testing.Conformance.Case;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The conformance table run the third way: through the proxy in {@code --mode fallback}, served
 * from MongoDB (the embedded store), compared byte for byte with what a real redis-server replies.
 * The proxy's Redis URL points at a port nothing listens on: nothing may reach Redis.
 */
class FallbackConformanceIT {

    @TempDir
    static Path dataDir;
    private static RedisServer redis;
    private static KvFallback proxy;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        proxy = Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback",
                "--data-dir", dataDir.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static Stream<Arguments> cases() {
        List<List<Case>> tables = new ArrayList<>(EngineCases.all());
        tables.add(ConformanceIT.servedInFallback());
        @SuppressWarnings("unchecked")
        List<Case>[] array = tables.toArray(new List[0]);
        return Conformance.inBothProtocols(array);
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("cases")
    void fallbackRepliesAreRedisRepliesByteForByte(Case c, int protocol) throws Exception {
        String expected = Conformance.transcript(redis.port(), c, protocol);
        assertEquals(expected, Conformance.transcript(proxy.port(), c, protocol));
    }

    @Test
    void commandsMongoCannotServeGetOneClearError() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            assertEquals("-ERR kvfallback: EVAL is unavailable while Redis is unreachable\r\n",
                    text(client.call("EVAL", "return 1", "0")));
            assertEquals("-ERR kvfallback: XADD is unavailable while Redis is unreachable\r\n",
                    text(client.call("XADD", "s", "*", "f", "v")));
            assertEquals("-ERR kvfallback: BLPOP is unavailable while Redis is unreachable\r\n",
                    text(client.call("BLPOP", "l", "1")));
            assertEquals("-ERR kvfallback: SUBSCRIBE is unavailable while Redis is unreachable\r\n",
                    text(client.call("SUBSCRIBE", "ch")));
            assertEquals("-ERR kvfallback: WATCH is unavailable while Redis is unreachable\r\n",
                    text(client.call("WATCH", "k")));
            assertEquals("+PONG\r\n", text(client.call("PING")));
        }
    }

    private static String text(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8);
    }
}
