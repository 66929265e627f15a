package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decodes every RESP2 and RESP3 type into {@link RespValue}s: replies from a server, scripted test
 * servers, and RESP resources. Input that breaks the protocol or {@link RespLimits} raises a
 * {@link DecoderException}; after that the connection's remaining input is ignored, because a RESP
 * stream cannot be resynchronised.
 *
 * <p>Design: a state machine over one line or payload at a time, with an explicit stack of open
 * aggregates instead of recursion, so deep or huge replies need neither the Java stack nor the
 * whole reply in one buffer. A line is consumed only when complete and {@link #scanned} remembers
 * how far its search got; large bulk payloads are moved out of the cumulation as they arrive
 * ({@link PartialBulk}). One top-level value is emitted per {@code decode} call.
 *
 * <p>Mappings worth knowing: {@code $-1} is {@link RespValue.Null#BULK}, {@code *-1} is
 * {@link RespValue.Null#ARRAY}, and RESP3 {@code _} is {@link RespValue.Null#BULK} (RESP3 has one
 * null; Redis uses it where RESP2 sends {@code $-1} far more often than {@code *-1}). {@code =len}
 * becomes a {@link RespValue.Verbatim} split at the {@code fmt:} prefix. {@code |n} attributes
 * are attached to the value that follows them as a {@link RespValue.Attributed}. RESP3 streamed
 * strings and aggregates ({@code $?}, {@code *?}) are not supported: Redis never sends them.
 */
public final class RespValueDecoder extends ByteToMessageDecoder {

    private static final int MAX_PREALLOCATED_ELEMENTS = 1024;

    /** Marker, compared by identity: a line opened an aggregate; nothing is finished yet. */
    private static final RespValue OPENED = new RespValue.Simple(new byte[0]);

    private final RespLimits limits;
    private final ArrayDeque<Aggregate> open = new ArrayDeque<>();
    /** Bytes of the pending line, from the reader index, already searched for {@code \n}. */
    private int scanned;
    /** Type byte of the bulk-like value whose payload is awaited, or 0 when reading a line. */
    private byte payloadType;
    private int payloadLength;
    private PartialBulk partial;
    private boolean failed;

    /** A decoder enforcing {@code limits}' bulk, aggregate and nesting bounds. */
    public RespValueDecoder(RespLimits limits) {
        this.limits = limits;
    }

    /** A decoder with {@link RespLimits#defaults()}. */
    public RespValueDecoder() {
        this(RespLimits.defaults());
    }

    /**
     * Decodes the first complete value in {@code buf} and moves its reader index past it. Returns
     * null, with the reader index unchanged, when {@code buf} holds only part of a value.
     * The caller keeps ownership of {@code buf}.
     *
     * @throws DecoderException if the bytes are not RESP or break the default limits
     */
    public static RespValue decodeOne(ByteBuf buf) {
        return decodeOne(buf, RespLimits.defaults());
    }

    /** {@link #decodeOne(ByteBuf)} within {@code limits}. */
    public static RespValue decodeOne(ByteBuf buf, RespLimits limits) {
        int mark = buf.readerIndex();
        RespValue value = new RespValueDecoder(limits).next(buf);
        if (value == null) {
            buf.readerIndex(mark);
        }
        return value;
    }

    /**
     * Decodes every value in {@code bytes}, which must end at a value boundary.
     *
     * @throws DecoderException if the bytes are not RESP, break the default limits or are truncated
     */
    public static List<RespValue> decodeAll(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            RespValueDecoder decoder = new RespValueDecoder();
            List<RespValue> values = new ArrayList<>();
            while (buf.isReadable()) {
                RespValue value = decoder.next(buf);
                if (value == null) {
                    throw new DecoderException("truncated RESP: " + buf.readableBytes() + " bytes left over");
                }
                values.add(value);
            }
            return values;
        } finally {
            buf.release();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        RespValue value;
        try {
            value = next(in);
        } catch (DecoderException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (value != null) {
            out.add(value);
        }
    }

    /** The next complete top-level value, or null when {@code in} runs out first. */
    private RespValue next(ByteBuf in) {
        while (true) {
            RespValue value = payloadType != 0 ? payload(in) : line(in);
            if (value == null) {
                return null;
            }
            if (value == OPENED) {
                continue;
            }
            value = close(value);
            if (value != null) {
                return value;
            }
        }
    }

    /** Adds a finished value to the innermost open aggregates, closing those it completes. */
    private RespValue close(RespValue value) {
        Aggregate top;
        while ((top = open.peek()) != null) {
            if (!top.add(value)) {
                return null;
            }
            open.pop();
            value = top.build();
        }
        return value;
    }

    private RespValue line(ByteBuf in) {
        int start = in.readerIndex();
        int from = start + scanned;
        int lf = in.forEachByte(from, in.writerIndex() - from, ByteProcessor.FIND_LF);
        if (lf < 0) {
            scanned = in.writerIndex() - start;
            if (scanned > limits.maxBulkLength()) {
                throw new DecoderException("RESP line longer than " + limits.maxBulkLength() + " bytes");
            }
            return null;
        }
        scanned = 0;
        if (lf == start || in.getByte(lf - 1) != '\r') {
            throw new DecoderException("RESP line not terminated by CRLF");
        }
        byte type = in.getByte(start);
        int textStart = start + 1;
        int end = lf - 1;
        in.readerIndex(lf + 1);
        switch (type) {
            case '+':
                return new RespValue.Simple(bytes(in, textStart, end));
            case '-':
                return new RespValue.Error(bytes(in, textStart, end));
            case ':':
                return new RespValue.Int(parseLong(in, textStart, end));
            case '_':
                if (end != textStart) {
                    throw new DecoderException("RESP null with a payload");
                }
                return RespValue.Null.BULK;
            case ',':
                return new RespValue.Double(parseDouble(in, textStart, end));
            case '#':
                return parseBoolean(in, textStart, end);
            case '(':
                return new RespValue.BigNumber(parseBigNumber(in, textStart, end));
            case '$':
            case '!':
            case '=':
                return announcePayload(type, parseLong(in, textStart, end), in);
            case '*':
            case '%':
            case '~':
            case '>':
            case '|':
                return openAggregate(type, parseLong(in, textStart, end));
            default:
                throw new DecoderException(String.format("unknown RESP type byte 0x%02x", type & 0xff));
        }
    }

    private RespValue announcePayload(byte type, long length, ByteBuf in) {
        if (length == -1 && type == '$') {
            return RespValue.Null.BULK;
        }
        if (length < 0) {
            throw new DecoderException("invalid RESP length " + length + " for '" + (char) type + "'");
        }
        if (length > limits.maxBulkLength()) {
            throw new DecoderException("RESP bulk length " + length + " exceeds " + limits.maxBulkLength());
        }
        payloadType = type;
        payloadLength = (int) length;
        return payload(in);
    }

    private RespValue payload(ByteBuf in) {
        byte[] bytes;
        if (partial == null) {
            if (in.readableBytes() >= payloadLength + 2) {
                bytes = new byte[payloadLength];
                in.readBytes(bytes);
            } else {
                if (payloadLength >= PartialBulk.THRESHOLD && in.isReadable()) {
                    partial = new PartialBulk(payloadLength);
                    partial.fill(in);
                }
                return null;
            }
        } else {
            if (!partial.fill(in) || in.readableBytes() < 2) {
                return null;
            }
            bytes = partial.bytes();
            partial = null;
        }
        if (in.readByte() != '\r' || in.readByte() != '\n') {
            throw new DecoderException("RESP payload not followed by CRLF");
        }
        byte type = payloadType;
        payloadType = 0;
        return switch (type) {
            case '$' -> new RespValue.Bulk(bytes);
            case '!' -> new RespValue.BulkError(bytes);
            default -> verbatim(bytes);
        };
    }

    private static RespValue verbatim(byte[] bytes) {
        if (bytes.length < 4 || bytes[3] != ':') {
            throw new DecoderException("RESP verbatim string without a 3-letter format prefix");
        }
        String format = new String(bytes, 0, 3, StandardCharsets.US_ASCII);
        byte[] text = new byte[bytes.length - 4];
        System.arraycopy(bytes, 4, text, 0, text.length);
        return new RespValue.Verbatim(format, text);
    }

    private RespValue openAggregate(byte type, long count) {
        if (count == -1 && type == '*') {
            return RespValue.Null.ARRAY;
        }
        if (count < 0) {
            throw new DecoderException("invalid RESP count " + count + " for '" + (char) type + "'");
        }
        // Maps and attributes announce pairs; an attribute is also followed by the value it annotates.
        long elements = type == '%' || type == '|' ? 2 * count : count;
        if (elements > limits.maxAggregateLength()) {
            throw new DecoderException("RESP aggregate of " + elements + " elements exceeds " + limits.maxAggregateLength());
        }
        if (open.size() >= limits.maxNestingDepth()) {
            throw new DecoderException("RESP nesting deeper than " + limits.maxNestingDepth());
        }
        int expected = (int) elements + (type == '|' ? 1 : 0);
        if (expected == 0) {
            return switch (type) {
                case '*' -> RespValue.Array.EMPTY;
                case '%' -> new RespValue.Map(List.of());
                case '~' -> new RespValue.Set(List.of());
                default -> new RespValue.Push(List.of());
            };
        }
        open.push(new Aggregate(type, expected));
        return OPENED;
    }

    private static byte[] bytes(ByteBuf in, int from, int to) {
        byte[] bytes = new byte[to - from];
        in.getBytes(from, bytes);
        return bytes;
    }

    private static long parseLong(ByteBuf in, int from, int to) {
        int i = from;
        boolean negative = i < to && in.getByte(i) == '-';
        if (negative || (i < to && in.getByte(i) == '+')) {
            i++;
        }
        if (i == to || to - from > 20) {
            throw new DecoderException("invalid RESP number: " + text(in, from, to));
        }
        long value = 0;
        for (; i < to; i++) {
            int digit = in.getByte(i) - '0';
            if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
                throw new DecoderException("invalid RESP number: " + text(in, from, to));
            }
            value = value * 10 - digit; // negative accumulation reaches Long.MIN_VALUE
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw new DecoderException("invalid RESP number: " + text(in, from, to));
        }
        return negative ? value : -value;
    }

    private static double parseDouble(ByteBuf in, int from, int to) {
        String s = text(in, from, to);
        switch (s) {
            case "inf", "+inf" -> {
                return java.lang.Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return java.lang.Double.NEGATIVE_INFINITY;
            }
            case "nan", "-nan" -> {
                return java.lang.Double.NaN;
            }
            default -> {
                // Java also accepts "Infinity", "NaN", hex floats and a trailing 'd': RESP does not.
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
                        throw new DecoderException("invalid RESP double: " + s);
                    }
                }
                try {
                    return java.lang.Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new DecoderException("invalid RESP double: " + s);
                }
            }
        }
    }

    private static RespValue parseBoolean(ByteBuf in, int from, int to) {
        if (to - from == 1) {
            byte b = in.getByte(from);
            if (b == 't') {
                return RespValue.Bool.TRUE;
            }
            if (b == 'f') {
                return RespValue.Bool.FALSE;
            }
        }
        throw new DecoderException("invalid RESP boolean: " + text(in, from, to));
    }

    private static byte[] parseBigNumber(ByteBuf in, int from, int to) {
        int i = from < to && (in.getByte(from) == '-' || in.getByte(from) == '+') ? from + 1 : from;
        if (i == to) {
            throw new DecoderException("invalid RESP big number: " + text(in, from, to));
        }
        for (; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new DecoderException("invalid RESP big number: " + text(in, from, to));
            }
        }
        return bytes(in, from, to);
    }

    private static String text(ByteBuf in, int from, int to) {
        return in.toString(from, Math.min(to - from, 64), StandardCharsets.ISO_8859_1);
    }

    /** An aggregate whose elements are still arriving. */
    private static final class Aggregate {
        private final byte type;
        private final List<RespValue> items;
        private int missing;

        Aggregate(byte type, int expected) {
            this.type = type;
            this.missing = expected;
            this.items = new ArrayList<>(Math.min(expected, MAX_PREALLOCATED_ELEMENTS));
        }

        /** Adds an element; true when that was the last one. */
        boolean add(RespValue value) {
            items.add(value);
            return --missing == 0;
        }

        RespValue build() {
            List<RespValue> list = Collections.unmodifiableList(items);
            return switch (type) {
                case '*' -> new RespValue.Array(list);
                case '%' -> new RespValue.Map(list);
                case '~' -> new RespValue.Set(list);
                case '>' -> new RespValue.Push(list);
                default -> new RespValue.Attributed(list.subList(0, list.size() - 1), items.get(items.size() - 1));
            };
        }
    }
}
