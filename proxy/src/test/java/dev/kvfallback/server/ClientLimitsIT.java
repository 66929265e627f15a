package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's client limits, each at a small setting so a test reaches it: maxclients, the idle
 * timeout, the output buffer limits of ordinary and subscribed clients, the query buffer limit
 * and the pipeline cap. Each limit closes or refuses the offender only: other clients go on.
 */
class ClientLimitsIT {

    private static RedisServer redis;
    private static KvFallback proxy;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        proxy = Proxy.start(redis.url(), "--maxclients", "6", "--timeout", "1",
                "--client-output-buffer-limit", "normal 2mb 1mb 2 pubsub 1mb 256kb 1",
                "--client-query-buffer-limit", "1mb", "--max-pipeline", "2", "--maxmemory-clients", "2mb");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        redis.close();
    }

    @Test
    void pastMaxclientsANewClientGetsRedisErrorAndTheOthersStay() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            // Some of the six may still be closing from another test: fill up to the limit.
            while (true) {
                RawClient c = new RawClient(proxy.port());
                String first = show(c.call("PING"));
                if (!first.equals("+PONG\\r\\n")) {
                    assertEquals("-ERR max number of clients reached\\r\\n", first);
                    assertTrue(c.closedByPeer(2000));
                    c.close();
                    break;
                }
                clients.add(c);
                assertTrue(clients.size() <= 6, "more than maxclients were let in");
            }
            for (RawClient c : clients) {
                assertEquals("+PONG\\r\\n", show(c.call("PING")), "a client in before the limit lost its connection");
            }
            clients.remove(0).close();
            assertEquals("+PONG\\r\\n", pingWhenRoom(), "a place freed is taken again");
            assertTrue(proxy.metrics().registry().get("kvfallback.clients.rejected").functionCounter().count() >= 1);
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anIdleClientIsClosedButNotASubscriberOrABlockedOne() throws Exception {
        try (RawClient idle = new RawClient(proxy.port());
             RawClient subscriber = new RawClient(proxy.port());
             RawClient blocked = new RawClient(proxy.port())) {
            assertEquals("+PONG\\r\\n", show(idle.call("PING")));
            subscriber.call("SUBSCRIBE", "limits:idle");
            blocked.send("BLPOP", "limits:nothing", "3");
            assertTrue(idle.closedByPeer(4000), "an idle client outlived the 1 s timeout");
            assertEquals("*-1\\r\\n", show(blocked.readReply()), "a blocked client was closed while it waited");
            assertEquals("*2\\r\\n$4\\r\\npong\\r\\n$0\\r\\n\\r\\n", show(subscriber.call("PING")),
                    "a subscriber was closed for being quiet");
        }
    }

    @Test
    void aClientThatNeverReadsIsClosedAtItsOutputLimit() throws Exception {
        long before = info("kvfallback_clients_closed_output_buffer_limit");
        try (RawClient direct = new RawClient(redis.port()); RawClient setter = new RawClient(proxy.port());
             RawClient reader = new RawClient(proxy.port())) {
            // Backpressure keeps small replies from piling up (reading stops while the client does not
            // read); a few large ones outgrow the kernel's buffers and the 2 MB hard limit. The value is
            // set on Redis itself: through the proxy it would pass the 1 MB query buffer limit.
            assertEquals("+OK\\r\\n", show(direct.call("SET", "limits:big", "x".repeat(8 << 20))));
            for (int i = 0; i < 4; i++) {
                reader.send("GET", "limits:big");
            }
            long received = reader.discardUntilClosed(15_000);
            assertTrue(received >= 0, "a client that never reads was never closed");
            assertTrue(received < 4L * (8 << 20), "it got every reply: " + received);
            assertEquals("+PONG\\r\\n", show(setter.call("PING")), "another client was affected");
        }
        assertEquals(before + 1, info("kvfallback_clients_closed_output_buffer_limit"));
    }

    @Test
    void aSubscriberThatNeverReadsIsClosedAtThePubsubLimit() throws Exception {
        try (RawClient subscriber = new RawClient(proxy.port()); RawClient publisher = new RawClient(proxy.port())) {
            subscriber.call("SUBSCRIBE", "limits:flood");
            String message = "m".repeat(64 * 1024);
            for (int i = 0; i < 300; i++) {
                publisher.call("PUBLISH", "limits:flood", message);
            }
            assertTrue(subscriber.discardUntilClosed(15_000) >= 0, "a subscriber that never reads was never closed");
            assertEquals(":0\\r\\n", show(publisher.call("PUBLISH", "limits:flood", "after")),
                    "the closed subscriber was still subscribed");
        }
    }

    @Test
    void aRespThreeSubscriberWaitingOnABlockingCommandGetsItsMessagesAndItsLimit() throws Exception {
        try (RawClient subscriber = new RawClient(proxy.port()); RawClient publisher = new RawClient(proxy.port())) {
            subscriber.call("HELLO", "3");
            subscriber.call("SUBSCRIBE", "limits:blocked");
            subscriber.send("BLPOP", "limits:never", "0");
            assertEquals(":1\\r\\n", show(publisher.call("PUBLISH", "limits:blocked", "hi")));
            assertEquals(">3\\r\\n$7\\r\\nmessage\\r\\n$14\\r\\nlimits:blocked\\r\\n$2\\r\\nhi\\r\\n",
                    show(subscriber.readReply()), "the message waited behind the blocked BLPOP");
            // Messages it does not read no longer pile up unseen behind the BLPOP: the pubsub limit closes it.
            String message = "m".repeat(64 * 1024);
            for (int i = 0; i < 300; i++) {
                publisher.call("PUBLISH", "limits:blocked", message);
            }
            assertTrue(subscriber.discardUntilClosed(15_000) >= 0, "a blocked subscriber that never reads was never closed");
        }
    }

    @Test
    void aRequestPastTheQueryBufferLimitClosesTheClientWithoutAReply() throws Exception {
        try (RawClient big = new RawClient(proxy.port()); RawClient fine = new RawClient(proxy.port())) {
            assertEquals("+OK\\r\\n", show(fine.call("SET", "limits:q", "y".repeat(900 * 1024))), "under the limit");
            big.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\nabc".getBytes());
            assertEquals(0, big.discardUntilClosed(5000), "closed, as Redis does, without a reply");
            assertEquals(":921600\\r\\n", show(fine.call("STRLEN", "limits:q")));
        }
        assertTrue(info("kvfallback_clients_closed_query_buffer_limit") >= 1);
    }

    @Test
    void aPipelineOfLargeRequestsPastTheQueryLimitIsReadInWindowsAndAnsweredInFull() throws Exception {
        // 20 requests of 900 KB: each under the 1 MB request limit, together far past it. The proxy
        // stops reading after about 1 MB until those are answered, then reads on: none is lost.
        try (RawClient c = new RawClient(proxy.port())) {
            String value = "w".repeat(900 * 1024);
            for (int i = 0; i < 20; i++) {
                c.send("SET", "limits:window:" + i, value);
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("+OK\\r\\n", show(c.readReply()), "request " + i);
            }
            assertEquals(":921600\\r\\n", show(c.call("STRLEN", "limits:window:19")));
        }
    }

    @Test
    void clientsPastTheirSharedMemoryWaitTheirTurnAndAllAreAnswered() throws Exception {
        // Three clients pipelining 9 MB each against a 2 MB budget for all of them: each is paused
        // and woken as the others' requests are answered. Nothing is lost, and the budget is given back.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Long>> lengths = new ArrayList<>();
            for (int client = 0; client < 3; client++) {
                int id = client;
                lengths.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(proxy.port())) {
                        String value = Integer.toString(id).repeat(900 * 1024);
                        for (int i = 0; i < 10; i++) {
                            c.send("SET", "limits:shared:" + id + ":" + i, value);
                        }
                        for (int i = 0; i < 10; i++) {
                            assertEquals("+OK\\r\\n", show(c.readReply()), "client " + id + ", request " + i);
                        }
                        return Long.parseLong(show(c.call("STRLEN", "limits:shared:" + id + ":9")).replaceAll("\\D", ""));
                    }
                }));
            }
            for (java.util.concurrent.Future<Long> length : lengths) {
                assertEquals(921600L, length.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        // The clients have closed; their connections' ends are handled on the proxy's loops meanwhile.
        long deadline = System.currentTimeMillis() + 5000;
        double held;
        while ((held = proxy.metrics().registry().get("kvfallback.clients.request.bytes").gauge().value()) != 0
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0.0, held, "bytes still counted after every request was answered");
    }

    @Test
    void aLongPipelinePastTheCapIsAnsweredInFullAndInOrder() throws Exception {
        try (RawClient c = new RawClient(proxy.port())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                batch.append("*2\r\n$4\r\nECHO\r\n$").append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n");
            }
            c.writeBytes(batch.toString().getBytes());
            for (int i = 0; i < 2000; i++) {
                assertEquals("$" + Integer.toString(i).length() + "\\r\\n" + i + "\\r\\n", show(c.readReply()));
            }
        }
    }

    private static String pingWhenRoom() throws Exception {
        long deadline = System.currentTimeMillis() + 3000;
        while (true) {
            try (RawClient c = new RawClient(proxy.port())) {
                String reply = show(c.call("PING"));
                if (reply.equals("+PONG\\r\\n") || System.currentTimeMillis() > deadline) {
                    return reply;
                }
            }
            Thread.sleep(50);
        }
    }

    private static long info(String field) throws IOException {
        try (RawClient c = new RawClient(proxy.port())) {
            return c.infoNumber(field);
        }
    }
}
