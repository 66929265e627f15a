package dev.kvfallback.upstream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The error classes of DESIGN.md, one row per reply: which ones send a read, and a write, to
 * MongoDB, and which reach the client unchanged. The texts are the ones Redis 7.0 and Upstash send.
 */
class ErrorClassifierTest {

    @ParameterizedTest(name = "{0} -> {1}, read falls back: {2}, write falls back: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            ERR max requests limit exceeded. Limit: 10000, Usage: 10000                       | RATE_LIMIT     | true  | true
            ERR max daily request limit exceeded. Limit: 10000, Usage: 10000. See https://upstash.com/docs/redis/troubleshooting/max_daily_request_limit | RATE_LIMIT | true | true
            ERR max concurrent connections exceeded                                           | RATE_LIMIT     | true  | true
            ERR max number of clients reached                                                 | RATE_LIMIT     | true  | true
            ERR max monthly bandwidth limit exceeded                                          | RATE_LIMIT     | true  | true
            ERR max request size exceeded. Limit: 1048576 bytes                               | COMMAND        | false | false
            ERR max single record size exceeded                                               | COMMAND        | false | false
            ERR kvfallback: Redis unavailable (Connection refused: /127.0.0.1:6379)            | UNAVAILABLE    | true  | true
            ERR kvfallback: Redis unavailable (command timed out after 2000 ms)               | UNAVAILABLE    | true  | true
            ERR kvfallback: Redis unavailable (Connection closed)                             | UNAVAILABLE    | true  | true
            LOADING Redis is loading the dataset in memory                                    | SERVER_DOWN    | true  | true
            BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE. | SERVER_DOWN | true | true
            MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.  | SERVER_DOWN    | true  | true
            TRYAGAIN Multiple keys request during rehashing of slot                           | SERVER_DOWN    | true  | true
            CLUSTERDOWN The cluster is down                                                   | SERVER_DOWN    | true  | true
            NOAUTH Authentication required.                                                   | SERVER_DOWN    | true  | true
            WRONGPASS invalid username-password pair or user is disabled.                    | SERVER_DOWN    | true  | true
            OOM command not allowed when used memory > 'maxmemory'.                           | WRITES_REFUSED | false | true
            READONLY You can't write against a read only replica.                             | WRITES_REFUSED | false | true
            MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. | WRITES_REFUSED | false | true
            NOREPLICAS Not enough good replicas to write.                                     | WRITES_REFUSED | false | true
            ERR DB capacity quota exceeded                                                    | WRITES_REFUSED | false | true
            WRONGTYPE Operation against a key holding the wrong kind of value                 | COMMAND        | false | false
            ERR syntax error                                                                  | COMMAND        | false | false
            ERR wrong number of arguments for 'get' command                                   | COMMAND        | false | false
            ERR value is not an integer or out of range                                       | COMMAND        | false | false
            NOSCRIPT No matching script. Please use EVAL.                                     | COMMAND        | false | false
            BUSYGROUP Consumer Group name already exists                                      | COMMAND        | false | false
            BUSYKEY Target key name already exists.                                           | COMMAND        | false | false
            EXECABORT Transaction discarded because of previous errors.                       | COMMAND        | false | false
            ERR unknown command 'FOO', with args beginning with:                              | COMMAND        | false | false
            ERR kvfallback: MONITOR is not supported through the proxy                        | COMMAND        | false | false
            ERR Protocol error: invalid multibulk length                                      | COMMAND        | false | false
            ERR maxmemory must be given in bytes                                              | COMMAND        | false | false
            """)
    void classifies(String message, ErrorClassifier.Kind kind, boolean readFallsBack, boolean writeFallsBack) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        assertEquals(kind, ErrorClassifier.classify(bytes));
        assertEquals(readFallsBack, ErrorClassifier.fallsBack(bytes, false), "a read");
        assertEquals(writeFallsBack, ErrorClassifier.fallsBack(bytes, true), "a write");
    }

    @Test
    void aRoundTripTheProxyFailedToReadIsTheCommandsErrorNotRedisFailing() {
        // Lettuce's decoder past its depth, a protocol error, a bug: the proxy's own, no switch.
        for (Throwable own : new Throwable[] {new ArrayIndexOutOfBoundsException("Index 32 out of bounds for length 32"),
                new io.lettuce.core.protocol.RedisProtocolException("Not implemented"), new NullPointerException()}) {
            assertEquals(ErrorClassifier.Kind.COMMAND, ErrorClassifier.classify(UpstreamErrors.of(own).bytes()), own.toString());
        }
        // Redis, or the way to it: connection refused or closed, no answer within the budget.
        for (Throwable redis : new Throwable[] {new io.lettuce.core.RedisConnectionException("refused"),
                new io.lettuce.core.RedisCommandTimeoutException("timed out"), new io.lettuce.core.RedisException("Connection closed"),
                new java.io.IOException("Connection reset by peer"), new IllegalStateException("connection closed")}) {
            assertEquals(ErrorClassifier.Kind.UNAVAILABLE, ErrorClassifier.classify(UpstreamErrors.of(redis).bytes()), redis.toString());
        }
    }

    @Test
    void errorsAreCountedInMetricsUnderFewClasses() {
        assertEquals("rate_limit", ErrorClassifier.metricClass("ERR max requests limit exceeded. Limit: 1".getBytes()));
        assertEquals("unavailable", ErrorClassifier.metricClass("ERR kvfallback: Redis unavailable (refused)".getBytes()));
        assertEquals("wrongtype", ErrorClassifier.metricClass("WRONGTYPE Operation against a key".getBytes()));
        assertEquals("busy", ErrorClassifier.metricClass("BUSY Redis is busy running a script.".getBytes()));
        assertEquals("err", ErrorClassifier.metricClass("ERR syntax error".getBytes()));
        assertEquals("other", ErrorClassifier.metricClass("NOGROUP No such key".getBytes()), "codes stay few");
    }
}
