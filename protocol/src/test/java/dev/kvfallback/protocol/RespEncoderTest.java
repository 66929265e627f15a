package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.protocol.DecoderHarness.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespEncoderTest {

    @Test
    void resp3BytesOfEveryType() {
        for (RespSamples.Sample s : RespSamples.ALL) {
            assertEquals(s.resp3(), latin1String(RespEncoder.toBytes(s.value(), 3)), s.value().toString());
        }
    }

    @Test
    void resp2DowngradeOfEveryType() {
        for (RespSamples.Sample s : RespSamples.ALL) {
            assertEquals(s.resp2(), latin1String(RespEncoder.toBytes(s.value(), 2)), s.value().toString());
        }
    }

    @Test
    void resp3RoundTrip() {
        for (RespSamples.Sample s : RespSamples.ALL) {
            RespValue expected = RespSamples.afterResp3(s.value());
            byte[] once = RespEncoder.toBytes(s.value(), 3);
            assertEquals(List.of(expected), RespValueDecoder.decodeAll(once));
            assertArrayEquals(once, RespEncoder.toBytes(expected, 3), "re-encoding is stable");
        }
    }

    @Test
    void headersAroundTheCachedRange() {
        List<RespValue> items = new ArrayList<>();
        for (int n : new int[] {0, 1, 9, 10, 1023, 1024, 1025, 99999}) {
            items.add(new RespValue.Bulk(new byte[n]));
            items.add(new RespValue.Int(n));
            items.add(new RespValue.Int(-n));
        }
        RespValue array = new RespValue.Array(items);
        assertEquals(List.of(array), RespValueDecoder.decodeAll(RespEncoder.toBytes(array, 2)));
        assertEquals("$1024\r\n", latin1String(RespEncoder.toBytes(new RespValue.Bulk(new byte[1024]), 2)).substring(0, 7));
        assertEquals(":-1\r\n", latin1String(RespEncoder.toBytes(new RespValue.Int(-1), 3)));
        assertEquals(":1000000000000\r\n", latin1String(RespEncoder.toBytes(new RespValue.Int(1_000_000_000_000L), 3)));
    }

    @Test
    void lineBreaksInSimpleStringsAndErrorsBecomeSpaces() {
        assertEquals("-ERR a  b\r\n", latin1String(RespEncoder.toBytes(new RespValue.Error("ERR a\r\nb"), 2)));
        assertEquals("+x y\r\n", latin1String(RespEncoder.toBytes(new RespValue.Simple("x\ny"), 3)));
        assertEquals("-E x\r\n", latin1String(RespEncoder.toBytes(new RespValue.BulkError(latin1("E\rx")), 2)));
        assertEquals("!3\r\nE\rx\r\n", latin1String(RespEncoder.toBytes(new RespValue.BulkError(latin1("E\rx")), 3)));
    }

    @Test
    void writeCommandIsAMultibulkRequest() {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespEncoder.writeCommand(buf, latin1("SET"), latin1("k"), new byte[0]);
            assertEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", buf.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        } finally {
            buf.release();
        }
    }

    @Test
    void onlyProtocolsTwoAndThree() {
        assertThrows(IllegalArgumentException.class, () -> RespEncoder.toBytes(RespValue.Simple.OK, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespValueEncoder(4));
    }

    @Test
    void pipelineEncoderWritesItsProtocol() {
        for (int protocol : new int[] {2, 3}) {
            EmbeddedChannel channel = new EmbeddedChannel(new RespValueEncoder(protocol));
            try {
                RespValue map = new RespValue.Map(List.of(RespValue.Bulk.of("k"), RespValue.Bool.TRUE));
                channel.writeOutbound(map);
                ByteBuf written = channel.readOutbound();
                try {
                    assertEquals(protocol == 3 ? "%1\r\n$1\r\nk\r\n#t\r\n" : "*2\r\n$1\r\nk\r\n:1\r\n",
                            written.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
                } finally {
                    written.release();
                }
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }

    private static String latin1String(byte[] bytes) {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
