package dev.kvfallback.upstream;

import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.Iterator;

/**
 * Reads the reply bytes just before Lettuce's {@link CommandHandler} does, without consuming
 * them, and records each reply's string kinds ({@link ReplyShape}) on the {@link RawCommand} the
 * reply belongs to.
 *
 * <p>Why: Lettuce reports simple strings, bulk strings and verbatim strings through the same
 * callback, so the proxy would turn {@code +OK} into {@code $2 OK}. Alignment: when this handler
 * sees a buffer, Lettuce has consumed every earlier buffer, so the reply in progress belongs to
 * the head of Lettuce's command stack and each later top-level reply to the next entry. RESP3
 * push frames belong to no command and are skipped, as Lettuce routes them to push listeners.
 * A small incremental scanner: headers are parsed digit by digit, payloads skipped by count.
 */
final class ShapeRecorder extends ChannelInboundHandlerAdapter {

    private enum State { TYPE, HEADER, PAYLOAD }

    private final CommandHandler handler;
    private State state = State.TYPE;
    private byte type;
    private boolean negative;
    private long number;
    private long payloadLeft;
    private final StringBuilder verbatimFormat = new StringBuilder(3);
    private boolean capturingFormat;
    /** Children still expected at each open aggregate level. */
    private long[] remaining = new long[8];
    private int depth;
    private boolean inPush;
    private ReplyShape shape;
    /** Lettuce's commands awaiting replies, walked once per buffer as replies start. */
    private Iterator<RedisCommand<?, ?, ?>> awaiting;
    private boolean frameOpen;

    ShapeRecorder(CommandHandler handler) {
        this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            awaiting = handler.getStack().iterator();
            if (frameOpen && awaiting.hasNext()) {
                awaiting.next(); // the reply in progress belongs to the head of the stack
            }
            scan(buf);
            awaiting = null;
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf buf) {
        int end = buf.writerIndex();
        int i = buf.readerIndex();
        while (i < end) {
            switch (state) {
                case TYPE -> {
                    type = buf.getByte(i++);
                    if (depth == 0) {
                        startFrame();
                    }
                    negative = false;
                    number = 0;
                    state = State.HEADER;
                }
                case HEADER -> {
                    byte b = buf.getByte(i++);
                    if (b == '\n') {
                        headerDone();
                    } else if (b == '-') {
                        negative = true;
                    } else if (b >= '0' && b <= '9') {
                        number = number * 10 + (b - '0');
                    }
                }
                case PAYLOAD -> {
                    long n = Math.min(payloadLeft, end - i);
                    if (capturingFormat) {
                        for (int k = 0; k < n && verbatimFormat.length() < 3; k++) {
                            verbatimFormat.append((char) buf.getByte(i + k));
                        }
                        if (verbatimFormat.length() == 3) {
                            if (shape != null) {
                                shape.format(verbatimFormat.toString());
                            }
                            capturingFormat = false;
                        }
                    }
                    i += (int) n;
                    payloadLeft -= n;
                    if (payloadLeft == 0) {
                        state = State.TYPE;
                        elementDone();
                    }
                }
            }
        }
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
                if (children <= 0) {
                    elementDone();
                } else {
                    push(children);
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

    private void push(long children) {
        if (depth == remaining.length) {
            remaining = java.util.Arrays.copyOf(remaining, depth * 2);
        }
        remaining[depth++] = children;
    }

    /** One element finished: count it against its aggregate; close aggregates that are full. */
    private void elementDone() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
        }
        frameOpen = false;
    }

    private void mark(byte kind) {
        if (shape != null) {
            shape.add(kind);
        }
    }
}
