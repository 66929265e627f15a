package dev.kvfallback.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every expectation here is what redis-server 7.0.15 answered to ZADD z <score> m; ZSCORE z m. */
class RespDoublesTest {

    @Test
    void formatsLikeRedisZscore() {
        assertFormat("0.10000000000000001", 0.1);
        assertFormat("1.5", 1.5);
        assertFormat("3", 3);
        assertFormat("100", 100);
        assertFormat("1e+20", 1e20);
        assertFormat("1e+21", 1e21);
        assertFormat("1.0000000000000001e-05", 1e-5);
        assertFormat("0.0001", 0.0001);
        assertFormat("1.2345678901234568e+17", 123456789012345678.0);
        assertFormat("1.2345678901234567e+19", 12345678901234567890.0);
        assertFormat("-0.5", -0.5);
        assertFormat("1000000000000000", 1e15);
        assertFormat("10000000000000000", 1e16);
        assertFormat("1e+17", 1e17);
        assertFormat("123456789012345.59", 123456789012345.6);
        assertFormat("2.5000000000000002e-10", 2.5e-10);
        assertFormat("0.29999999999999999", 0.3);
        assertFormat("1.7976931348623157e+308", Double.MAX_VALUE);
        assertFormat("4.9406564584124654e-324", Double.MIN_VALUE);
        assertFormat("inf", Double.POSITIVE_INFINITY);
        assertFormat("-inf", Double.NEGATIVE_INFINITY);
    }

    @Test
    void formatsLikeCPrintfWhereRedisCannotStoreTheValue() {
        // ZADD rejects NaN and stores -0 as 0; these are glibc's "%.17g".
        assertFormat("nan", Double.NaN);
        assertFormat("-0", -0.0);
        assertFormat("0", 0.0);
        assertFormat("-1e+20", -1e20);
        assertFormat("1", 0.99999999999999999); // rounds up to exactly 1.0 as a double
    }

    private static void assertFormat(String expected, double d) {
        assertEquals(expected, RespDoubles.format(d), () -> "format(" + d + ")");
    }
}
