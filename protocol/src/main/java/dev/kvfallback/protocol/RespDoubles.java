package dev.kvfallback.protocol;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Formats a double exactly as Redis 7.0 does ({@code snprintf("%.17g")} in C), so a double the
 * proxy writes is byte-for-byte what Redis would have written: {@code 0.10000000000000001},
 * {@code 3}, {@code 1e+20}, {@code inf}, {@code -inf}, {@code nan}.
 */
public final class RespDoubles {

    private static final MathContext SEVENTEEN = new MathContext(17);

    private RespDoubles() {
    }

    public static String format(double d) {
        if (java.lang.Double.isNaN(d)) {
            return "nan";
        }
        if (java.lang.Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        BigDecimal rounded = new BigDecimal(d).round(SEVENTEEN);
        // %g: exponent X of the rounded value; scientific when X < -4 or X >= precision (17).
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.toPlainString();
            String sign = exponent < 0 ? "-" : "+";
            int abs = Math.abs(exponent);
            return m + "e" + sign + (abs < 10 ? "0" : "") + abs;
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}
