package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes {@link RespValue}s as RESP3, or downgraded to RESP2 exactly as Redis 7.0 writes the same
 * reply to a RESP2 client: maps become flat arrays ({@code *2n}), sets and pushes arrays, doubles
 * bulk strings of {@link RespDoubles#format}, booleans {@code :1}/{@code :0}, big numbers and
 * verbatim strings bulk strings (without the {@code txt:} prefix), bulk errors simple errors,
 * attributes are dropped, and each null is {@code $-1} or {@code *-1} as it was meant.
 * The downgrade is by type only: a few commands shape their RESP3 reply differently, not just
 * typed differently (ZRANGE WITHSCORES nests [member, score] pairs, XREAD answers a map where
 * RESP2 has [key, entries] pairs, BLPOP's RESP2 null is {@code *-1}); the caller that knows the
 * command must build the RESP2 shape for those (see {@code redis-replies.txt} in the tests).
 *
 * <p>Hot path: headers for counts and lengths 0..1023 and integers 0..1023 are prebuilt byte arrays
 * (like Redis's {@code shared.mbulkhdr} / {@code shared.bulkhdr}); other numbers are written as
 * ASCII digits straight into the buffer without a String. Simple strings and errors have CR and LF
 * replaced by spaces, as Redis's {@code addReplyErrorFormat} does, so a value can never break the
 * framing of the stream.
 */
public final class RespEncoder {

    private static final int CACHED = 1024;
    private static final short CRLF = ('\r' << 8) | '\n';

    private static final byte[][] ARRAY_HEADERS = headers('*');
    private static final byte[][] BULK_HEADERS = headers('$');
    private static final byte[][] INTEGERS = headers(':');

    private static final byte[] NULL_RESP3 = ascii("_\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] TRUE_RESP3 = ascii("#t\r\n");
    private static final byte[] FALSE_RESP3 = ascii("#f\r\n");
    private static final byte[] RAW_NOT_DOWNGRADED =
            ascii("ERR kvfallback: a RESP3 reply too deeply nested to convert to RESP2");
    private static final byte[] LONG_MIN_DIGITS = ascii(Long.toString(Long.MIN_VALUE));

    private RespEncoder() {
    }

    /**
     * Appends {@code value} to {@code out} as RESP{@code protocol}. The caller keeps ownership of {@code out}.
     *
     * @param protocol 2 or 3, the client's {@code HELLO} version
     */
    public static void write(RespValue value, int protocol, ByteBuf out) {
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("RESP protocol must be 2 or 3: " + protocol);
        }
        writeValue(value, protocol == 3, out);
    }

    /** {@code value} as RESP{@code protocol} bytes, for tests and canned replies. */
    public static byte[] toBytes(RespValue value, int protocol) {
        ByteBuf buf = Unpooled.buffer();
        try {
            write(value, protocol, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Appends a request, {@code *n} then one {@code $len} bulk per argument, as clients send commands. */
    public static void writeCommand(ByteBuf out, byte[]... args) {
        writeHeader(out, '*', ARRAY_HEADERS, args.length);
        for (byte[] arg : args) {
            writeBulk(out, arg);
        }
    }

    private static void writeValue(RespValue value, boolean resp3, ByteBuf out) {
        // Ordered by how often a proxy writes each type.
        if (value instanceof RespValue.Bulk b) {
            writeBulk(out, b.bytes());
        } else if (value instanceof RespValue.Int i) {
            writeHeader(out, ':', INTEGERS, i.value());
        } else if (value instanceof RespValue.Simple s) {
            writeLine(out, '+', s.bytes());
        } else if (value instanceof RespValue.Null n) {
            out.writeBytes(resp3 ? NULL_RESP3 : n == RespValue.Null.BULK ? NULL_BULK : NULL_ARRAY);
        } else if (value instanceof RespValue.Array a) {
            writeAggregate(out, '*', a.items(), resp3);
        } else if (value instanceof RespValue.Error e) {
            writeLine(out, '-', e.bytes());
        } else if (value instanceof RespValue.Map m) {
            if (resp3) {
                writeHeader(out, '%', null, m.flat().size() / 2);
                writeElements(out, m.flat(), true);
            } else {
                writeAggregate(out, '*', m.flat(), false);
            }
        } else if (value instanceof RespValue.Double d) {
            byte[] text = ascii(RespDoubles.format(d.value()));
            if (resp3) {
                writeLine(out, ',', text);
            } else {
                writeBulk(out, text);
            }
        } else if (value instanceof RespValue.Bool b) {
            if (resp3) {
                out.writeBytes(b == RespValue.Bool.TRUE ? TRUE_RESP3 : FALSE_RESP3);
            } else {
                out.writeBytes(INTEGERS[b == RespValue.Bool.TRUE ? 1 : 0]);
            }
        } else if (value instanceof RespValue.Set s) {
            writeAggregate(out, resp3 ? '~' : '*', s.items(), resp3);
        } else if (value instanceof RespValue.Push p) {
            writeAggregate(out, resp3 ? '>' : '*', p.items(), resp3);
        } else if (value instanceof RespValue.Verbatim v) {
            if (resp3) {
                byte[] format = v.format().getBytes(StandardCharsets.US_ASCII);
                writeHeader(out, '=', null, format.length + 1L + v.bytes().length);
                out.writeBytes(format).writeByte(':').writeBytes(v.bytes()).writeShort(CRLF);
            } else {
                writeBulk(out, v.bytes());
            }
        } else if (value instanceof RespValue.BigNumber b) {
            if (resp3) {
                writeLine(out, '(', b.digits());
            } else {
                writeBulk(out, b.digits());
            }
        } else if (value instanceof RespValue.BulkError e) {
            if (resp3) {
                writeHeader(out, '!', null, e.bytes().length);
                out.writeBytes(e.bytes()).writeShort(CRLF);
            } else {
                writeLine(out, '-', e.bytes());
            }
        } else if (value instanceof RespValue.Attributed a) {
            if (resp3) {
                writeHeader(out, '|', null, a.attributes().size() / 2);
                writeElements(out, a.attributes(), true);
            }
            writeValue(a.value(), resp3, out);
        } else if (value instanceof RespValue.Raw r) {
            if (r.protocol() == 3 && !resp3) {
                writeLine(out, '-', RAW_NOT_DOWNGRADED);
            } else {
                out.writeBytes(r.bytes());
            }
        } else {
            throw new IllegalArgumentException("not a RESP value: " + value);
        }
    }

    private static void writeAggregate(ByteBuf out, char prefix, List<RespValue> items, boolean resp3) {
        writeHeader(out, prefix, prefix == '*' ? ARRAY_HEADERS : null, items.size());
        writeElements(out, items, resp3);
    }

    private static void writeElements(ByteBuf out, List<RespValue> items, boolean resp3) {
        for (int i = 0, n = items.size(); i < n; i++) {
            writeValue(items.get(i), resp3, out);
        }
    }

    private static void writeBulk(ByteBuf out, byte[] bytes) {
        writeHeader(out, '$', BULK_HEADERS, bytes.length);
        out.writeBytes(bytes).writeShort(CRLF);
    }

    /** {@code prefix text CRLF}, with any CR or LF in {@code text} written as a space. */
    private static void writeLine(ByteBuf out, char prefix, byte[] text) {
        out.writeByte(prefix);
        int clean = 0;
        while (clean < text.length && text[clean] != '\r' && text[clean] != '\n') {
            clean++;
        }
        if (clean == text.length) {
            out.writeBytes(text);
        } else {
            byte[] copy = text.clone();
            for (int i = clean; i < copy.length; i++) {
                if (copy[i] == '\r' || copy[i] == '\n') {
                    copy[i] = ' ';
                }
            }
            out.writeBytes(copy);
        }
        out.writeShort(CRLF);
    }

    /** {@code prefix n CRLF}, from {@code cache} when it has {@code n}. */
    private static void writeHeader(ByteBuf out, char prefix, byte[][] cache, long n) {
        if (cache != null && n >= 0 && n < CACHED) {
            out.writeBytes(cache[(int) n]);
            return;
        }
        out.writeByte(prefix);
        writeDigits(out, n);
        out.writeShort(CRLF);
    }

    private static void writeDigits(ByteBuf out, long n) {
        if (n == Long.MIN_VALUE) {
            out.writeBytes(LONG_MIN_DIGITS); // its magnitude does not fit in a long
            return;
        }
        if (n < 0) {
            out.writeByte('-');
            n = -n;
        }
        int digits = 1;
        for (long rest = n / 10; rest != 0; rest /= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int first = out.writerIndex();
        for (int i = first + digits - 1; i >= first; i--) {
            out.setByte(i, (int) ('0' + n % 10));
            n /= 10;
        }
        out.writerIndex(first + digits);
    }

    private static byte[][] headers(char prefix) {
        byte[][] headers = new byte[CACHED][];
        for (int i = 0; i < CACHED; i++) {
            headers[i] = ascii(prefix + Integer.toString(i) + "\r\n");
        }
        return headers;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
