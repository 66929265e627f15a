package dev.kvfallback.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ResourceLeakDetector;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzzing of {@link RespRequestDecoder} (client bytes) and {@link RespValueDecoder}
 * (server bytes) with Jazzer. {@code mvn test} replays the checked-in inputs in
 * {@code RespFuzzTestInputs/<method>/} as regression cases; {@code mvn verify} also fuzzes each
 * target for a fixed time (see {@code protocol/pom.xml}).
 *
 * <p>Input layout: the stream to decode, then a trailer of configuration that
 * {@link FuzzedDataProvider} reads backwards from the end, one byte per choice, so a seed is
 * readable RESP followed by a few bytes and an all-zero trailer means: default limits, an
 * authenticated client, one byte per read. {@code requests} reads 10 bytes, from the last one back:
 * small limits (odd) or the defaults (even); max bulk length 0-255; max inline length 1-256; max
 * multibulk count 1-256; unauthenticated count 1-16 and bulk length 0-255; unauthenticated at the
 * start (odd); largest read 1-256 bytes; seed of the read sizes; and every how many reads the test
 * flips authentication behind the decoder's back (0, never, to 7). {@code replies} reads 6: small
 * limits (odd); max bulk length 0-255; max aggregate 1-256; max nesting 1-16; largest read; seed.
 *
 * <p>What must hold, each a way the decoders could fail a real proxy:
 * <ul>
 *   <li>Nothing throws, except the reply decoder's own {@link DecoderException} (one, with no cause:
 *       a wrapped cause is a crash inside the decoder), after which nothing more is emitted.</li>
 *   <li>The request decoder emits requests, then at most one {@link RespProtocolError}, last.</li>
 *   <li>Every limit holds for what was emitted; the unauthenticated ones for every multibulk
 *       request that arrived while the session was not authenticated, where {@code AUTH} and
 *       {@code RESET} flip that state in the pipeline as a session would.</li>
 *   <li>The outcome does not depend on how the stream was cut into reads: decoding it in one read
 *       and in the chosen pieces gives the same output, except that the pieces may stop early with
 *       a "too big" or "line longer" error (the limit applies to a line still incomplete after a
 *       read, as in Redis, so a long line that arrives whole passes), after a prefix of the
 *       one-read output.</li>
 *   <li>Memory stays bounded: after each read the decoder buffers at most about one limit's worth
 *       of bytes plus that read, nothing once it failed; every buffer is released when the channel
 *       closes (checked per input, besides paranoid leak detection); and the heap allocated while
 *       decoding grows with the bytes sent, never with lengths a client merely announced.</li>
 *   <li>What was decoded encodes back to the same thing (requests as multibulk, replies as RESP3;
 *       RESP2 encoding must not fail).</li>
 * </ul>
 */
class RespFuzzTest {

    /** Heap a decode may allocate besides its shares below: the channel, one PartialBulk start, slack. */
    private static final long ALLOCATION_ALLOWANCE = 1024 * 1024;
    /** Heap per input byte: the byte copied a few times (read, cumulation, line, argument); an inline argument per two bytes. */
    private static final long ALLOCATION_PER_BYTE = 64;
    /** Heap per read: the read's buffer object and the pipeline's bookkeeping. */
    private static final long ALLOCATION_PER_READ = 4 * 1024;
    /**
     * Heap per request or top-level reply: its objects, the queue, the session's checks, and while
     * fuzzing Jazzer's hooks on the string comparisons those make (about 3 KiB in all, measured).
     */
    private static final long ALLOCATION_PER_OUTPUT = 8 * 1024;
    /** Most reads per decode, so that long inputs cut into small reads stay quick to fuzz. */
    private static final int MAX_READS = 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FuzzTest(maxDuration = "30s")
    void requests(FuzzedDataProvider data) {
        RequestCase c = RequestCase.from(data);
        List<Object> whole = decodeRequests(c, new int[] {c.input.length}, false, false);
        List<Object> pieces = decodeRequests(c, c.cuts, c.flipEvery > 0, false);
        assertHeapBounded(() -> decodeRequests(c, c.cuts, c.flipEvery > 0, true));
        checkRequests(whole, c.limits);
        checkRequests(pieces, c.limits);
        if (c.flipEvery == 0) {
            assertSameWhateverTheReads(whole, pieces, o -> o instanceof RespProtocolError e && e.message().contains("too big"));
        }
        assertRequestsRoundTrip(whole);
    }

    @FuzzTest(maxDuration = "30s")
    void replies(FuzzedDataProvider data) {
        ReplyCase c = ReplyCase.from(data);
        List<Object> whole = decodeReplies(c, new int[] {c.input.length}, false);
        List<Object> pieces = decodeReplies(c, c.cuts, false);
        assertHeapBounded(() -> decodeReplies(c, c.cuts, true));
        checkReplies(whole, c.limits);
        checkReplies(pieces, c.limits);
        assertSameWhateverTheReads(whole, pieces, o -> o instanceof Failure f && f.message.startsWith("RESP line longer than"));
        for (Object o : whole) {
            if (o instanceof RespValue v) {
                assertRepliesRoundTrip(v);
            }
        }
    }

    /**
     * Runs a decode whose {@link Feed} checks the heap it allocates, with Netty's leak tracking off:
     * at paranoid level every buffer access records a stack trace, which would swamp the decoder's
     * own allocations (the {@link Feed} still checks every buffer is released). If the check fails
     * it runs the decode once more: loading classes on first use allocates on this thread too, but
     * once, while a decoder that allocates for lengths it was only announced does so every time.
     * Test classes run one at a time, so switching the global level affects no other test.
     */
    private static void assertHeapBounded(Runnable decode) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            try {
                decode.run();
            } catch (HeapBoundExceeded first) {
                decode.run();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    /** The heap allocated while decoding exceeded the bound. */
    private static final class HeapBoundExceeded extends AssertionError {
        HeapBoundExceeded(String message) {
            super(message);
        }
    }

    /** A client stream and how to feed it. */
    private record RequestCase(RespLimits limits, boolean unauthenticated, int[] cuts, int flipEvery, byte[] input) {
        static RequestCase from(FuzzedDataProvider data) {
            boolean small = data.consumeBoolean();
            int maxBulk = data.consumeInt(0, 255);
            int maxInline = data.consumeInt(1, 256);
            int maxArray = data.consumeInt(1, 256);
            int unauthenticatedArray = data.consumeInt(1, 16);
            int unauthenticatedBulk = data.consumeInt(0, 255);
            boolean unauthenticated = data.consumeBoolean();
            int maxRead = data.consumeInt(1, 256);
            int seed = data.consumeInt(0, 255);
            int flipEvery = data.consumeInt(0, 7);
            byte[] input = data.consumeRemainingAsBytes();
            RespLimits limits = small
                    ? new RespLimits(maxBulk, maxInline, maxArray, 1 << 24, 64, unauthenticatedArray, unauthenticatedBulk)
                    : RespLimits.defaults();
            return new RequestCase(limits, unauthenticated, readEnds(input.length, maxRead, seed), flipEvery, input);
        }
    }

    /** A server stream and how to feed it. */
    private record ReplyCase(RespLimits limits, int[] cuts, byte[] input) {
        static ReplyCase from(FuzzedDataProvider data) {
            boolean small = data.consumeBoolean();
            int maxBulk = data.consumeInt(0, 255);
            int maxAggregate = data.consumeInt(1, 256);
            int maxNesting = data.consumeInt(1, 16);
            int maxRead = data.consumeInt(1, 256);
            int seed = data.consumeInt(0, 255);
            byte[] input = data.consumeRemainingAsBytes();
            RespLimits limits = small
                    ? RespLimits.defaults().withMaxBulkLength(maxBulk).withMaxAggregateLength(maxAggregate)
                            .withMaxNestingDepth(maxNesting)
                    : RespLimits.defaults();
            return new ReplyCase(limits, readEnds(input.length, maxRead, seed), input);
        }
    }

    /** Ends of reads of 1 to {@code maxRead} bytes covering {@code length} bytes, in at most about {@link #MAX_READS} reads. */
    private static int[] readEnds(int length, int maxRead, int seed) {
        Random random = new Random(seed);
        maxRead = Math.max(maxRead, length / MAX_READS);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 0; at < length; ) {
            at = Math.min(length, at + 1 + random.nextInt(maxRead));
            cuts.add(at);
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- requests ----

    private static List<Object> decodeRequests(RequestCase c, int[] cuts, boolean flipBehindTheDecoder, boolean measureHeap) {
        AtomicBoolean authenticated = new AtomicBoolean(!c.unauthenticated);
        // Flips between reads can fall between a count and its arguments: then no limit check applies.
        AuthCommands session = new AuthCommands(authenticated, c.limits, !flipBehindTheDecoder);
        Feed feed = new Feed(measureHeap, new RespRequestDecoder(c.limits, authenticated::get), session);
        // An incomplete line may grow to the inline limit; a payload below PartialBulk's threshold waits whole.
        long bound = Math.max(c.limits.maxInlineLength(), Math.min(c.limits.maxBulkLength(), PartialBulk.THRESHOLD) + 2L);
        try {
            int from = 0;
            for (int i = 0; i < cuts.length; i++) {
                feed.write(c.input, from, cuts[i]);
                feed.assertBuffered(bound, feed.out.stream().anyMatch(o -> o instanceof RespProtocolError));
                if (flipBehindTheDecoder && (i + 1) % c.flipEvery == 0) {
                    authenticated.set(!authenticated.get());
                }
                from = cuts[i];
            }
            feed.finish();
        } finally {
            feed.release();
        }
        feed.assertReleasedAndBounded();
        return feed.out;
    }

    /**
     * Plays a session's part in authentication, as Redis does with a password set: {@code AUTH}
     * authenticates, {@code RESET} logs out. Before that it checks that a multibulk request that
     * arrived unauthenticated kept the unauthenticated limits. Inline commands have none in Redis.
     */
    private static final class AuthCommands extends ChannelInboundHandlerAdapter {
        private final AtomicBoolean authenticated;
        private final RespLimits limits;
        private final boolean check;

        AuthCommands(AtomicBoolean authenticated, RespLimits limits, boolean check) {
            this.authenticated = authenticated;
            this.limits = limits;
            this.check = check;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof RespRequest r) {
                if (check && !authenticated.get() && !r.inline()) {
                    assertTrue(r.size() <= limits.unauthenticatedMaxArrayLength(),
                            "unauthenticated request of " + r.size() + " arguments");
                    for (byte[] arg : r.args()) {
                        assertTrue(arg.length <= limits.unauthenticatedMaxBulkLength(),
                                "unauthenticated argument of " + arg.length + " bytes");
                    }
                }
                switch (r.name()) {
                    case "auth" -> authenticated.set(true);
                    case "reset" -> authenticated.set(false);
                    default -> { }
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static void checkRequests(List<Object> out, RespLimits limits) {
        for (int i = 0; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof RespProtocolError) {
                assertEquals(out.size() - 1, i, "output after a protocol error: " + out.subList(i, out.size()));
            } else if (o instanceof RespRequest r) {
                assertTrue(r.size() >= 1, "a request without arguments");
                if (!r.inline()) {
                    assertTrue(r.size() <= limits.maxArrayLength(), "request of " + r.size() + " arguments");
                    for (byte[] arg : r.args()) {
                        assertTrue(arg.length <= limits.maxBulkLength(), "argument of " + arg.length + " bytes");
                    }
                }
            } else {
                fail("the request decoder emitted a " + o.getClass().getName());
            }
        }
    }

    /** Each request, written as a client writes a command, reads back as the same arguments. */
    private static void assertRequestsRoundTrip(List<Object> decoded) {
        List<Object> expected = new ArrayList<>();
        ByteBuf buf = Unpooled.buffer();
        try {
            for (Object o : decoded) {
                if (o instanceof RespRequest r) {
                    byte[][] args = r.args().toArray(new byte[0][]);
                    RespEncoder.writeCommand(buf, args);
                    expected.add(new RespRequest(args, false));
                }
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            assertEquals(expected, DecoderHarness.whole(RespRequestDecoder::new, bytes), "requests re-encoded");
        } finally {
            buf.release();
        }
    }

    // ---- replies ----

    /** How the reply decoder failed: its {@link DecoderException}'s message, in the output list. */
    private record Failure(String message) {
    }

    private static List<Object> decodeReplies(ReplyCase c, int[] cuts, boolean measureHeap) {
        Feed feed = new Feed(measureHeap, new RespValueDecoder(c.limits));
        // An incomplete line may grow to the bulk limit; a shorter payload waits whole in the cumulation.
        long bound = c.limits.maxBulkLength() + 2L;
        try {
            int from = 0;
            for (int cut : cuts) {
                boolean failed = feed.out.stream().anyMatch(o -> o instanceof Failure);
                try {
                    feed.write(c.input, from, cut);
                } catch (DecoderException e) {
                    if (e.getCause() != null) {
                        throw e; // the decoder crashed and ByteToMessageDecoder wrapped it
                    }
                    assertTrue(!failed, "a second DecoderException: the decoder must ignore input after the first");
                    feed.drain();
                    feed.out.add(new Failure(e.getMessage()));
                }
                feed.assertBuffered(bound, failed);
                from = cut;
            }
            feed.finish();
        } finally {
            feed.release();
        }
        feed.assertReleasedAndBounded();
        return feed.out;
    }

    private static void checkReplies(List<Object> out, RespLimits limits) {
        for (int i = 0; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof Failure) {
                assertEquals(out.size() - 1, i, "output after a DecoderException: " + out.subList(i, out.size()));
            } else if (o instanceof RespValue v) {
                int depth = checkValue(v, limits);
                assertTrue(depth <= limits.maxNestingDepth(), "a reply nested " + depth + " deep");
            } else {
                fail("the reply decoder emitted a " + o.getClass().getName());
            }
        }
    }

    /** Checks the aggregate and bulk limits throughout {@code v}; returns its aggregate depth. */
    private static int checkValue(RespValue v, RespLimits limits) {
        if (v instanceof RespValue.Bulk b) {
            assertTrue(b.bytes().length <= limits.maxBulkLength(), "bulk of " + b.bytes().length + " bytes");
        } else if (v instanceof RespValue.BulkError e) {
            assertTrue(e.bytes().length <= limits.maxBulkLength(), "bulk error of " + e.bytes().length + " bytes");
        } else if (v instanceof RespValue.Verbatim t) {
            assertTrue(t.bytes().length + 4 <= limits.maxBulkLength(), "verbatim of " + t.bytes().length + " bytes");
        } else if (v instanceof RespValue.Array a) {
            return 1 + checkItems(a.items(), limits);
        } else if (v instanceof RespValue.Map m) {
            assertEquals(0, m.flat().size() % 2, "a map with a key and no value");
            return 1 + checkItems(m.flat(), limits);
        } else if (v instanceof RespValue.Set s) {
            return 1 + checkItems(s.items(), limits);
        } else if (v instanceof RespValue.Push p) {
            return 1 + checkItems(p.items(), limits);
        } else if (v instanceof RespValue.Attributed a) {
            assertEquals(0, a.attributes().size() % 2, "attributes with a key and no value");
            return 1 + Math.max(checkItems(a.attributes(), limits), checkValue(a.value(), limits));
        }
        return 0;
    }

    private static int checkItems(List<RespValue> items, RespLimits limits) {
        assertTrue(items.size() <= limits.maxAggregateLength(), "aggregate of " + items.size() + " elements");
        int depth = 0;
        for (RespValue item : items) {
            depth = Math.max(depth, checkValue(item, limits));
        }
        return depth;
    }

    /** RESP3 bytes of a decoded reply decode to the same reply; RESP2 bytes decode to one value. */
    private static void assertRepliesRoundTrip(RespValue v) {
        assertEquals(List.of(resp3Image(v)), RespValueDecoder.decodeAll(RespEncoder.toBytes(v, 3)), "reply re-encoded as RESP3");
        assertEquals(1, RespValueDecoder.decodeAll(RespEncoder.toBytes(v, 2)).size(), "reply re-encoded as RESP2");
    }

    /**
     * What {@code v} reads back as from its RESP3 bytes: RESP3 has one null, and simple strings and
     * errors are written with CR and LF as spaces so they cannot break the framing.
     */
    private static RespValue resp3Image(RespValue v) {
        if (v == RespValue.Null.ARRAY) {
            return RespValue.Null.BULK;
        } else if (v instanceof RespValue.Simple s) {
            return new RespValue.Simple(blankLineEnds(s.bytes()));
        } else if (v instanceof RespValue.Error e) {
            return new RespValue.Error(blankLineEnds(e.bytes()));
        } else if (v instanceof RespValue.Verbatim t) {
            // Known and harmless (Redis sends only txt and mkd): the decoder reads the format as
            // US-ASCII, so a byte above 0x7f becomes U+FFFD and is written back as '?'.
            String format = new String(t.format().getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
            return new RespValue.Verbatim(format, t.bytes());
        } else if (v instanceof RespValue.Array a) {
            return new RespValue.Array(resp3Images(a.items()));
        } else if (v instanceof RespValue.Map m) {
            return new RespValue.Map(resp3Images(m.flat()));
        } else if (v instanceof RespValue.Set s) {
            return new RespValue.Set(resp3Images(s.items()));
        } else if (v instanceof RespValue.Push p) {
            return new RespValue.Push(resp3Images(p.items()));
        } else if (v instanceof RespValue.Attributed a) {
            return new RespValue.Attributed(resp3Images(a.attributes()), resp3Image(a.value()));
        }
        return v;
    }

    private static List<RespValue> resp3Images(List<RespValue> values) {
        return values.stream().map(RespFuzzTest::resp3Image).toList();
    }

    private static byte[] blankLineEnds(byte[] text) {
        byte[] copy = text.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\r' || copy[i] == '\n') {
                copy[i] = ' ';
            }
        }
        return copy;
    }

    // ---- both ----

    /**
     * The output of the pieces equals the output of one read, or stops early at an error that only
     * incomplete lines can raise, after a prefix of the one-read output.
     */
    private static void assertSameWhateverTheReads(List<Object> whole, List<Object> pieces,
            Predicate<Object> lineLimitError) {
        if (pieces.equals(whole)) {
            return;
        }
        int n = pieces.size() - 1;
        assertTrue(n >= 0 && lineLimitError.test(pieces.get(n)),
                "the reads changed the outcome: one read gave " + summary(whole) + ", pieces gave " + summary(pieces));
        assertTrue(n <= whole.size() && whole.subList(0, n).equals(pieces.subList(0, n)),
                "pieces stopped at " + pieces.get(n) + " after output one read did not give: "
                        + summary(whole) + " vs " + summary(pieces));
    }

    private static String summary(List<Object> out) {
        String s = out.toString();
        return out.size() + " outputs " + (s.length() > 400 ? s.substring(0, 400) + "..." : s);
    }

    /**
     * One decoder in an {@link EmbeddedChannel}, fed reads copied from an input. Tracks the
     * buffers of its channel (see {@link TrackingAllocator}) and the heap allocated while it runs.
     */
    private static final class Feed {
        final List<Object> out = new ArrayList<>();
        private final TrackingAllocator allocator = new TrackingAllocator();
        private final EmbeddedChannel channel = new EmbeddedChannel();
        private final boolean measureHeap;
        private final long allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
        private long bytes;
        private int reads;
        private int lastRead;

        /** @param measureHeap whether {@link #assertReleasedAndBounded} also bounds the heap allocated */
        Feed(boolean measureHeap, ChannelHandler... handlers) {
            this.measureHeap = measureHeap;
            channel.config().setAllocator(allocator);
            channel.pipeline().addLast(handlers);
        }

        void write(byte[] input, int from, int to) {
            bytes += to - from;
            reads++;
            lastRead = to - from;
            try {
                channel.writeInbound(allocator.buffer(to - from).writeBytes(input, from, to - from));
            } finally {
                drain();
            }
        }

        void drain() {
            Object o;
            while ((o = channel.readInbound()) != null) {
                out.add(o);
            }
        }

        /** The decoder buffers at most {@code limit} bytes plus the last read; none after it failed. */
        void assertBuffered(long limit, boolean failed) {
            long buffered = allocator.liveReadableBytes();
            if (failed) {
                assertEquals(0, buffered, "bytes still buffered after a protocol error");
            } else {
                assertTrue(buffered <= limit + lastRead,
                        "the decoder buffers " + buffered + " bytes, limit " + limit);
            }
        }

        /** Closes the channel as a disconnect does, collecting what the decoder emits for it. */
        void finish() {
            channel.finish();
            drain();
        }

        /** Closes the channel if need be and releases what it still holds. */
        void release() {
            channel.finishAndReleaseAll();
        }

        /** After {@link #release}: no buffer may be left unreleased and the heap used must be bounded. */
        void assertReleasedAndBounded() {
            assertEquals(0, allocator.unreleased(), "buffers left unreleased after the channel closed");
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
            long bound = ALLOCATION_ALLOWANCE + ALLOCATION_PER_BYTE * bytes + ALLOCATION_PER_READ * reads
                    + ALLOCATION_PER_OUTPUT * out.size();
            if (!measureHeap) {
                return;
            }
            if (allocated > bound) {
                throw new HeapBoundExceeded("decoding " + bytes + " bytes in " + reads + " reads allocated "
                        + allocated + " bytes of heap, bound " + bound);
            }
        }
    }
}
