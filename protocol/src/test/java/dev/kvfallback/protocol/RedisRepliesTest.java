package dev.kvfallback.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays replies captured from a real redis-server (resource {@code redis-replies.txt}, made by
 * {@code src/test/redis/capture_replies.py}): the codec must reproduce Redis's bytes exactly in
 * both protocols, and downgrading the RESP3 reply must give Redis's RESP2 bytes wherever the
 * RESP2 shape follows from the RESP3 one.
 */
class RedisRepliesTest {

    record Capture(String command, byte[] resp2, boolean derivable, byte[] resp3) {
    }

    @Test
    void reEncodingGivesRedisBytesInBothProtocols() throws IOException {
        List<Capture> captures = load();
        assertTrue(captures.size() >= 30, "fixture loaded: " + captures.size());
        for (Capture c : captures) {
            assertArrayEquals(c.resp3(), encodeAll(RespValueDecoder.decodeAll(c.resp3()), 3), c.command() + " RESP3");
            assertArrayEquals(c.resp2(), encodeAll(RespValueDecoder.decodeAll(c.resp2()), 2), c.command() + " RESP2");
        }
    }

    @Test
    void downgradingResp3GivesRedisResp2() throws IOException {
        for (Capture c : load()) {
            byte[] downgraded = encodeAll(RespValueDecoder.decodeAll(c.resp3()), 2);
            if (c.derivable()) {
                assertEquals(latin1(c.resp2()), latin1(downgraded), c.command());
            } else {
                // The fixture's "2!" flag must be honest: these really differ, so the proxy needs the command to know.
                assertFalse(latin1(c.resp2()).equals(latin1(downgraded)), c.command());
            }
        }
    }

    @Test
    void streamOfAllRepliesDecodesTheSameByteByByte() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Capture c : load()) {
            all.write(c.resp3());
        }
        byte[] stream = all.toByteArray();
        List<Object> expected = new ArrayList<>(RespValueDecoder.decodeAll(stream));
        assertEquals(expected, DecoderHarness.bytewise(RespValueDecoder::new, stream));
    }

    private static byte[] encodeAll(List<RespValue> values, int protocol) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RespValue v : values) {
            out.writeBytes(RespEncoder.toBytes(v, protocol));
        }
        return out.toByteArray();
    }

    private static List<Capture> load() throws IOException {
        String text;
        try (InputStream in = RedisRepliesTest.class.getResourceAsStream("/redis-replies.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<Capture> captures = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("> ")) {
                continue;
            }
            String two = lines[i + 1];
            String three = lines[i + 2];
            boolean derivable = two.startsWith("2 ");
            captures.add(new Capture(lines[i].substring(2),
                    unescape(two.substring(derivable ? 2 : 3)), derivable, unescape(three.substring(2))));
        }
        return captures;
    }

    private static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + s);
            }
        }
        return out.toByteArray();
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
