package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.nio.charset.StandardCharsets;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-session behaviour through the proxy that needs more than one connection or real time:
 * pipelining order, blocked clients, WATCH conflicts, pub/sub, tracking, protocol errors, QUIT.
 */
class SessionIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.plain();

    @BeforeEach
    void flush() throws Exception {
        try (RawClient c = new RawClient(STACK.redis().port())) {
            c.call("FLUSHALL");
        }
    }

    @Test
    void pipelinedRepliesComeBackInRequestOrderAcrossConnections() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            // Mixes the shared connection, local replies and the pinned connection (BLPOP) in one write.
            for (int i = 1; i <= 300; i++) {
                batch.write(("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n").getBytes());
                if (i % 50 == 0) {
                    batch.write("*2\r\n$4\r\nECHO\r\n$3\r\nmid\r\n".getBytes());
                    batch.write("*3\r\n$5\r\nBLPOP\r\n$4\r\nnone\r\n$4\r\n0.01\r\n".getBytes());
                }
            }
            c.writeBytes(batch.toByteArray());
            for (int i = 1; i <= 300; i++) {
                assertEquals(":" + i + "\\r\\n", show(c.readReply()));
                if (i % 50 == 0) {
                    assertEquals("$3\\r\\nmid\\r\\n", show(c.readReply()));
                    assertEquals("*-1\\r\\n", show(c.readReply()));
                }
            }
        }
    }

    @Test
    void aBlockedClientNeverDelaysAnother() throws Exception {
        try (RawClient blocked = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            blocked.send("BLPOP", "queue", "5");
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                assertEquals("+OK\\r\\n", show(other.call("SET", "k" + i, "v")));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, "other client took " + millis + " ms while one was blocked");
            assertTrue(blocked.silentFor(200), "BLPOP answered before anything was pushed");
            other.call("RPUSH", "queue", "job");
            assertEquals("*2\\r\\n$5\\r\\nqueue\\r\\n$3\\r\\njob\\r\\n", show(blocked.readReply()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "9"})
    void blockingCommandsOfSeveralClientsReachRedisInTheOrderTheyWereRead(String db) throws Exception {
        // Redis serves the first waiter first: the one whose destination is a string gets WRONGTYPE,
        // and the push goes on to the second. A waiter that reached Redis late would get it instead.
        for (int round = 0; round < 20; round++) {
            try (RawClient first = new RawClient(STACK.proxy().port()); RawClient second = new RawClient(STACK.proxy().port());
                 RawClient pusher = new RawClient(STACK.proxy().port())) {
                for (RawClient c : List.of(first, second, pusher)) {
                    c.call("SELECT", db);
                }
                pusher.call("SET", "t1", "a string");
                first.send("BRPOPLPUSH", "blist", "t1", "0");
                Thread.sleep(5); // read first, then second
                second.send("BRPOPLPUSH", "blist", "t2", "0");
                pusher.call("LPUSH", "blist", "foo");
                assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\\r\\n",
                        show(first.readReply()), "round " + round);
                assertEquals("$3\\r\\nfoo\\r\\n", show(second.readReply()), "round " + round);
                pusher.call("DEL", "t1", "t2", "blist");
            }
            Thread.sleep(20); // bursts of new sessions apart: the pool of warm connections refills
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "9"})
    void aSessionsFirstBlockingCommandLeavesOnAConnectionOpenedAheadOfNeed(String db) throws Exception {
        // A connection opened when the command arrived would be younger than the quiet second before it.
        Thread.sleep(1100);
        try (RawClient blocked = new RawClient(STACK.proxy().port()); RawClient direct = new RawClient(STACK.redis().port())) {
            blocked.call("SELECT", db);
            blocked.send("BLPOP", "ahead-" + db, "0");
            assertTrue(blocked.silentFor(100));
            String waiting = new String(direct.readValueOf("CLIENT", "LIST"), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains(" cmd=blpop ") && l.contains(" flags=b ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no connection blocked in BLPOP"));
            assertTrue(!waiting.contains(" age=0 "), "the BLPOP waited for a connection of its own: " + waiting);
            assertTrue(waiting.contains(" db=" + db + " "), waiting);
        }
    }

    @Test
    void aKeyDeletedAfterAReaderWasSeenBlockedUnblocksItAsInRedis() throws Exception {
        for (int round = 0; round < 10; round++) {
            try (RawClient reader = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
                other.call("XGROUP", "CREATE", "events", "workers", "$", "MKSTREAM");
                reader.send("XREADGROUP", "GROUP", "workers", "w1", "BLOCK", "0", "STREAMS", "events", ">");
                long deadline = System.currentTimeMillis() + 2000;
                String list;
                do { // a client that has seen the reader listed as blocked
                    list = new String(other.readValueOf("CLIENT", "LIST", "TYPE", "normal"), StandardCharsets.UTF_8);
                } while (!list.contains("flags=b ") && System.currentTimeMillis() < deadline);
                assertTrue(list.contains("flags=b "), "the reader is listed as blocked: " + list);
                assertEquals(":1\\r\\n", show(other.call("DEL", "events")));
                assertEquals("-UNBLOCKED the stream key no longer exists\\r\\n", show(reader.readReply()),
                        "round " + round);
            }
        }
    }

    @Test
    void aDepartedBlockedClientTakesNothingPushedAfterItLeft() throws Exception {
        for (int round = 0; round < 10; round++) {
            try (RawClient direct = new RawClient(STACK.redis().port())) {
                RawClient blocked = new RawClient(STACK.proxy().port());
                blocked.send("BLPOP", "jobs", "0");
                assertTrue(blocked.silentFor(100));
                blocked.close();
                Thread.sleep(30);
                direct.call("LPUSH", "jobs", "job");
                Thread.sleep(50);
                assertEquals(":1\\r\\n", show(direct.call("LLEN", "jobs")), "round " + round
                        + ": the pop of a client that had gone took the job");
                direct.call("DEL", "jobs");
            }
        }
    }

    @Test
    void aBlockingCommandOutlivesTheUpstreamCommandTimeout() throws Exception {
        try (KvFallback shortTimeout = Proxy.start(STACK.redis().url() + "?timeout=1s");
             RawClient blocked = new RawClient(shortTimeout.port());
             RawClient other = new RawClient(shortTimeout.port())) {
            blocked.send("BLPOP", "forever", "0");
            assertTrue(blocked.silentFor(2500), "BLPOP key 0 was cut short by the command timeout");
            other.call("RPUSH", "forever", "late");
            assertEquals("*2\\r\\n$7\\r\\nforever\\r\\n$4\\r\\nlate\\r\\n", show(blocked.readReply()));
        }
    }

    @Test
    void aStalledRedisIsServedFromMongoAfterTheCommandTimeoutNotAHang() throws Exception {
        try (RedisServer stalled = RedisServer.start();
             KvFallback viaProxy = Proxy.start(stalled.url() + "?timeout=1s");
             RawClient c = new RawClient(viaProxy.port())) {
            assertEquals("+OK\\r\\n", show(c.call("SET", "k", "v")));
            signal("STOP", stalled.pid());
            try {
                long start = System.nanoTime();
                String reply = show(c.call("GET", "k"));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals("$1\\r\\nv\\r\\n", reply, "the timeout sent GET to MongoDB's copy");
                assertTrue(millis >= 900 && millis < 3000, "timed out after " + millis + " ms");
            } finally {
                signal("CONT", stalled.pid());
            }
            assertEquals("$1\\r\\nv\\r\\n", show(c.call("GET", "k")));
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    @Test
    void aClientThatDoesNotReadStopsBeingReadNotBuffered() throws Exception {
        int commands = 3_000;
        try (RawClient slow = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            other.call("SET", "big", "x".repeat(100_000));
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < commands; i++) {
                batch.write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes());
            }
            long before = processed(other);
            Thread writer = new Thread(() -> {
                try {
                    slow.writeBytes(batch.toByteArray());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            Thread.sleep(1500);
            // 300 MB of replies are owed; the proxy must stop reading within a few MB of them
            // (write-buffer water marks), not after thousands of pipelined commands.
            long taken = processed(other) - before;
            assertTrue(taken < 300, "proxy read " + taken + " commands from a client that reads nothing");
            for (int i = 0; i < commands; i++) {
                assertEquals(100_011, slow.readReply().length);
            }
            writer.join(10_000);
        }
    }

    private static long processed(RawClient c) throws Exception {
        String info = show(c.call("INFO", "kvfallback"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("kvfallback_total_commands_processed:(\\d+)").matcher(info);
        assertTrue(m.find(), info);
        return Long.parseLong(m.group(1));
    }

    @Test
    void waitHoldsOnlyTheSessionsOwnConnection() throws Exception {
        try (RawClient waiting = new RawClient(STACK.proxy().port());
             RawClient other1 = new RawClient(STACK.proxy().port());
             RawClient other2 = new RawClient(STACK.proxy().port())) {
            waiting.send("WAIT", "1", "1500");
            Thread.sleep(100);
            long start = System.nanoTime();
            // Connections take the event loops in turn: one of these shares the waiting client's.
            for (RawClient other : List.of(other1, other2)) {
                assertEquals("$-1\\r\\n", show(other.call("GET", "nothing")));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1000, "GET waited " + millis + " ms behind another client's WAIT");
            assertEquals(":0\\r\\n", show(waiting.readReply()));
        }
    }

    @Test
    void redisKilledIsServedFromMongoAtOnceAndRestartedRedisIsUsedAgain() throws Exception {
        RedisServer first = RedisServer.start();
        int port = first.port();
        try (KvFallback viaProxy = Proxy.start(first.url()); RawClient c = new RawClient(viaProxy.port())) {
            assertEquals("+OK\\r\\n", show(c.call("SET", "k", "v")));
            first.close();
            long start = System.nanoTime();
            String reply = show(c.call("GET", "k"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("$1\\r\\nv\\r\\n", reply, "served from MongoDB's copy");
            assertTrue(millis < 2000, "the switch took " + millis + " ms");
            assertEquals("+OK\\r\\n", show(c.call("SET", "k", "again")));
            try (RedisServer second = RedisServer.restartOn(port);
                 redis.clients.jedis.Jedis direct = new redis.clients.jedis.Jedis("127.0.0.1", port)) {
                long deadline = System.currentTimeMillis() + 15_000;
                String seen = null;
                while (System.currentTimeMillis() < deadline) {
                    assertEquals("+OK\\r\\n", show(c.call("SET", "other", "later")));
                    seen = direct.get("other");
                    if ("later".equals(seen)) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertEquals("later", seen, "the proxy never used the restarted Redis");
                assertEquals("again", direct.get("k"), "the write made while Redis was down went to it");
                assertEquals("$5\\r\\nagain\\r\\n", show(c.call("GET", "k")));
            }
        }
    }

    @Test
    void watchSeesAnotherClientsWriteAndExecAborts() throws Exception {
        try (RawClient a = new RawClient(STACK.proxy().port()); RawClient b = new RawClient(STACK.proxy().port())) {
            assertEquals("+OK\\r\\n", show(a.call("WATCH", "w")));
            b.call("SET", "w", "changed");
            a.call("MULTI");
            assertEquals("+QUEUED\\r\\n", show(a.call("SET", "w", "mine")));
            assertEquals("*-1\\r\\n", show(a.call("EXEC")));
            assertEquals("$7\\r\\nchanged\\r\\n", show(a.call("GET", "w")));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void pubSubFramesMatchRedis(int protocol) throws Exception {
        String direct = pubSubTranscript(STACK.redis().port(), protocol);
        String proxied = pubSubTranscript(STACK.proxy().port(), protocol);
        assertEquals(direct, proxied);
    }

    private static String pubSubTranscript(int port, int protocol) throws Exception {
        StringBuilder t = new StringBuilder();
        try (RawClient sub = new RawClient(port); RawClient pub = new RawClient(port)) {
            if (protocol == 3) {
                sub.call("HELLO", "3");
            }
            sub.send("SUBSCRIBE", "news", "sport");
            t.append(show(sub.readReply())).append(show(sub.readReply())).append('\n');
            sub.send("PSUBSCRIBE", "w*");
            t.append(show(sub.readReply())).append('\n');
            t.append(show(pub.call("PUBLISH", "news", "hello"))).append('\n');
            t.append(show(sub.readReply())).append('\n');
            t.append(show(pub.call("PUBLISH", "weather", "rain"))).append('\n');
            t.append(show(sub.readReply())).append('\n');
            t.append(show(sub.call("PING"))).append('\n');
            if (protocol == 2) {
                t.append(show(sub.call("GET", "x"))).append('\n');
            }
            sub.send("UNSUBSCRIBE");
            String u1 = show(sub.readReply());
            String u2 = show(sub.readReply());
            // Redis leaves channels in hash order: compare as a set.
            t.append(u1.compareTo(u2) < 0 ? u1 + u2 : u2 + u1).append('\n');
            t.append(show(sub.call("PUNSUBSCRIBE", "w*"))).append('\n');
            t.append(show(sub.call("UNSUBSCRIBE"))).append('\n');
            t.append(show(sub.call("PING"))).append('\n');
        }
        return t.toString();
    }

    @Test
    void trackingInvalidationsReachARespThreeClient() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port()); RawClient writer = new RawClient(STACK.proxy().port())) {
            c.call("HELLO", "3");
            assertEquals("+OK\\r\\n", show(c.call("CLIENT", "TRACKING", "on")));
            c.call("GET", "tracked");
            writer.call("SET", "tracked", "new");
            assertEquals(">2\\r\\n$10\\r\\ninvalidate\\r\\n*1\\r\\n$7\\r\\ntracked\\r\\n", show(c.readReply()));
        }
    }

    @Test
    void protocolErrorsGetRedisTextThenTheConnectionCloses() throws Exception {
        String[][] cases = {
                {"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\\r\\n"},
                {"*x\r\n", "-ERR Protocol error: invalid multibulk length\\r\\n"},
                {"*1\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\\r\\n"},
                {"PING \"unbalanced\r\n", "-ERR Protocol error: unbalanced quotes in request\\r\\n"},
        };
        for (String[] c : cases) {
            try (RawClient direct = new RawClient(STACK.redis().port()); RawClient viaProxy = new RawClient(STACK.proxy().port())) {
                direct.writeBytes(c[0].getBytes(StandardCharsets.UTF_8));
                viaProxy.writeBytes(c[0].getBytes(StandardCharsets.UTF_8));
                assertEquals(c[1], show(direct.readReply()));
                assertEquals(c[1], show(viaProxy.readReply()));
                assertTrue(viaProxy.closedByPeer(2000), "proxy kept the connection open after " + c[1]);
            }
        }
    }

    @Test
    void streamingCommandsAreRefusedAndTheSharedConnectionKeepsWorking() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            assertEquals("-ERR kvfallback: MONITOR is not supported through the proxy\\r\\n", show(c.call("MONITOR")));
            assertEquals("+OK\\r\\n", show(other.call("SET", "after", "monitor")));
            assertEquals("$7\\r\\nmonitor\\r\\n", show(c.call("GET", "after")));
        }
    }

    @Test
    void commandsBeforeAProtocolErrorStillRun() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            // The SET waits behind the BLPOP (another connection) when the malformed bytes arrive.
            c.writeBytes(("*3\r\n$5\r\nBLPOP\r\n$4\r\nnone\r\n$3\r\n0.2\r\n"
                    + "*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$3\r\nran\r\n"
                    + "*1\r\n$abc\r\n").getBytes(StandardCharsets.UTF_8));
            assertEquals("*-1\\r\\n", show(c.readReply()));
            assertEquals("+OK\\r\\n", show(c.readReply()));
            assertEquals("-ERR Protocol error: invalid bulk length\\r\\n", show(c.readReply()));
            assertTrue(c.closedByPeer(2000));
            assertEquals("$3\\r\\nran\\r\\n", show(other.call("GET", "before")));
        }
    }

    @Test
    void inlineCommandsWork() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.writeBytes("SET inline \"a b\"\r\nGET inline\r\n".getBytes());
            assertEquals("+OK\\r\\n", show(c.readReply()));
            assertEquals("$3\\r\\na b\\r\\n", show(c.readReply()));
        }
    }

    @Test
    void quitRepliesOkAfterEarlierRepliesThenCloses() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n".getBytes());
            assertEquals("+OK\\r\\n", show(c.readReply()));
            assertEquals("+OK\\r\\n", show(c.readReply()));
            assertTrue(c.closedByPeer(2000));
        }
    }

    @Test
    void binarySafeKeysAndValues() throws Exception {
        byte[] key = {0, (byte) 0xff, '\r', '\n', 'k'};
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.sendRaw("SET".getBytes(), key, value);
            assertEquals("+OK\\r\\n", show(c.readReply()));
            c.sendRaw("GET".getBytes(), key);
            byte[] reply = c.readReply();
            byte[] expected = new byte[value.length + 9];
            System.arraycopy("$256\r\n".getBytes(), 0, expected, 0, 6);
            System.arraycopy(value, 0, expected, 6, value.length);
            expected[value.length + 6] = '\r';
            expected[value.length + 7] = '\n';
            assertEquals(show(java.util.Arrays.copyOf(expected, value.length + 8)), show(reply));
        }
    }
}
