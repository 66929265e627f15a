package dev.kvfallback.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kvfallback.protocol.DecoderHarness.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespRequestTest {

    @Test
    void nameIsAsciiLowercaseOnly() {
        assertEquals("hgetall", RespRequest.of("HGetAll", "k").name());
        // Redis folds command names with strcasecmp in the C locale: bytes past ASCII stay as they are.
        RespRequest nonAscii = new RespRequest(new byte[][] {{'G', (byte) 0xC9, 'T'}}, false);
        assertEquals("g\u00c9t", nonAscii.name());
    }

    @Test
    void accessors() {
        RespRequest r = RespRequest.of("SET", "k", "v");
        assertEquals(3, r.size());
        assertArrayEquals(latin1("k"), r.arg(1));
        assertEquals("v", r.argText(2));
        assertEquals(3, r.args().size());
        assertThrows(UnsupportedOperationException.class, () -> r.args().set(0, new byte[0]));
        assertEquals("[\"SET\", \"k\", \"v\"]", r.toString());
    }

    @Test
    void equalityIsByContentAndForm() {
        assertEquals(RespRequest.of("GET", "k"), RespRequest.of("GET", "k"));
        assertEquals(RespRequest.of("GET", "k").hashCode(), RespRequest.of("GET", "k").hashCode());
        assertNotEquals(RespRequest.of("GET", "k"), new RespRequest(new byte[][] {latin1("GET"), latin1("k")}, true));
        assertEquals(List.of(RespRequest.of("a")), List.of(RespRequest.of("a")));
    }

    @Test
    void aRequestHasAName() {
        assertThrows(IllegalArgumentException.class, () -> new RespRequest(new byte[0][], false));
    }
}
