package dev.kvfallback.protocol;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * A channel allocator for tests that remembers every buffer it hands out, so a test can ask, at any
 * moment and without waiting for the garbage collector, which of them are still unreleased and how
 * many unread bytes they hold.
 *
 * <p>Why: given to an {@link io.netty.channel.embedded.EmbeddedChannel}, it allocates both the
 * reads a test writes and whatever a {@link io.netty.handler.codec.ByteToMessageDecoder} allocates
 * to grow its cumulation. Between two reads the only live buffer is the cumulation, so
 * {@link #liveReadableBytes} is the number of bytes the decoder keeps buffered, and after the
 * channel is closed {@link #unreleased} must be zero. Buffers are unpooled heap buffers wrapped
 * for Netty's leak detector, so paranoid leak detection sees them too.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> live = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        live.add(buf);
        return toLeakAwareBuffer(buf); // as Netty's own allocators do; the wrapper shares buf's count
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity); // a decoder must not care
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Unread bytes in the buffers not yet released. */
    long liveReadableBytes() {
        forgetReleased();
        long bytes = 0;
        for (ByteBuf buf : live) {
            bytes += buf.readableBytes();
        }
        return bytes;
    }

    /** How many buffers handed out have not been released. */
    int unreleased() {
        forgetReleased();
        return live.size();
    }

    /** Keeps the scans proportional to what is live, not to everything ever allocated. */
    private void forgetReleased() {
        live.removeIf(buf -> buf.refCnt() == 0);
    }
}
