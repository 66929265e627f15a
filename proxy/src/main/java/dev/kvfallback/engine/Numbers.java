package dev.kvfallback.engine;

import java.util.regex.Pattern;

/**
 * Number parsing as strict as Redis's ({@code string2ll}, {@code strtold} with its checks): a
 * client's {@code "+1"}, {@code " 1"}, {@code "01"} or {@code "1d"} is not a number in Redis and
 * must not be one here.
 */
public final class Numbers {

    private static final Pattern DECIMAL = Pattern.compile(
            "[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity))");

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

    /** A double as Redis reads one ({@code inf} allowed, NaN not), or null. */
    public static Double parseDouble(byte[] s) {
        if (s.length == 0 || s.length > 256) {
            return null;
        }
        String text = new String(s, java.nio.charset.StandardCharsets.US_ASCII);
        if (!DECIMAL.matcher(text).matches()) {
            return null;
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double d = Double.parseDouble(text);
        return Double.isNaN(d) ? null : d;
    }

    /** Like {@link #parseDouble}, throwing Redis's {@code ERR value is not a valid float}. */
    public static double doubleOrError(byte[] s) {
        Double v = parseDouble(s);
        if (v == null) {
            throw new CommandError(EngineErrors.NOT_FLOAT);
        }
        return v;
    }

    /** The decimal text of a long, as bytes. */
    public static byte[] bytes(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
