package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * One large bulk payload being collected straight out of the read buffers as its bytes arrive.
 *
 * <p>Why: left in the decoder's cumulation, a payload of hundreds of megabytes that arrives in
 * small reads is copied again each time the cumulation grows (Netty grows it in 4 MiB steps past
 * 4 MiB, which is quadratic). Moving the bytes out as they come keeps the cumulation small. The
 * target array doubles as data arrives rather than being sized from the announced length up front,
 * so a client that announces 512 MiB and sends nothing costs 64 KiB, not 512 MiB.
 */
final class PartialBulk {

    /** Payloads at least this long are collected here; shorter ones simply wait in the cumulation. */
    static final int THRESHOLD = 32 * 1024; // Redis's PROTO_MBULK_BIG_ARG

    private static final int INITIAL_CAPACITY = 64 * 1024;

    private final int length;
    private byte[] bytes;
    private int filled;

    PartialBulk(int length) {
        this.length = length;
        this.bytes = new byte[Math.min(length, INITIAL_CAPACITY)];
    }

    /**
     * Moves readable bytes of {@code in}, up to the end of the payload, into this payload.
     * The caller keeps ownership of {@code in}.
     *
     * @return whether the payload is complete
     */
    boolean fill(ByteBuf in) {
        int n = Math.min(in.readableBytes(), length - filled);
        if (filled + n > bytes.length) {
            long doubled = Math.max(filled + n, 2L * bytes.length);
            bytes = Arrays.copyOf(bytes, (int) Math.min(length, doubled));
        }
        in.readBytes(bytes, filled, n);
        filled += n;
        return filled == length;
    }

    /** The payload; exactly {@code length} bytes once {@link #fill} returned true. */
    byte[] bytes() {
        return bytes;
    }
}
