package dev.kvfallback.testing;

import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespLimits;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.protocol.RespValueDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A byte-level RESP client: sends commands and returns the exact bytes of each reply, so tests can
 * compare what the proxy writes with what Redis writes, byte for byte.
 */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuf pending = Unpooled.buffer();
    /** Redis's replies may nest as deep as Lua's stack lets a script's table go (about 8000 levels). */
    private static final RespLimits LIMITS = RespLimits.defaults().withMaxNestingDepth(100_000);

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends one command and returns its reply's bytes. */
    public byte[] call(String... args) throws IOException {
        send(args);
        return readReply();
    }

    public void send(String... args) throws IOException {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        sendRaw(bytes);
    }

    public void sendRaw(byte[]... args) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespEncoder.writeCommand(buf, args);
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            writeBytes(b);
        } finally {
            buf.release();
        }
    }

    public void writeBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The bytes of the next complete reply (or push frame). */
    public byte[] readReply() throws IOException {
        while (true) {
            int start = pending.readerIndex();
            if (pending.isReadable()) {
                RespValue v = RespValueDecoder.decodeOne(pending, LIMITS);
                if (v != null) {
                    byte[] reply = new byte[pending.readerIndex() - start];
                    pending.getBytes(start, reply);
                    pending.discardReadBytes();
                    return reply;
                }
            }
            byte[] chunk = new byte[8192];
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("connection closed by peer");
            }
            pending.writeBytes(chunk, 0, n);
        }
    }

    /** Sends one command and returns the payload of its bulk or verbatim string reply. */
    public byte[] readValueOf(String... args) throws IOException {
        send(args);
        RespValue value = readValue();
        if (value instanceof RespValue.Bulk b) {
            return b.bytes();
        }
        if (value instanceof RespValue.Verbatim v) {
            return v.bytes();
        }
        throw new AssertionError("not a string reply: " + value);
    }

    public RespValue readValue() throws IOException {
        return RespValueDecoder.decodeAll(readReply()).get(0);
    }

    /** Whether the peer has closed the connection (waits up to {@code millis}). */
    public boolean closedByPeer(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    /**
     * Reads and discards whatever arrives until the peer closes: the bytes read, or -1 if the
     * connection is still open after {@code millis}.
     */
    public long discardUntilClosed(int millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        long total = pending.readableBytes();
        pending.clear();
        byte[] chunk = new byte[64 * 1024];
        try {
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return -1;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(chunk);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return total; // reset by the peer: closed too
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    /** A number of the proxy's {@code # kvfallback} INFO section, e.g. {@code kvfallback_auth_failures}. */
    public long infoNumber(String field) throws IOException {
        String info = new String(call("INFO", "kvfallback"), StandardCharsets.UTF_8);
        int at = info.indexOf(field + ":");
        if (at < 0) {
            throw new AssertionError("INFO has no " + field + ": " + info);
        }
        at += field.length() + 1;
        return Long.parseLong(info.substring(at, info.indexOf("\r\n", at)));
    }

    /** Nothing more arrives within {@code millis}. */
    public boolean silentFor(int millis) throws IOException {
        if (pending.isReadable()) {
            return false;
        }
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            if (b >= 0) {
                pending.writeByte(b);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    public static String show(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\\r\\n");
    }

    public static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    @Override
    public void close() throws IOException {
        pending.release();
        socket.close();
    }
}
