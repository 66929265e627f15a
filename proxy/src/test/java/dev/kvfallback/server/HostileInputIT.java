package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random bytes from many connections at once, and requests shaped to cost memory (huge announced
 * lengths and counts never sent): the proxy answers each with a protocol error or simply waits,
 * keeps serving a well-behaved client the whole time, and its heap stays bounded.
 */
class HostileInputIT {

    private static final int CONNECTIONS = 32;
    private static final int BYTES_EACH = 256 * 1024;
    private static final int ATTACK_SECONDS = 4;

    @Test
    void randomBytesFromManyConnectionsLeaveTheProxyServingOthersWithBoundedMemory() throws Exception {
        long seed = System.nanoTime();
        try (RedisServer redis = RedisServer.start(); KvFallback proxy = Proxy.start(redis.url())) {
            long baseline = heapAfterGc();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong served = new AtomicLong();
            AtomicLong slowest = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS + 1);
            try {
                Future<?> good = pool.submit(() -> {
                    try (RawClient c = new RawClient(proxy.port())) {
                        for (long i = 0; !stop.get(); i++) {
                            long start = System.nanoTime();
                            assertEquals("+OK\\r\\n", show(c.call("SET", "hostile:good", "v" + i)));
                            assertEquals("$" + ("v" + i).length() + "\\r\\nv" + i + "\\r\\n",
                                    show(c.call("GET", "hostile:good")));
                            served.incrementAndGet();
                            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                        }
                    }
                    return null;
                });
                // Each attacker reconnects with fresh garbage until the attack's time is up.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(ATTACK_SECONDS);
                AtomicLong connections = new AtomicLong();
                List<Future<?>> attackers = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Random random = new Random(seed + i);
                    attackers.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            blast(proxy.port(), random);
                            connections.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> attacker : attackers) {
                    attacker.get(60, TimeUnit.SECONDS);
                }
                long servedDuring = served.get();
                stop.set(true);
                good.get(10, TimeUnit.SECONDS);
                // The attackers share the test JVM's two cores with the proxy: what matters is that the
                // good client keeps being answered, each round trip in bounded time.
                String figures = "the good client got " + servedDuring + " round trips, the slowest "
                        + slowest.get() / 1_000_000 + " ms, during " + connections.get() + " hostile connections (seed "
                        + seed + ")";
                System.out.println("HostileInputIT: " + figures);
                assertTrue(servedDuring >= 10 && slowest.get() < TimeUnit.SECONDS.toNanos(5), figures);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            long grown = heapAfterGc() - baseline;
            assertTrue(grown < 64L << 20, "heap grew by " + (grown >> 20) + " MB after the attack (seed " + seed + ")");
            awaitClients(proxy, 0);
        }
    }

    @Test
    void announcedButUnsentSizesCostNothingAndAreRefusedPastTheLimits() throws Exception {
        try (RedisServer redis = RedisServer.start(); KvFallback proxy = Proxy.start(redis.url())) {
            long baseline = heapAfterGc();
            List<RawClient> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    RawClient c = new RawClient(proxy.port());
                    // 512 MB announced, 10 bytes sent, and a count of a billion arguments: both wait for more.
                    c.writeBytes((i % 2 == 0 ? "*2\r\n$3\r\nGET\r\n$536870912\r\n0123456789" : "*1000000000\r\n$3\r\nGET\r\n")
                            .getBytes());
                    waiting.add(c);
                }
                Thread.sleep(500);
                long grown = heapAfterGc() - baseline;
                assertTrue(grown < 32L << 20, "64 half-sent requests cost " + (grown >> 20) + " MB");
                try (RawClient c = new RawClient(proxy.port())) {
                    c.writeBytes("*1\r\n$536870913\r\n".getBytes());
                    assertEquals("-ERR Protocol error: invalid bulk length\\r\\n", show(c.readReply()));
                    assertTrue(c.closedByPeer(2000));
                }
                try (RawClient c = new RawClient(proxy.port())) {
                    c.writeBytes("*2147483648\r\n".getBytes());
                    assertEquals("-ERR Protocol error: invalid multibulk length\\r\\n", show(c.readReply()));
                }
                try (RawClient c = new RawClient(proxy.port())) {
                    assertEquals("+PONG\\r\\n", show(c.call("PING")));
                }
            } finally {
                for (RawClient c : waiting) {
                    c.close();
                }
            }
        }
    }

    /** Writes random bytes in random-sized pieces until done or closed, then reads until closed or quiet. */
    private static void blast(int port, Random random) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[64 * 1024];
            byte[] noise = new byte[BYTES_EACH];
            random.nextBytes(noise);
            int sent = 0;
            try {
                while (sent < BYTES_EACH) {
                    int length = Math.min(1 + random.nextInt(8192), BYTES_EACH - sent);
                    if (random.nextInt(4) == 0) {
                        noise[sent] = '*'; // now and then a multibulk start, so counts and lengths get parsed too
                    }
                    out.write(noise, sent, length);
                    int piece = length;
                    sent += piece;
                    drain(in, sink);
                }
            } catch (IOException closed) {
                return; // the proxy closed the connection: a protocol error, as expected
            }
        }
    }

    /** Reads whatever replies are there without waiting long (a client that reads, so no output limit is hit). */
    private static void drain(InputStream in, byte[] sink) throws IOException {
        try {
            while (in.available() > 0) {
                if (in.read(sink) < 0) {
                    throw new IOException("closed");
                }
            }
        } catch (SocketTimeoutException quiet) {
            // nothing to read
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void awaitClients(KvFallback proxy, int expected) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (connectedClients(proxy) != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(expected, connectedClients(proxy), "connections the proxy still holds after every client left");
    }

    private static int connectedClients(KvFallback proxy) {
        return (int) proxy.metrics().registry().get("kvfallback.client.connections").gauge().value();
    }
}
