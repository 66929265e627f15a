package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static dev.kvfallback.protocol.DecoderHarness.concat;
import static dev.kvfallback.protocol.DecoderHarness.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request decoder against Redis 7.0's rules. Expected outcomes for inline quoting and the
 * protocol-error quirks were checked by hand against redis-server 7.0.15.
 */
class RespRequestDecoderTest {

    private static final Supplier<ChannelHandler> DEFAULT = RespRequestDecoder::new;
    private static final byte[] PING = latin1("*1\r\n$4\r\nPING\r\n");

    private static RespRequest multibulk(String... args) {
        return RespRequest.of(args);
    }

    private static RespRequest inline(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = latin1(args[i]);
        }
        return new RespRequest(bytes, true);
    }

    private static byte[] command(byte[]... args) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespEncoder.writeCommand(buf, args);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static byte[] filled(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes); // includes \r, \n and NUL: payloads are binary-safe
        return bytes;
    }

    @Test
    void decodesMultibulkCommand() {
        List<Object> out = DecoderHarness.whole(DEFAULT, latin1("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"));
        assertEquals(List.of(multibulk("SET", "k", "hello")), out);
        RespRequest request = (RespRequest) out.get(0);
        assertEquals("set", request.name());
        assertFalse(request.inline());
        assertEquals(3, request.size());
    }

    @Test
    void byteAtATimeAndRandomPiecesMatchOneRead() {
        byte[] big = filled(40_000, 1);    // above PartialBulk.THRESHOLD: streamed out of the cumulation
        byte[] medium = filled(1_000, 2);
        byte[] input = concat(
                command(latin1("SET"), latin1("key"), big),
                latin1("PING\r\n"),
                latin1("*0\r\n*-1\r\n\r\n   \r\n"),
                latin1("set 'a b' \"c\\r\\nd\"\n"),
                command(latin1("MSET"), latin1("k\r\n"), new byte[0], latin1("k2"), medium),
                latin1("*1\rX$4\rXECHOab"),
                PING);
        List<Object> expected = List.of(
                new RespRequest(new byte[][] {latin1("SET"), latin1("key"), big}, false),
                inline("PING"),
                inline("set", "a b", "c\r\nd"),
                new RespRequest(new byte[][] {latin1("MSET"), latin1("k\r\n"), new byte[0], latin1("k2"), medium}, false),
                multibulk("ECHO"),
                multibulk("PING"));
        assertEquals(expected, DecoderHarness.whole(DEFAULT, input));
        assertEquals(expected, DecoderHarness.bytewise(DEFAULT, input));
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(expected, DecoderHarness.randomPieces(DEFAULT, input, seed, 1 + (int) seed * 97), "seed " + seed);
        }
    }

    @Test
    void largeBulkSplitAnywhere() {
        byte[] payload = filled(3 * 1024 * 1024 + 17, 7);
        byte[] input = concat(command(latin1("SET"), latin1("k"), payload), PING);
        List<Object> expected = List.of(new RespRequest(new byte[][] {latin1("SET"), latin1("k"), payload}, false),
                multibulk("PING"));
        for (long seed = 0; seed < 5; seed++) {
            assertEquals(expected, DecoderHarness.randomPieces(DEFAULT, input, seed, 16_384), "seed " + seed);
        }
        assertEquals(expected, DecoderHarness.whole(DEFAULT, input));
    }

    @Test
    void argumentArrayGrowsToExactlyTheAnnouncedCount() {
        byte[][] args = new byte[1500][];
        for (int i = 0; i < args.length; i++) {
            args[i] = latin1(Integer.toString(i));
        }
        List<Object> out = DecoderHarness.randomPieces(DEFAULT, command(args), 3, 50);
        assertEquals(List.of(new RespRequest(args, false)), out);
    }

    @Test
    void hugeCountDoesNotPreallocate() {
        // 2^31-1 slots would need gigabytes: the decoder must only hold what has arrived.
        DecoderHarness h = new DecoderHarness(new RespRequestDecoder());
        try {
            assertEquals(List.of(), h.write("*2147483647\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
            assertTrue(h.channel().isActive());
        } finally {
            h.close();
        }
    }

    @Test
    void protocolErrorsHaveRedisTexts() {
        String mbulk = "Protocol error: invalid multibulk length";
        String bulk = "Protocol error: invalid bulk length";
        String quotes = "Protocol error: unbalanced quotes in request";
        assertProtocolError("*\r\n", mbulk);
        assertProtocolError("*-0\r\n", mbulk);
        assertProtocolError("*00\r\n", mbulk);
        assertProtocolError("*01\r\n", mbulk);
        assertProtocolError("*+1\r\n", mbulk);
        assertProtocolError("* 1\r\n", mbulk);
        assertProtocolError("*1 \r\n", mbulk);
        assertProtocolError("*2147483648\r\n", mbulk);
        assertProtocolError("*99999999999999999999\r\n", mbulk);
        assertProtocolError("*1\r\n$-1\r\n", bulk);
        assertProtocolError("*1\r\n$-0\r\n", bulk);
        assertProtocolError("*1\r\n$01\r\n", bulk);
        assertProtocolError("*1\r\n$ 4\r\n", bulk);
        assertProtocolError("*1\r\n$4 \r\n", bulk);
        assertProtocolError("*1\r\n$\r\n", bulk);
        assertProtocolError("*1\r\n$536870913\r\n", bulk);
        assertProtocolError("*1\r\n$9223372036854775808\r\n", bulk);
        assertProtocolError("*1\r\n$-9223372036854775808\r\n", bulk);
        assertProtocolError("*1\r\nfoo\r\n", "Protocol error: expected '$', got 'f'");
        assertProtocolError("*2\r\n$3\r\nGET\r\n:1\r\n", "Protocol error: expected '$', got ':'");
        assertProtocolError("*1\r\n\r\n", "Protocol error: expected '$', got ' '");
        assertProtocolError("*1\r\n\n\r\n", "Protocol error: expected '$', got ' '");
        assertProtocolError("*1\r\n\u00ff\r\n", "Protocol error: expected '$', got '\u00ff'");
        assertProtocolError("echo \"abc\r\n", quotes);
        assertProtocolError("echo \"a\"b\r\n", quotes);
        assertProtocolError("echo 'a'b\r\n", quotes);
        assertProtocolError("echo a\"\"b\r\n", quotes);
        assertProtocolError("echo a\"b c\"d\r\n", quotes);
        assertProtocolError("echo \"ab\\\r\n", quotes);
        assertProtocolError("echo 'c\\\\'\r\n", quotes);
        assertProtocolError("echo 'abc\n", quotes);
    }

    /** A good command before the bad bytes is still delivered; anything after them is ignored. */
    private static void assertProtocolError(String bad, String message) {
        byte[] input = concat(PING, latin1(bad), PING, latin1("PING\r\n"));
        List<Object> expected = List.of(multibulk("PING"), new RespProtocolError(message));
        assertEquals(expected, DecoderHarness.whole(DEFAULT, input), bad);
        assertEquals(expected, DecoderHarness.bytewise(DEFAULT, input), bad);
    }

    @Test
    void tooBigLinesWithoutLineEnd() {
        assertTooBig(latin1("x".repeat(65_536)), "x", "Protocol error: too big inline request");
        assertTooBig(latin1("*" + "1".repeat(65_535)), "1", "Protocol error: too big mbulk count string");
        assertTooBig(latin1("*1\r\n" + "$".repeat(65_536)), "$", "Protocol error: too big bulk count string");
    }

    /** {@code atLimit} is exactly 64 KiB of pending line: fine; one byte more is the error. */
    private static void assertTooBig(byte[] atLimit, String oneMore, String message) {
        DecoderHarness h = new DecoderHarness(new RespRequestDecoder());
        try {
            assertEquals(List.of(), h.write(atLimit));
            assertEquals(List.of(new RespProtocolError(message)), h.write(oneMore));
            assertEquals(List.of(), h.write(PING));
        } finally {
            h.close();
        }
    }

    @Test
    void longInlineLineIsFineWhenItsNewlineArrivesWithIt() {
        // Redis checks for a newline before the size, so a 64 KiB+ line in one read is a command.
        String value = "x".repeat(70_000);
        assertEquals(List.of(inline("set", "k", value)), DecoderHarness.whole(DEFAULT, latin1("set k " + value + "\r\n")));
    }

    @Test
    void nulStopsTheSearchForALineEndAsStrchrDoes() {
        DecoderHarness h = new DecoderHarness(new RespRequestDecoder());
        try {
            assertEquals(List.of(), h.write("PI\0NG\r\nPING\r\n"));
            assertEquals(List.of(new RespProtocolError("Protocol error: too big inline request")),
                    h.write(latin1("y".repeat(65_536))));
        } finally {
            h.close();
        }
        assertEquals(List.of(), DecoderHarness.whole(DEFAULT, latin1("*1\0\r\n$4\r\nPING\r\n")));
    }

    @Test
    void bytesAfterCarriageReturnsAndPayloadsAreNotChecked() {
        assertEquals(List.of(multibulk("PING"), multibulk("PING")),
                DecoderHarness.bytewise(DEFAULT, latin1("*1\rX$4\r\nPINGxy*1\r\n$4\rXPINGab")));
    }

    @Test
    void emptyCommandsAreSkipped() {
        assertEquals(List.of(multibulk("PING")),
                DecoderHarness.bytewise(DEFAULT, latin1("\r\n\n  \t \r\n*0\r\n*-5\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n")));
    }

    @Test
    void inlineArgumentsSplitLikeSdssplitargs() {
        assertInline("PING\n", "PING");
        assertInline("PING\r\r\n", "PING");
        assertInline("echo \"a\\x41\\xZZ\\n\\q\"\r\n", "echo", "aAxZZ\nq");
        assertInline("echo 'a\\'b'\r\n", "echo", "a'b");
        assertInline("echo 'a\\\\b'\r\n", "echo", "a\\\\b");
        assertInline("echo 'a\\nb'\r\n", "echo", "a\\nb");
        assertInline("echo \"\\a\\b\\t\\r\"\r\n", "echo", "\u0007\b\t\r");
        assertInline("echo a\rb\r\n", "echo", "a", "b");
        assertInline("echo a\r\rb\n", "echo", "a", "b");
        assertInline("echo \u000ba\u000b\r\n", "echo", "a\u000b");
        assertInline("echo \"x\"\u000b\r\n", "echo", "x");
        assertInline("echo \"a\"\f\r\n", "echo", "a");
        assertInline("echo a\fb\r\n", "echo", "a\fb");
        assertInline("echo \"\" \r\n", "echo", "");
        assertInline("echo \"\\x00z\"\r\n", "echo", "\0z");
        assertInline("echo \"a\tb\"\r\n", "echo", "a\tb");
        assertInline("echo \u0080\u00ff\r\n", "echo", "\u0080\u00ff");
        assertInline("echo \"a\\x4\"\r\n", "echo", "ax4");
        assertInline("echo \"\\x4g\"\r\n", "echo", "x4g");
        assertInline("echo a\"b c\"\r\n", "echo", "ab c");
        assertInline("ECHO \"a\"\t\"b\"\r\n", "ECHO", "a", "b");
        assertInline("  set   k  \"v w\"  \r\n", "set", "k", "v w");
    }

    private static void assertInline(String line, String... args) {
        assertEquals(List.of(inline(args)), DecoderHarness.whole(DEFAULT, latin1(line)), line);
        assertEquals(List.of(inline(args)), DecoderHarness.bytewise(DEFAULT, latin1(line)), line);
    }

    @Test
    void unauthenticatedLimits() {
        AtomicBoolean authenticated = new AtomicBoolean(false);
        Supplier<ChannelHandler> decoder = () -> new RespRequestDecoder(RespLimits.defaults(), authenticated::get);
        byte[][] ten = new byte[10][];
        Arrays.fill(ten, latin1("a"));
        assertEquals(1, DecoderHarness.whole(decoder, command(ten)).size());
        assertEquals(List.of(new RespProtocolError("Protocol error: unauthenticated multibulk length")),
                DecoderHarness.whole(decoder, latin1("*11\r\n")));
        assertEquals(List.of(multibulk("SET", "k", "x".repeat(16_384))),
                DecoderHarness.whole(decoder, command(latin1("SET"), latin1("k"), latin1("x".repeat(16_384)))));
        assertEquals(List.of(new RespProtocolError("Protocol error: unauthenticated bulk length")),
                DecoderHarness.whole(decoder, latin1("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n")));
        // The invalid-length check comes first, as in Redis.
        assertEquals(List.of(new RespProtocolError("Protocol error: invalid multibulk length")),
                DecoderHarness.whole(decoder, latin1("*2147483648\r\n")));

        authenticated.set(true);
        assertEquals(List.of(), DecoderHarness.whole(decoder, latin1("*11\r\n$16385\r\n")));
    }

    @Test
    void authenticationTakesEffectForTheNextCommandOfTheSameRead() {
        AtomicBoolean authenticated = new AtomicBoolean(false);
        List<RespRequest> seen = new ArrayList<>();
        ChannelHandler session = new ChannelInboundHandlerAdapter() {
            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                RespRequest request = (RespRequest) msg;
                seen.add(request);
                if (request.name().equals("auth")) {
                    authenticated.set(true); // as a session would on a correct password
                }
            }
        };
        byte[][] eleven = new byte[11][];
        Arrays.fill(eleven, latin1("v"));
        eleven[0] = latin1("RPUSH");
        byte[] input = concat(command(latin1("AUTH"), latin1("secret")), command(eleven));
        DecoderHarness h = new DecoderHarness(new RespRequestDecoder(RespLimits.defaults(), authenticated::get), session);
        try {
            h.write(input);
            assertEquals(List.of(multibulk("AUTH", "secret"), new RespRequest(eleven, false)), seen);
        } finally {
            h.close();
        }
    }

    @Test
    void configuredLimits() {
        RespLimits limits = RespLimits.defaults().withMaxArrayLength(3).withMaxBulkLength(10);
        Supplier<ChannelHandler> decoder = () -> new RespRequestDecoder(limits, () -> true);
        assertEquals(List.of(new RespProtocolError("Protocol error: invalid multibulk length")),
                DecoderHarness.whole(decoder, latin1("*4\r\n")));
        assertEquals(List.of(new RespProtocolError("Protocol error: invalid bulk length")),
                DecoderHarness.whole(decoder, latin1("*1\r\n$11\r\n")));
        assertEquals(List.of(multibulk("SET", "k", "0123456789")),
                DecoderHarness.whole(decoder, latin1("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n0123456789\r\n")));
    }

    @Test
    void defaultBulkLimitIsInclusive() {
        DecoderHarness h = new DecoderHarness(new RespRequestDecoder());
        try {
            assertEquals(List.of(), h.write("*1\r\n$536870912\r\n"));
            assertTrue(h.channel().isActive());
        } finally {
            h.close();
        }
    }

    @Test
    void protocolErrorReplyIsRedisBytes() {
        RespProtocolError error = new RespProtocolError("Protocol error: expected '$', got '\u00ff'");
        assertArrayEquals(latin1("-ERR Protocol error: expected '$', got '\u00ff'\r\n"), RespEncoder.toBytes(error.reply(), 2));
    }
}
