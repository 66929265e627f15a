package dev.kvfallback.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"say \\\"hi\\\" to C:\\\\dir\"", Json.write("say \"hi\" to C:\\dir"));
        assertEquals("\"a\\nb\\rc\\td\\be\\ff\"", Json.write("a\nb\rc\td\be\ff"));
        assertEquals("\"\\u0000\\u001f\\u0001\"", Json.write("\u0000\u001f\u0001"));
    }

    @Test
    void passesNonAsciiThroughAsCharacters() {
        assertEquals("\"caf\u00e9 \u65e5\u672c \uD83D\uDE00 \u007f\"", Json.write("caf\u00e9 \u65e5\u672c \uD83D\uDE00 \u007f"));
        assertEquals("\"builder\"", Json.write(new StringBuilder("builder")));
    }

    @Test
    void nestsMapsAndListsKeepingInsertionOrder() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(true, false));
        Map<Object, Object> outer = new LinkedHashMap<>();
        outer.put("status", "ok");
        outer.put("mongo", inner);
        outer.put(7, Arrays.asList("x", null));
        assertEquals("{\"status\":\"ok\",\"mongo\":{\"z\":1,\"a\":[true,false]},\"7\":[\"x\",null]}",
                Json.write(outer));
    }

    @Test
    void writesNumbersAsJsonNumbers() {
        assertEquals("9223372036854775807", Json.write(Long.MAX_VALUE));
        assertEquals("-9223372036854775808", Json.write(Long.MIN_VALUE));
        assertEquals("[1,2,3,42,123456789012345678901234567890]", Json.write(List.of(
                (byte) 1, (short) 2, 3, new AtomicLong(42), new BigInteger("123456789012345678901234567890"))));
        assertEquals("[1.5,0.1,-0.0]", Json.write(List.of(1.5, 0.1f, -0.0)));
    }

    @Test
    void writesNonFiniteNumbersAsNull() {
        assertEquals("[null,null,null,null]", Json.write(List.of(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.NaN)));
    }

    @Test
    void writesNullBooleansAndEmptyContainers() {
        assertEquals("null", Json.write(null));
        assertEquals("true", Json.write(true));
        assertEquals("{}", Json.write(Map.of()));
        assertEquals("[]", Json.write(new ArrayList<>()));
        assertEquals("{\"empty\":\"\"}", Json.write(Map.of("empty", "")));
    }

    @Test
    void refusesTypesWithNoJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("when", java.time.Instant.EPOCH)));
    }
}
