package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static dev.kvfallback.protocol.DecoderHarness.concat;
import static dev.kvfallback.protocol.DecoderHarness.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespValueDecoderTest {

    private static final Supplier<ChannelHandler> DEFAULT = RespValueDecoder::new;

    @Test
    void decodesEveryType() {
        for (RespSamples.Sample s : RespSamples.ALL) {
            assertEquals(List.of(RespSamples.afterResp3(s.value())), RespValueDecoder.decodeAll(latin1(s.resp3())), s.resp3());
        }
    }

    @Test
    void resp2NullsKeepTheirKind() {
        assertEquals(List.of(RespValue.Null.BULK, RespValue.Null.ARRAY, RespValue.Null.BULK),
                RespValueDecoder.decodeAll(latin1("$-1\r\n*-1\r\n_\r\n")));
    }

    @Test
    void byteAtATimeAndRandomPiecesMatchOneRead() {
        byte[] big = new byte[100_000];
        new Random(5).nextBytes(big);
        List<byte[]> parts = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (RespSamples.Sample s : RespSamples.ALL) {
            parts.add(latin1(s.resp3()));
            expected.add(RespSamples.afterResp3(s.value()));
        }
        parts.add(RespEncoder.toBytes(new RespValue.Array(List.of(new RespValue.Bulk(big), RespValue.Int.ONE)), 3));
        expected.add(new RespValue.Array(List.of(new RespValue.Bulk(big), RespValue.Int.ONE)));
        byte[] input = concat(parts.toArray(new byte[0][]));

        assertEquals(expected, DecoderHarness.whole(DEFAULT, input));
        assertEquals(expected, DecoderHarness.bytewise(DEFAULT, input));
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(expected, DecoderHarness.randomPieces(DEFAULT, input, seed, 1 + (int) seed * 331), "seed " + seed);
        }
    }

    @Test
    void largeBulkSplitAnywhere() {
        byte[] big = new byte[5 * 1024 * 1024 + 3];
        new Random(9).nextBytes(big);
        byte[] input = concat(RespEncoder.toBytes(new RespValue.Bulk(big), 3), latin1("+OK\r\n"));
        List<Object> expected = List.of(new RespValue.Bulk(big), RespValue.Simple.OK);
        for (long seed = 0; seed < 4; seed++) {
            assertEquals(expected, DecoderHarness.randomPieces(DEFAULT, input, seed, 20_000), "seed " + seed);
        }
    }

    @Test
    void deepAndWideAggregates() {
        // 64 levels (the default limit) decode; the innermost holds 5000 elements.
        RespValue value = new RespValue.Array(java.util.Collections.nCopies(5000, RespValue.Int.ONE));
        for (int depth = 1; depth < 64; depth++) {
            value = depth % 2 == 0 ? new RespValue.Array(List.of(value)) : new RespValue.Push(List.of(value, RespValue.Null.BULK));
        }
        byte[] bytes = RespEncoder.toBytes(value, 3);
        assertEquals(List.of(value), DecoderHarness.randomPieces(DEFAULT, bytes, 1, 7));
    }

    @Test
    void limitsAreEnforced() {
        RespLimits small = RespLimits.defaults().withMaxBulkLength(5).withMaxAggregateLength(4).withMaxNestingDepth(3);
        Supplier<ChannelHandler> decoder = () -> new RespValueDecoder(small);
        assertEquals(List.of(RespValue.Bulk.of("12345")), DecoderHarness.whole(decoder, latin1("$5\r\n12345\r\n")));
        assertRejected(decoder, "$6\r\n123456\r\n", "exceeds 5");
        assertRejected(decoder, "!6\r\n123456\r\n", "exceeds 5");
        assertRejected(decoder, "=9\r\ntxt:12345\r\n", "exceeds 5");
        assertRejected(decoder, "+123456", "longer than 5");
        assertEquals(1, DecoderHarness.whole(decoder, latin1("*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n")).size());
        assertRejected(decoder, "*5\r\n", "5 elements exceeds 4");
        assertRejected(decoder, "%3\r\n", "6 elements exceeds 4");
        assertRejected(decoder, "|3\r\n", "6 elements exceeds 4");
        assertEquals(1, DecoderHarness.whole(decoder, latin1("*1\r\n*1\r\n*1\r\n:1\r\n")).size());
        assertRejected(decoder, "*1\r\n*1\r\n*1\r\n*1\r\n", "nesting deeper than 3");
        assertRejected(decoder, "*1\r\n%1\r\n~1\r\n|1\r\n", "nesting deeper than 3");
    }

    @Test
    void malformedInputIsRejected() {
        assertRejected(DEFAULT, "?x\r\n", "unknown RESP type byte 0x3f");
        assertRejected(DEFAULT, "+OK\n", "CRLF");
        assertRejected(DEFAULT, "\r\n", "unknown RESP type byte 0x0d");
        assertRejected(DEFAULT, ":12a\r\n", "invalid RESP number");
        assertRejected(DEFAULT, ":\r\n", "invalid RESP number");
        assertRejected(DEFAULT, ":9223372036854775808\r\n", "invalid RESP number");
        assertRejected(DEFAULT, "$-2\r\n", "invalid RESP length -2");
        assertRejected(DEFAULT, "!-1\r\n", "invalid RESP length -1");
        assertRejected(DEFAULT, "%-1\r\n", "invalid RESP count -1");
        assertRejected(DEFAULT, "$?\r\n", "invalid RESP number");
        assertRejected(DEFAULT, "$3\r\nabcX\n", "not followed by CRLF");
        assertRejected(DEFAULT, "=3\r\ntxt\r\n", "format prefix");
        assertRejected(DEFAULT, ",Infinity\r\n", "invalid RESP double");
        assertRejected(DEFAULT, ",1.5d\r\n", "invalid RESP double");
        assertRejected(DEFAULT, "#x\r\n", "invalid RESP boolean");
        assertRejected(DEFAULT, "(12x\r\n", "invalid RESP big number");
        assertRejected(DEFAULT, "_x\r\n", "null with a payload");
    }

    @Test
    void inputAfterAnErrorIsIgnored() {
        DecoderHarness h = new DecoderHarness(new RespValueDecoder());
        try {
            assertThrows(DecoderException.class, () -> h.write("+OK\r\n?bad\r\n+OK\r\n"));
            assertEquals(List.of(RespValue.Simple.OK), h.drain());
            assertEquals(List.of(), h.write("+OK\r\n"));
        } finally {
            h.close();
        }
    }

    @Test
    void decodeOneLeavesAPartialValueInPlace() {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes(latin1("*2\r\n$3\r\nfoo\r\n$3\r\nba"));
            assertNull(RespValueDecoder.decodeOne(buf));
            assertEquals(0, buf.readerIndex());
            buf.writeBytes(latin1("r\r\n:7\r\n"));
            assertEquals(new RespValue.Array(List.of(RespValue.Bulk.of("foo"), RespValue.Bulk.of("bar"))),
                    RespValueDecoder.decodeOne(buf));
            assertEquals(new RespValue.Int(7), RespValueDecoder.decodeOne(buf));
            assertTrue(!buf.isReadable());
        } finally {
            buf.release();
        }
    }

    @Test
    void decodeAllRejectsATruncatedTail() {
        DecoderException e = assertThrows(DecoderException.class, () -> RespValueDecoder.decodeAll(latin1("+OK\r\n$5\r\nab")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    private static void assertRejected(Supplier<ChannelHandler> decoder, String input, String messagePart) {
        DecoderHarness h = new DecoderHarness(decoder.get());
        try {
            DecoderException e = assertThrows(DecoderException.class, () -> h.write(latin1(input)), input);
            assertTrue(e.getMessage().contains(messagePart), input + " -> " + e.getMessage());
        } finally {
            h.close();
        }
    }
}
