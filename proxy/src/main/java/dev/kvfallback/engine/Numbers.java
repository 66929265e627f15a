package dev.kvfallback.engine;

/**
 * Integer parsing as strict as Redis's {@code string2ll}: a client's {@code "+1"}, {@code " 1"}
 * or {@code "01"} is not an integer in Redis and must not be one here. (Doubles: {@code LongDouble}
 * for the INCRBYFLOAT family, the sorted-set family's own parser for scores.)
 */
public final class Numbers {

    private Numbers() {
    }

    /** A 64-bit integer in Redis's strict form, or null. */
    public static Long parseLong(byte[] s) {
        int len = s.length;
        if (len == 0 || len > 20) {
            return null;
        }
        if (len == 1 && s[0] == '0') {
            return 0L;
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '-') {
            negative = true;
            i++;
            if (len == 1) {
                return null;
            }
        }
        if (s[i] < '1' || s[i] > '9') {
            return null;
        }
        long v = 0;
        for (; i < len; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // Accumulate negatively so Long.MIN_VALUE parses.
            if (v < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return null;
            }
            return -v;
        }
        return v;
    }

    /** Like {@link #parseLong}, throwing Redis's {@code ERR value is not an integer or out of range}. */
    public static long longOrError(byte[] s) {
        Long v = parseLong(s);
        if (v == null) {
            throw new CommandError(EngineErrors.NOT_INTEGER);
        }
        return v;
    }

    /** C's {@code isspace} in the "C" locale: Redis's number parsers refuse a leading one. */
    static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    /** The decimal text of a long, as bytes. */
    public static byte[] bytes(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
