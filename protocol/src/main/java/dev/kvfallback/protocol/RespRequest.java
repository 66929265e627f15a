package dev.kvfallback.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One client command as it arrived: binary-safe arguments, the command name first, and whether it
 * came as an inline command ({@code PING\r\n}) rather than a multibulk array.
 *
 * <p>The argument arrays are owned by the request and must not be modified by anyone; accessors
 * return them without copying because a proxy forwards them on the hot path.
 */
public final class RespRequest {

    private final byte[][] args;
    private final boolean inline;
    private String name;
    private long weight = -1;

    /**
     * @param args at least one argument; the request takes ownership of the arrays
     * @param inline whether the client sent it as an inline command
     */
    public RespRequest(byte[][] args, boolean inline) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a request has at least the command name");
        }
        this.args = args;
        this.inline = inline;
    }

    /** A multibulk request of UTF-8 arguments, for tests and for commands the proxy issues itself. */
    public static RespRequest of(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new RespRequest(bytes, false);
    }

    /** Number of arguments, the command name included (Redis's {@code argc}). */
    public int size() {
        return args.length;
    }

    /** Argument {@code i}; 0 is the command name. Not a copy. */
    public byte[] arg(int i) {
        return args[i];
    }

    /** Argument {@code i} decoded as UTF-8, for messages and keywords. */
    public String argText(int i) {
        return new String(args[i], StandardCharsets.UTF_8);
    }

    /**
     * The command name lowercased in ASCII only, each byte one char (ISO-8859-1), so it is a stable
     * lookup key: Redis compares command names with {@code strcasecmp}, which folds only A-Z.
     */
    public String name() {
        String n = name;
        if (n == null) {
            byte[] lower = args[0].clone();
            for (int i = 0; i < lower.length; i++) {
                if (lower[i] >= 'A' && lower[i] <= 'Z') {
                    lower[i] += 'a' - 'A';
                }
            }
            n = new String(lower, StandardCharsets.ISO_8859_1);
            name = n; // benign race: Strings are immutable and equal
        }
        return n;
    }

    /** All arguments as an unmodifiable list view (the arrays themselves are not copied). */
    public List<byte[]> args() {
        return Collections.unmodifiableList(Arrays.asList(args));
    }

    /** What the request takes in memory as {@link RespLimits#maxRequestBytes} counts it: its bytes plus a little per argument. */
    public long weight() {
        if (weight < 0) {
            long bytes = 0;
            for (byte[] arg : args) {
                bytes += arg.length + RespLimits.ARGUMENT_OVERHEAD;
            }
            weight = bytes;
        }
        return weight;
    }

    /** Whether the client sent an inline command rather than a multibulk array. */
    public boolean inline() {
        return inline;
    }

    @Override public boolean equals(Object o) {
        return o instanceof RespRequest r && inline == r.inline && Arrays.deepEquals(args, r.args);
    }

    @Override public int hashCode() {
        return Arrays.deepHashCode(args) * 31 + Boolean.hashCode(inline);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(inline ? "inline[" : "[");
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('"');
            for (byte b : args[i]) {
                if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02x", b & 0xff));
                }
            }
            sb.append('"');
        }
        return sb.append(']').toString();
    }
}
