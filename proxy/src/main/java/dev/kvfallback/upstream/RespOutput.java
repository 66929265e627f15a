package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespValue;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one adapter from Lettuce's reply callbacks to a {@link RespValue} tree.
 *
 * <p>Lettuce's state machine calls {@code multi*(count)} when an aggregate starts and a setter for
 * each scalar; this output rebuilds the tree by counting children (a {@code count} of -1 is RESP2's
 * null array). What Lettuce loses is restored by the caller, which knows the command: a dropped
 * {@code +QUEUED} arrives as "no value", and simple, bulk and verbatim strings all arrive through
 * {@code set(ByteBuffer)}: {@link ShapeRecorder} read which was which off the wire into a
 * {@link ReplyShape}. Called on the upstream connection's event loop only.
 */
final class RespOutput extends CommandOutput<byte[], byte[], RespValue> {

    /** An aggregate under construction: its kind and the children still expected. */
    private static final class Frame {
        final char kind;
        final List<RespValue> items;
        int remaining;

        Frame(char kind, int expected) {
            this.kind = kind;
            this.items = new ArrayList<>(Math.min(expected, 1024));
            this.remaining = expected;
        }

        RespValue build() {
            return switch (kind) {
                case '%' -> new RespValue.Map(items);
                case '~' -> new RespValue.Set(items);
                case '>' -> new RespValue.Push(items);
                default -> new RespValue.Array(items);
            };
        }
    }

    private final ArrayList<Frame> stack = new ArrayList<>(4);
    private final ReplyShape shape;

    RespOutput(ReplyShape shape) {
        super(ByteArrayCodec.INSTANCE, null);
        this.shape = shape;
    }

    /** The decoded reply, or {@code null} when Redis sent nothing Lettuce kept (a {@code +QUEUED}). */
    @Override
    public RespValue get() {
        return output;
    }

    /** Every string-like element and every null arrives here; the recorded shape says which it was. */
    @Override
    public void set(ByteBuffer bytes) {
        byte kind = shape.next();
        if (bytes == null) {
            add(RespValue.Null.BULK);
            return;
        }
        if (kind == ReplyShape.RAW) {
            add(new RespValue.Raw(shape.protocol(), shape.nextRaw()));
            return;
        }
        byte[] b = copy(bytes);
        add(switch (kind) {
            case '+' -> new RespValue.Simple(b);
            case '=' -> new RespValue.Verbatim(shape.lastFormat(), b);
            case '!' -> new RespValue.BulkError(b);
            default -> new RespValue.Bulk(b);
        });
    }

    @Override
    public void setSingle(ByteBuffer bytes) {
        add(bytes == null ? RespValue.Null.BULK : new RespValue.Simple(copy(bytes)));
    }

    @Override
    public void setBigNumber(ByteBuffer bytes) {
        add(new RespValue.BigNumber(copy(bytes)));
    }

    @Override
    public void set(long integer) {
        add(integer == 0 ? RespValue.Int.ZERO : integer == 1 ? RespValue.Int.ONE : new RespValue.Int(integer));
    }

    @Override
    public void set(double number) {
        add(new RespValue.Double(number));
    }

    @Override
    public void set(boolean value) {
        add(RespValue.Bool.of(value));
    }

    @Override
    public void setError(ByteBuffer error) {
        add(new RespValue.Error(error == null ? new byte[0] : copy(error)));
    }

    @Override
    public void setError(String error) {
        add(new RespValue.Error(error));
    }

    /** Errors are values here, nested or not; Lettuce must not turn them into exceptions. */
    @Override
    public boolean hasError() {
        return false;
    }

    @Override
    public void multi(int count) {
        open('*', count);
    }

    @Override
    public void multiArray(int count) {
        open('*', count);
    }

    @Override
    public void multiPush(int count) {
        open('>', count);
    }

    @Override
    public void multiSet(int count) {
        open('~', count);
    }

    @Override
    public void multiMap(int count) {
        open('%', count < 0 ? count : count * 2);
    }

    @Override
    public void complete(int depth) {
        // Structure is tracked by child counts; nothing to do per element.
    }

    private void open(char kind, int count) {
        if (count < 0) {
            add(RespValue.Null.ARRAY);
            return;
        }
        Frame frame = new Frame(kind, count);
        if (count == 0) {
            add(frame.build());
        } else {
            stack.add(frame);
        }
    }

    private void add(RespValue value) {
        RespValue v = value;
        while (true) {
            if (stack.isEmpty()) {
                output = v;
                return;
            }
            Frame top = stack.get(stack.size() - 1);
            top.items.add(v);
            if (--top.remaining > 0) {
                return;
            }
            stack.remove(stack.size() - 1);
            v = top.build();
        }
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
