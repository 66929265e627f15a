package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CompleteableCommand;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A client's command sent to Redis as the client sent it, through Lettuce's pipelined writer.
 *
 * <p>The arguments are written verbatim by {@link #encode}. The keyword deliberately has a name
 * Lettuce does not know: Lettuce rewrites its own {@code MULTI}/{@code EXEC}/{@code SELECT}/{@code AUTH}
 * commands (transaction outputs, reconnect state), and a proxied command must reach Redis and come
 * back untouched. The reply callback runs exactly once, on the upstream connection's event loop:
 * a failure raised on another thread hops back onto the loop first.
 *
 * <p>It is a {@link CompleteableCommand}: completion hooks run when it is answered. {@link Deadlines}
 * uses one to drop answered commands from its queue, and any hook Lettuce attaches (its own timeout
 * writer, were it enabled) is released the same way, so no answered command stays reachable.
 */
final class RawCommand extends Command<byte[], byte[], RespValue> implements CompleteableCommand<RespValue> {

    private static final CommandArgs<byte[], byte[]> NO_ARGS = new CommandArgs<>(ByteArrayCodec.INSTANCE);

    private final EventLoop loop;
    private final RespRequest request;
    private final ReplyShape shape;
    private final Consumer<RespValue> callback;
    private boolean answered;
    private long deadline;
    /** Lettuce's completion hooks (in practice the timeout writer's cancel). */
    private BiConsumer<? super RespValue, Throwable> onComplete;

    /** @param protocol the RESP version of the connection it is sent on */
    RawCommand(EventLoop loop, int protocol, RespRequest request, Consumer<RespValue> callback) {
        this(loop, request, new ReplyShape(protocol), callback);
    }

    private RawCommand(EventLoop loop, RespRequest request, ReplyShape shape, Consumer<RespValue> callback) {
        super(new Keyword(request), new RespOutput(shape), NO_ARGS);
        this.loop = loop;
        this.request = request;
        this.shape = shape;
        this.callback = callback;
    }

    /** Where {@link ShapeRecorder} notes the wire kinds of this command's reply. */
    ReplyShape shape() {
        return shape;
    }

    @Override
    public void encode(ByteBuf buf) {
        RespEncoder.writeCommand(buf, request.args().toArray(new byte[0][]));
    }

    @Override
    public void complete() {
        super.complete();
        RespValue value = getOutput().get();
        // Lettuce swallows a top-level +QUEUED: the only reply that leaves no value.
        answer(value == null ? RespValue.Simple.QUEUED : value);
    }

    @Override
    public boolean completeExceptionally(Throwable throwable) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> completeExceptionally(throwable));
            return !isDone();
        }
        boolean changed = super.completeExceptionally(throwable);
        answer(UpstreamErrors.of(throwable));
        return changed;
    }

    @Override
    public void cancel() {
        if (!loop.inEventLoop()) {
            loop.execute(this::cancel); // the reply callback runs on the loop, as for a failure
            return;
        }
        super.cancel();
        answer(UpstreamErrors.unavailable(null));
    }

    /** When {@link Deadlines} fails this command, in {@link System#nanoTime} terms. */
    long deadline() {
        return deadline;
    }

    void deadline(long nanos) {
        deadline = nanos;
    }

    @Override
    public void onComplete(Consumer<? super RespValue> action) {
        onComplete((value, error) -> action.accept(value));
    }

    @Override
    public void onComplete(BiConsumer<? super RespValue, Throwable> action) {
        BiConsumer<? super RespValue, Throwable> previous = onComplete;
        onComplete = previous == null ? action : (value, error) -> {
            previous.accept(value, error);
            action.accept(value, error);
        };
    }

    private void answer(RespValue value) {
        if (!answered) {
            answered = true;
            if (onComplete != null) {
                onComplete.accept(value, exception);
            }
            callback.accept(value);
        }
    }

    @Override
    public String toString() {
        return "RawCommand[" + request.name() + "]";
    }


    /** The command's own name on the wire, under a name Lettuce's connection logic ignores. */
    private record Keyword(RespRequest request) implements ProtocolKeyword {
        @Override
        public byte[] getBytes() {
            return request.arg(0);
        }

        @Override
        public String name() {
            return "KVFALLBACK_RAW";
        }

        /** Lettuce matches its special commands by this string: ours must never match. */
        @Override
        public String toString() {
            return "KVFALLBACK_RAW";
        }
    }
}
