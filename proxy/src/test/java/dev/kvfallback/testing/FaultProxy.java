package dev.kvfallback.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted RESP server in front of a real Redis, for fault tests: it passes commands through,
 * or answers them itself with a hosted Redis's rate-limit error, or stalls (reads nothing, answers
 * nothing), or cuts every connection. Replies keep request order per connection whatever answers
 * them: each connection keeps a queue of reply slots, filled by Redis or by the script.
 *
 * <p>Connection set-up commands ({@code HELLO}, {@code AUTH}, {@code CLIENT}, {@code SELECT})
 * always pass, as a client's connection would already be set up when its plan's limit is hit.
 * Threads: one acceptor, two per connection; plain blocking sockets on loopback.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with a command. */
    public enum Mode { PASS, RATE_LIMIT, STALL }

    public static final String RATE_LIMIT_ERROR = "ERR max requests limit exceeded. Limit: 10000, Usage: 10000";
    private static final Set<String> SET_UP = Set.of("hello", "auth", "client", "select");

    private final int redisPort;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;
    private final java.util.concurrent.atomic.AtomicLong rateLimited = new java.util.concurrent.atomic.AtomicLong();

    private FaultProxy(int redisPort) throws IOException {
        this.redisPort = redisPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FaultProxy start(int redisPort) throws IOException {
        return new FaultProxy(redisPort);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Commands answered with the rate-limit error so far. */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** Closes every connection now, as a network cut would; new ones are accepted. */
    public void cutAll() {
        for (Link link : links) {
            link.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
                client.setTcpNoDelay(true);
                redis.setTcpNoDelay(true);
                Link link = new Link(client, redis);
                links.add(link);
                link.start();
            } catch (IOException e) {
                // Redis refused: the client's connection ends, as Redis's own would
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /** One client connection and its connection to Redis. */
    private final class Link {
        private final Socket client;
        private final Socket redis;
        /** Reply slots in request order: null waits for Redis, bytes are ready. */
        private final ArrayDeque<byte[][]> slots = new ArrayDeque<>();

        Link(Socket client, Socket redis) {
            this.client = client;
            this.redis = redis;
        }

        void start() {
            daemon(this::requests, "fault-proxy-requests");
            daemon(this::replies, "fault-proxy-replies");
        }

        private void requests() {
            try (InputStream in = client.getInputStream(); OutputStream toRedis = redis.getOutputStream()) {
                Frames frames = new Frames(in);
                byte[] frame;
                while ((frame = frames.next()) != null) {
                    while (mode == Mode.STALL && !client.isClosed()) {
                        Thread.sleep(5);
                    }
                    String name = Frames.commandName(frame);
                    if (mode == Mode.RATE_LIMIT && !SET_UP.contains(name)) {
                        rateLimited.incrementAndGet();
                        answer(("-" + RATE_LIMIT_ERROR + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    } else {
                        synchronized (slots) {
                            slots.add(new byte[1][]);
                        }
                        toRedis.write(frame);
                        toRedis.flush();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // cut
            } finally {
                close();
            }
        }

        private void replies() {
            try (InputStream in = redis.getInputStream()) {
                Frames frames = new Frames(in);
                byte[] frame;
                while ((frame = frames.next()) != null) {
                    if (frame[0] == '>') {
                        write(frame);
                        continue;
                    }
                    synchronized (slots) {
                        for (byte[][] slot : slots) {
                            if (slot[0] == null) {
                                slot[0] = frame;
                                break;
                            }
                        }
                        flushReady();
                    }
                }
            } catch (IOException e) {
                // cut
            } finally {
                close();
            }
        }

        private void answer(byte[] reply) throws IOException {
            synchronized (slots) {
                slots.add(new byte[][]{reply});
                flushReady();
            }
        }

        /** Sends the replies at the head of the queue that are ready; called holding {@code slots}. */
        private void flushReady() throws IOException {
            while (!slots.isEmpty() && slots.peek()[0] != null) {
                write(slots.poll()[0]);
            }
        }

        private void write(byte[] bytes) throws IOException {
            synchronized (client) {
                OutputStream out = client.getOutputStream();
                out.write(bytes);
                out.flush();
            }
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
            try {
                redis.close();
            } catch (IOException ignored) {
                // closing
            }
            links.remove(this);
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Splits a RESP byte stream (requests or RESP2/RESP3 replies) into whole frames. */
    static final class Frames {
        private final InputStream in;
        private byte[] buf = new byte[8192];
        private int start;
        private int end;

        Frames(InputStream in) {
            this.in = in;
        }

        /** The next whole frame, or null at the end of the stream. */
        byte[] next() throws IOException {
            while (true) {
                int length = length(start);
                if (length > 0) {
                    byte[] frame = Arrays.copyOfRange(buf, start, start + length);
                    start += length;
                    return frame;
                }
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int n = in.read(buf, end, buf.length - end);
                if (n < 0) {
                    return null;
                }
                end += n;
            }
        }

        /** The length of the whole frame at {@code at}, or -1 if it is not all here yet. */
        private int length(int at) {
            int eol = lineEnd(at);
            if (eol < 0) {
                return -1;
            }
            byte type = buf[at];
            int next = eol + 2;
            switch (type) {
                case '$', '=', '!' -> {
                    long n = number(at + 1, eol);
                    if (n < 0) {
                        return next - at;
                    }
                    return next + n + 2 <= end ? (int) (next + n + 2 - at) : -1;
                }
                case '*', '~', '>', '%', '|' -> {
                    long n = number(at + 1, eol);
                    if (type == '%' || type == '|') {
                        n *= 2;
                    }
                    int pos = next;
                    for (long i = 0; i < n; i++) {
                        int len = length(pos);
                        if (len < 0) {
                            return -1;
                        }
                        pos += len;
                    }
                    return pos - at;
                }
                default -> {
                    return next - at;
                }
            }
        }

        private int lineEnd(int from) {
            for (int i = from; i + 1 < end; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private long number(int from, int to) {
            String s = new String(buf, from, to - from, StandardCharsets.US_ASCII);
            return s.equals("?") ? 0 : Long.parseLong(s);
        }

        /** The lower-case command name of a request frame ({@code *N\r\n$len\r\nNAME...}). */
        static String commandName(byte[] frame) {
            ByteArrayOutputStream name = new ByteArrayOutputStream();
            int i = 0;
            int lines = 0;
            while (i + 1 < frame.length && lines < 2) {
                if (frame[i] == '\r' && frame[i + 1] == '\n') {
                    lines++;
                    i += 2;
                    continue;
                }
                i++;
            }
            while (i < frame.length && frame[i] != '\r') {
                name.write(frame[i++]);
            }
            return name.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        }
    }
}
