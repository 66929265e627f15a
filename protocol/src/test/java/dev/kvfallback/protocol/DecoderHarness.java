package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Feeds bytes to a decoder through an {@link EmbeddedChannel} in chosen pieces and collects what it
 * emits. Pieces are copied into pooled buffers from the channel's allocator so leak detection sees
 * them; the decoder releases them, and {@link #close} releases whatever is left.
 */
final class DecoderHarness {

    private final EmbeddedChannel channel;

    DecoderHarness(ChannelHandler... handlers) {
        channel = new EmbeddedChannel(handlers);
    }

    /** Writes {@code bytes[from, to)} as one read and returns what was decoded from it. */
    List<Object> write(byte[] bytes, int from, int to) {
        ByteBuf buf = channel.alloc().buffer(to - from);
        buf.writeBytes(bytes, from, to - from);
        channel.writeInbound(buf);
        return drain();
    }

    List<Object> write(byte[] bytes) {
        return write(bytes, 0, bytes.length);
    }

    List<Object> write(String latin1) {
        return write(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    List<Object> drain() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    EmbeddedChannel channel() {
        return channel;
    }

    /** Closes the channel (the decoder releases its cumulation) and releases any leftover messages. */
    void close() {
        channel.finishAndReleaseAll();
    }

    /** Everything decoded from {@code input} written as one read. */
    static List<Object> whole(Supplier<ChannelHandler> decoder, byte[] input) {
        return chunked(decoder, input, new int[] {input.length});
    }

    /** Everything decoded from {@code input} written one byte per read. */
    static List<Object> bytewise(Supplier<ChannelHandler> decoder, byte[] input) {
        DecoderHarness h = new DecoderHarness(decoder.get());
        try {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < input.length; i++) {
                out.addAll(h.write(input, i, i + 1));
            }
            return out;
        } finally {
            h.close();
        }
    }

    /** Everything decoded from {@code input} written in random pieces of 1 to {@code maxPiece} bytes. */
    static List<Object> randomPieces(Supplier<ChannelHandler> decoder, byte[] input, long seed, int maxPiece) {
        Random random = new Random(seed);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 0; at < input.length; ) {
            at = Math.min(input.length, at + 1 + random.nextInt(maxPiece));
            cuts.add(at);
        }
        return chunked(decoder, input, cuts.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Object> chunked(Supplier<ChannelHandler> decoder, byte[] input, int[] cuts) {
        DecoderHarness h = new DecoderHarness(decoder.get());
        try {
            List<Object> out = new ArrayList<>();
            int from = 0;
            for (int cut : cuts) {
                out.addAll(h.write(input, from, cut));
                from = cut;
            }
            return out;
        } finally {
            h.close();
        }
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
