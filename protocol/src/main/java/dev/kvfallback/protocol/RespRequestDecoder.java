package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Server-side decoder of client commands: bytes in, {@link RespRequest}s out, with Redis 7.0's exact
 * rules and error texts ({@code processInlineBuffer} / {@code processMultibulkBuffer} in
 * {@code networking.c}). On bad input it emits one {@link RespProtocolError} after the commands
 * that preceded it and ignores everything after; it never throws for client input.
 *
 * <p>Design: a small state machine (START, INLINE, COUNT, BULK_LENGTH, BULK, DISCARD). Nothing is
 * consumed until a whole line is there, and {@link #scanned} remembers how much of the pending line
 * was already searched, so a line trickling in byte by byte is scanned once. Bulk payloads shorter
 * than {@link PartialBulk#THRESHOLD} wait in the cumulation and are copied once into their own
 * array; longer ones are moved out as they arrive (see {@link PartialBulk}).
 *
 * <p>Redis quirks kept on purpose, each checked against redis-server 7.0.15:
 * <ul>
 *   <li>A multibulk line ends at {@code \r}; the byte after it is skipped unchecked, and so are the
 *       two bytes after a bulk payload.</li>
 *   <li>The search for a line end stops at a NUL byte, as C {@code strchr} does: such a line never
 *       completes and ends in a "too big" error once more than 64 KiB are buffered.</li>
 *   <li>Counts and lengths are parsed like {@code string2ll}: no sign but {@code -}, no leading
 *       zeros, no blanks. {@code *0} and negative counts are skipped, as are blank inline lines.</li>
 *   <li>{@code expected '$', got 'X'} shows \r and \n as a space, as {@code addReplyErrorFormat} does.</li>
 * </ul>
 *
 * <p>Authentication: the unauthenticated limits consult the {@link BooleanSupplier} when a count or
 * length is parsed. At most one command is emitted per {@code decode} call, and
 * {@link ByteToMessageDecoder} passes it down the pipeline before decoding the next, so a session
 * that marks itself authenticated while handling {@code AUTH} in {@code channelRead} is seen by
 * the very next command of the same read, as in Redis.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {

    private enum State { START, INLINE, COUNT, BULK_LENGTH, BULK, DISCARD }

    /** Redis never allocates more argv slots than this before the arguments arrive. */
    private static final int MAX_PREALLOCATED_ARGS = 1024;

    /** Longest valid {@code string2ll} input is 20 chars ({@code LONG_STR_SIZE} 21 rejects longer). */
    private static final int MAX_NUMBER_CHARS = 20;

    /** What {@link #parseString2ll} returns for text Redis would not accept as a number. */
    private static final long INVALID = Long.MIN_VALUE;

    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;

    private final RespLimits limits;
    private final BooleanSupplier authenticated;

    private State state = State.START;
    /** Bytes of the pending line, from the reader index, already searched for its end. */
    private int scanned;
    private byte[][] args;
    private int argc;
    /** Arguments of the current multibulk still to come (Redis's {@code multibulklen}). */
    private int remaining;
    private int bulkLength;
    /** What the current request takes so far, as {@link RespLimits#maxRequestBytes} counts it. */
    private long requestBytes;
    private PartialBulk partial;

    /**
     * @param limits the limits to enforce
     * @param authenticated whether the client is authenticated now; read on the event loop
     */
    public RespRequestDecoder(RespLimits limits, BooleanSupplier authenticated) {
        this.limits = limits;
        this.authenticated = authenticated;
    }

    /** A decoder with Redis's default limits for a client that needs no authentication. */
    public RespRequestDecoder() {
        this(RespLimits.defaults(), () -> true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Loops while a step makes progress; returns after one command so the pipeline sees it
        // before the next is parsed (see the class comment on authentication).
        while (true) {
            boolean progressed = switch (state) {
                case START -> start(in);
                case INLINE -> inline(in, out);
                case COUNT -> count(in, out);
                case BULK_LENGTH -> bulkLength(in, out);
                case BULK -> bulk(in, out);
                case DISCARD -> discard(in);
            };
            if (!progressed || !out.isEmpty()) {
                return;
            }
        }
    }

    private boolean start(ByteBuf in) {
        if (!in.isReadable()) {
            return false;
        }
        state = in.getByte(in.readerIndex()) == '*' ? State.COUNT : State.INLINE;
        scanned = 0;
        return true;
    }

    private boolean inline(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = findLineEnd(in, FIND_LF_OR_NUL);
        if (lf < 0) {
            if (in.readableBytes() > limits.maxInlineLength()) {
                protocolError(in, out, "Protocol error: too big inline request");
                return true;
            }
            return false;
        }
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        in.readerIndex(lf + 1);
        state = State.START;
        byte[][] argv = InlineArgs.split(line);
        if (argv == null) {
            protocolError(in, out, "Protocol error: unbalanced quotes in request");
        } else if (argv.length > 0) {
            out.add(new RespRequest(argv, true));
        }
        return true;
    }

    private boolean count(ByteBuf in, List<Object> out) {
        int cr = findCountLine(in, out, "Protocol error: too big mbulk count string");
        if (cr < 0) {
            return cr == -2;
        }
        int start = in.readerIndex();
        long n = parseString2ll(in, start + 1, cr);
        if (n == INVALID || n > limits.maxArrayLength()) {
            protocolError(in, out, "Protocol error: invalid multibulk length");
            return true;
        }
        if (n > limits.unauthenticatedMaxArrayLength() && !authenticated.getAsBoolean()) {
            protocolError(in, out, "Protocol error: unauthenticated multibulk length");
            return true;
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        if (n <= 0) {
            state = State.START; // Redis treats *0 and *-n as nothing at all
            return true;
        }
        remaining = (int) n;
        argc = 0;
        requestBytes = 0;
        args = new byte[Math.min(remaining, MAX_PREALLOCATED_ARGS)][];
        state = State.BULK_LENGTH;
        return true;
    }

    private boolean bulkLength(ByteBuf in, List<Object> out) {
        int cr = findCountLine(in, out, "Protocol error: too big bulk count string");
        if (cr < 0) {
            return cr == -2;
        }
        int start = in.readerIndex();
        byte first = in.getByte(start);
        if (first != '$') {
            char shown = first == '\r' || first == '\n' ? ' ' : (char) (first & 0xff);
            protocolError(in, out, "Protocol error: expected '$', got '" + shown + "'");
            return true;
        }
        long n = parseString2ll(in, start + 1, cr);
        if (n == INVALID || n < 0 || n > limits.maxBulkLength()) {
            protocolError(in, out, "Protocol error: invalid bulk length");
            return true;
        }
        if (n > limits.unauthenticatedMaxBulkLength() && !authenticated.getAsBoolean()) {
            protocolError(in, out, "Protocol error: unauthenticated bulk length");
            return true;
        }
        requestBytes += n + RespLimits.ARGUMENT_OVERHEAD;
        if (requestBytes > limits.maxRequestBytes()) {
            out.add(new RespProtocolError("Protocol error: request larger than the client query buffer limit", false));
            discardAll(in);
            return true;
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        bulkLength = (int) n;
        state = State.BULK;
        return true;
    }

    private boolean bulk(ByteBuf in, List<Object> out) {
        byte[] arg;
        if (partial == null) {
            if (in.readableBytes() >= bulkLength + 2) {
                arg = new byte[bulkLength];
                in.readBytes(arg);
            } else if (bulkLength >= PartialBulk.THRESHOLD && in.isReadable()) {
                partial = new PartialBulk(bulkLength);
                partial.fill(in);
                return true;
            } else {
                return false;
            }
        } else {
            if (!partial.fill(in) || in.readableBytes() < 2) {
                return false;
            }
            arg = partial.bytes();
            partial = null;
        }
        in.skipBytes(2); // Redis skips the CRLF after a payload without looking at it
        addArg(arg);
        if (remaining == 0) {
            byte[][] complete = args;
            args = null;
            state = State.START;
            out.add(new RespRequest(complete, false));
        } else {
            state = State.BULK_LENGTH;
        }
        return true;
    }

    private void addArg(byte[] arg) {
        if (argc == args.length) {
            // Grow as arguments arrive, never past the announced count: the array ends up exact.
            long doubled = Math.max(2L * args.length, 1);
            args = Arrays.copyOf(args, (int) Math.min(doubled, (long) argc + remaining));
        }
        args[argc++] = arg;
        remaining--;
    }

    private boolean discard(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        return false;
    }

    /**
     * Finds the end of a multibulk count or length line: the index of its {@code \r} once the byte
     * after it has arrived too (Redis waits for it and skips it unchecked); -1 when more input is
     * needed; -2 when a protocol error was reported instead.
     */
    private int findCountLine(ByteBuf in, List<Object> out, String tooBig) {
        int cr = findLineEnd(in, FIND_CR_OR_NUL);
        if (cr < 0) {
            if (in.readableBytes() > limits.maxInlineLength()) {
                protocolError(in, out, tooBig);
                return -2;
            }
            return -1;
        }
        return cr + 1 < in.writerIndex() ? cr : -1;
    }

    /**
     * Searches the pending line from where the last search stopped. Returns the index of the line
     * end, or -1 if there is none yet; a NUL also means none, and the search stays parked on it,
     * so the line cannot complete (C {@code strchr} semantics).
     */
    private int findLineEnd(ByteBuf in, ByteProcessor endOrNul) {
        int start = in.readerIndex();
        int from = start + scanned;
        int found = in.forEachByte(from, in.writerIndex() - from, endOrNul);
        if (found < 0) {
            scanned = in.writerIndex() - start;
            return -1;
        }
        scanned = found - start;
        return in.getByte(found) == 0 ? -1 : found;
    }

    private void protocolError(ByteBuf in, List<Object> out, String message) {
        out.add(new RespProtocolError(message));
        discardAll(in);
    }

    private void discardAll(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        state = State.DISCARD;
        args = null;
        partial = null;
    }

    /**
     * Redis's {@code string2ll} over {@code [from, to)}: an optional {@code -}, then {@code 0} alone
     * or digits not starting with 0, at most 20 chars, within a signed 64-bit range. Returns
     * {@link #INVALID} for anything else. Every caller treats all negative numbers alike, so the
     * valid {@code -9223372036854775808} is returned as one more than that to stay distinct.
     */
    private static long parseString2ll(ByteBuf in, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > MAX_NUMBER_CHARS) {
            return INVALID;
        }
        int i = from;
        boolean negative = in.getByte(i) == '-';
        if (negative) {
            i++;
        }
        if (i == to) {
            return INVALID;
        }
        byte first = in.getByte(i);
        if (first == '0') {
            return len == 1 ? 0 : INVALID;
        }
        long value = 0;
        for (; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return INVALID;
            }
            // Accumulate negatively so Long.MIN_VALUE's magnitude fits; overflow means invalid.
            int digit = b - '0';
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return INVALID;
            }
            value = value * 10 - digit;
        }
        if (negative) {
            return value == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : value;
        }
        return value == Long.MIN_VALUE ? INVALID : -value;
    }
}
