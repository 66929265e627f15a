package dev.kvfallback.upstream;

import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * Reads the reply bytes just before Lettuce's {@link CommandHandler} does and records each reply's
 * string kinds ({@link ReplyShape}) on the {@link RawCommand} the reply belongs to; and hands
 * Lettuce, in place of what its decoder cannot read, a placeholder it can.
 *
 * <p>Why the kinds: Lettuce reports simple strings, bulk strings and verbatim strings through the
 * same callback, so the proxy would turn {@code +OK} into {@code $2 OK}. Alignment: when this
 * handler sees a buffer, Lettuce has consumed every earlier buffer, so the reply in progress
 * belongs to the head of Lettuce's command stack and each later top-level reply to the next entry.
 * RESP3 push frames belong to no command and are skipped, as Lettuce routes them to push listeners.
 * A small incremental scanner: headers are parsed digit by digit, payloads skipped by count.
 *
 * <p>Why the placeholders: Lettuce's decoder keeps a fixed stack of 32 levels and throws past it,
 * and throws on RESP3 attributes; either would close the connection and look like Redis failing,
 * though the reply is legal (a Lua script may return a table nested thousands of levels deep). So
 * an aggregate that starts {@link #RAW_DEPTH} levels down, and an attributed value at any level,
 * is captured whole, withheld from Lettuce, and replaced by an empty bulk string once complete; the
 * shape notes it as a raw element ({@link ReplyShape#addRaw}), which the client gets byte for byte.
 * Buffers without such an element pass through untouched.
 */
final class ShapeRecorder extends ChannelInboundHandlerAdapter {

    /** Aggregate levels below a reply's top past which elements are relayed raw; Lettuce holds 32. */
    static final int RAW_DEPTH = 16;
    private static final byte[] PLACEHOLDER = "$0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private enum State { TYPE, HEADER, PAYLOAD }

    /** Lettuce's commands awaiting replies, oldest first (its {@link CommandHandler#getStack}). */
    private final Supplier<? extends Collection<RedisCommand<?, ?, ?>>> stack;
    private State state = State.TYPE;
    private byte type;
    private boolean negative;
    private long number;
    private long payloadLeft;
    private final StringBuilder verbatimFormat = new StringBuilder(3);
    private boolean capturingFormat;
    /** Children still expected at each open aggregate level. */
    private long[] remaining = new long[8];
    /** Whether the aggregate open at each level is an attribute map (which precedes its value, uncounted). */
    private boolean[] attribute = new boolean[8];
    private int depth;
    private boolean inPush;
    private ReplyShape shape;
    /** Lettuce's commands awaiting replies, walked once per buffer as replies start. */
    private Iterator<RedisCommand<?, ?, ?>> awaiting;
    private boolean frameOpen;

    /** The level of the element being captured raw, or -1 while none is. */
    private int captureDepth = -1;
    /** The captured element's bytes so far. */
    private ByteArrayOutputStream captured;
    /** The shape the captured element belongs to (its reply's). */
    private ReplyShape captureShape;
    /** The buffer being scanned, its context and the scan position in it. */
    private ChannelHandlerContext ctx;
    private ByteBuf in;
    private int pos;
    /** What Lettuce gets instead of {@link #in}, once an element of it is withheld; null while unchanged. */
    private ByteBuf out;
    /** Start of the bytes of {@link #in} not yet copied to {@link #out} or {@link #captured}. */
    private int copiedUpTo;

    ShapeRecorder(Supplier<? extends Collection<RedisCommand<?, ?, ?>>> stack) {
        this.stack = stack;
    }

    /** Owns {@code msg}: passes it on, or releases it and passes on a rewritten buffer. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        awaiting = stack.get().iterator();
        if (frameOpen && awaiting.hasNext()) {
            awaiting.next(); // the reply in progress belongs to the head of the stack
        }
        this.ctx = ctx;
        in = buf;
        copiedUpTo = buf.readerIndex();
        boolean rewrite = captureDepth >= 0;
        if (rewrite) {
            out = ctx.alloc().buffer(PLACEHOLDER.length);
        }
        try {
            scan(buf);
            if (out == null) {
                ctx.fireChannelRead(buf);
                return;
            }
            copyTail();
            ByteBuf rewritten = out;
            out = null;
            buf.release();
            if (rewritten.isReadable()) {
                ctx.fireChannelRead(rewritten);
            } else {
                rewritten.release();
            }
        } finally {
            awaiting = null;
            in = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        captured = null;
        if (out != null) {
            out.release();
            out = null;
        }
    }

    private void scan(ByteBuf buf) {
        int end = buf.writerIndex();
        pos = buf.readerIndex();
        while (pos < end) {
            switch (state) {
                case TYPE -> {
                    type = buf.getByte(pos++);
                    if (!frameOpen) {
                        startFrame();
                    }
                    if (captureDepth < 0 && !inPush && (type == '|' || depth >= RAW_DEPTH && isAggregate(type))) {
                        beginCapture(pos - 1);
                    }
                    negative = false;
                    number = 0;
                    state = State.HEADER;
                }
                case HEADER -> {
                    byte b = buf.getByte(pos++);
                    if (b == '\n') {
                        headerDone();
                    } else if (b == '-') {
                        negative = true;
                    } else if (b >= '0' && b <= '9') {
                        number = number * 10 + (b - '0');
                    }
                }
                case PAYLOAD -> {
                    long n = Math.min(payloadLeft, end - pos);
                    if (capturingFormat) {
                        for (int k = 0; k < n && verbatimFormat.length() < 3; k++) {
                            verbatimFormat.append((char) buf.getByte(pos + k));
                        }
                        if (verbatimFormat.length() == 3) {
                            if (shape != null && captureDepth < 0) {
                                shape.format(verbatimFormat.toString());
                            }
                            capturingFormat = false;
                        }
                    }
                    pos += (int) n;
                    payloadLeft -= n;
                    if (payloadLeft == 0) {
                        state = State.TYPE;
                        elementDone();
                    }
                }
            }
        }
    }

    private static boolean isAggregate(byte type) {
        return type == '*' || type == '~' || type == '%' || type == '>';
    }

    private void startFrame() {
        inPush = type == '>';
        frameOpen = true;
        shape = null;
        if (!inPush) {
            RedisCommand<?, ?, ?> command = awaiting.hasNext() ? awaiting.next() : null;
            if (command instanceof RawCommand raw) {
                shape = raw.shape();
            }
        }
    }

    private void headerDone() {
        long value = negative ? -number : number;
        switch (type) {
            case '$', '=', '!' -> {
                if (value < 0) {
                    mark((byte) '$');
                    state = State.TYPE;
                    elementDone();
                } else {
                    mark(type);
                    capturingFormat = type == '=';
                    verbatimFormat.setLength(0);
                    payloadLeft = value + 2;
                    state = State.PAYLOAD;
                }
            }
            case '*', '~', '>', '%', '|' -> {
                long children = (type == '%' || type == '|') ? value * 2 : value;
                state = State.TYPE;
                if (children > 0) {
                    push(children, type == '|');
                } else if (type != '|') {
                    elementDone();
                }
            }
            default -> {
                if (type == '+' || type == '_') {
                    mark(type);
                }
                state = State.TYPE;
                elementDone();
            }
        }
    }

    private void push(long children, boolean isAttribute) {
        if (depth == remaining.length) {
            remaining = Arrays.copyOf(remaining, depth * 2);
            attribute = Arrays.copyOf(attribute, depth * 2);
        }
        attribute[depth] = isAttribute;
        remaining[depth++] = children;
    }

    /**
     * One element finished at level {@link #depth}: ends a capture of that level, counts the element
     * against its aggregate, and closes aggregates that are full. An attribute map that closes is
     * no element: the value it annotates comes next.
     */
    private void elementDone() {
        while (true) {
            if (captureDepth == depth) {
                endCapture();
            }
            if (depth == 0) {
                frameOpen = false;
                return;
            }
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
            if (attribute[depth]) {
                return;
            }
        }
    }

    private void mark(byte kind) {
        if (shape != null && captureDepth < 0) {
            shape.add(kind);
        }
    }

    /** Starts withholding bytes from Lettuce at {@code start}, the type byte of the element to capture. */
    private void beginCapture(int start) {
        if (out == null) {
            out = ctx.alloc().buffer(start - copiedUpTo + PLACEHOLDER.length);
        }
        out.writeBytes(in, copiedUpTo, start - copiedUpTo);
        copiedUpTo = start;
        captureDepth = depth;
        captured = new ByteArrayOutputStream();
        captureShape = shape;
    }

    /** The captured element ended at {@link #pos}: Lettuce gets the placeholder, the shape the bytes. */
    private void endCapture() {
        captured.write(bytesOf(copiedUpTo, pos), 0, pos - copiedUpTo);
        copiedUpTo = pos;
        if (captureShape != null) {
            captureShape.addRaw(captured.toByteArray());
        }
        out.writeBytes(PLACEHOLDER);
        captured = null;
        captureShape = null;
        captureDepth = -1;
    }

    /** Copies what is left of the buffer to the capture in progress, or to what Lettuce gets. */
    private void copyTail() {
        int end = in.writerIndex();
        if (captureDepth >= 0) {
            captured.write(bytesOf(copiedUpTo, end), 0, end - copiedUpTo);
        } else {
            out.writeBytes(in, copiedUpTo, end - copiedUpTo);
        }
        copiedUpTo = end;
    }

    private byte[] bytesOf(int from, int to) {
        byte[] bytes = new byte[to - from];
        in.getBytes(from, bytes);
        return bytes;
    }
}
