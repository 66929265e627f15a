package dev.kvfallback.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * C's {@code long double}, which Redis's INCRBYFLOAT and HINCRBYFLOAT compute in: the x87 80-bit
 * format (64-bit significand, ties-to-even rounding, subnormals), emulated exactly with big integers: {@code (-1)^negative * mantissa * 2^exponent}. Parsing is
 * Redis's {@code string2ld} over glibc's correctly rounded {@code strtold}; text is Redis's
 * {@code ld2string(..., LD_STR_HUMAN)}: {@code %.17Lf} with trailing zeros stripped.
 */
final class LongDouble {

    static final LongDouble ZERO = new LongDouble(false, BigInteger.ZERO, 0, false);

    private static final int PRECISION = 64;
    /** The exponent of the least subnormal's bit: 2^-16445. */
    private static final long MIN_LSB = -16445;
    /** Values at or above 2^16384 overflow to infinity. */
    private static final long MAX_EXP = 16384;
    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs this long or longer. */
    private static final int MAX_CHARS = 5 * 1024;
    private static final BigInteger FIVE = BigInteger.valueOf(5);
    private static final Pattern TEXT = Pattern.compile(
            "([+-]?)(?:(?i:(inf|infinity))"
                    + "|0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?"
                    + "|([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?)");

    private final boolean negative;
    private final BigInteger mantissa;
    private final long exponent;
    private final boolean infinite;

    private LongDouble(boolean negative, BigInteger mantissa, long exponent, boolean infinite) {
        this.negative = negative;
        this.mantissa = mantissa;
        this.exponent = exponent;
        this.infinite = infinite;
    }

    private static LongDouble infinity(boolean negative) {
        return new LongDouble(negative, BigInteger.ZERO, 0, true);
    }

    private static LongDouble zero(boolean negative) {
        return new LongDouble(negative, BigInteger.ZERO, 0, false);
    }

    boolean isInfinite() {
        return infinite;
    }

    boolean isZero() {
        return !infinite && mantissa.signum() == 0;
    }

    /** Redis's {@code string2ld}: null for what it refuses (spaces, junk, NaN, overflow, underflow to 0). */
    static LongDouble parse(byte[] s) {
        if (s.length == 0 || s.length >= MAX_CHARS || Numbers.isSpace(s[0])) {
            return null;
        }
        Matcher m = TEXT.matcher(new String(s, StandardCharsets.ISO_8859_1));
        if (!m.matches()) {
            return null;
        }
        boolean negative = m.group(1).equals("-");
        if (m.group(2) != null) {
            return infinity(negative);
        }
        LongDouble v;
        if (m.group(3) != null) {
            v = hex(negative, m.group(3), nonNull(m.group(4)), m.group(5));
        } else {
            v = decimal(negative, m.group(6), nonNull(m.group(7)), m.group(8));
        }
        // strtold's ERANGE: an overflow or a non-zero that rounded to zero.
        return v == null || v.infinite ? null : v;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    /** An exponent's digits, saturated well beyond any long double's range. */
    private static long exponentOf(String text) {
        if (text == null) {
            return 0;
        }
        boolean minus = text.startsWith("-");
        String digits = text.replaceFirst("^[+-]", "");
        long e = 0;
        for (int i = 0; i < digits.length() && e < 1_000_000_000L; i++) {
            e = e * 10 + (digits.charAt(i) - '0');
        }
        return minus ? -e : e;
    }

    private static LongDouble decimal(boolean negative, String whole, String fraction, String exp) {
        if (whole.isEmpty() && fraction.isEmpty()) {
            return null;
        }
        String digits = (whole + fraction).replaceFirst("^0+", "");
        if (digits.isEmpty()) {
            return zero(negative);
        }
        long k = exponentOf(exp) - fraction.length();
        long log10 = digits.length() - 1 + k;
        if (log10 > 4933) {
            return null;
        }
        if (log10 < -4952) {
            return null;
        }
        BigInteger n = new BigInteger(digits);
        if (k >= 0) {
            return round(negative, n.multiply(BigInteger.TEN.pow((int) k)), 0, false);
        }
        return roundQuotient(negative, n, BigInteger.TEN.pow((int) -k));
    }

    private static LongDouble hex(boolean negative, String whole, String fraction, String exp) {
        if (whole.isEmpty() && fraction.isEmpty()) {
            return null;
        }
        BigInteger n = new BigInteger(whole + fraction, 16);
        if (n.signum() == 0) {
            return zero(negative);
        }
        long k = exponentOf(exp) - 4L * fraction.length();
        long bits = n.bitLength() + k;
        if (bits > MAX_EXP + 1) {
            return null;
        }
        if (bits < MIN_LSB - 1) {
            return null;
        }
        LongDouble v = round(negative, n, k, false);
        return v.isZero() ? null : v;
    }

    /** {@code num / den} rounded to a long double. */
    private static LongDouble roundQuotient(boolean negative, BigInteger num, BigInteger den) {
        long shift = PRECISION + 2 + den.bitLength() - num.bitLength();
        BigInteger[] qr = shift >= 0 ? num.shiftLeft((int) shift).divideAndRemainder(den)
                : num.divideAndRemainder(den.shiftLeft((int) -shift));
        LongDouble v = round(negative, qr[0], -shift, qr[1].signum() != 0);
        return v.isZero() ? null : v;
    }

    /**
     * {@code (q + sticky-fraction) * 2^exp} rounded to 64 significant bits (fewer for
     * subnormals), ties to even; infinity past the largest finite value.
     */
    private static LongDouble round(boolean negative, BigInteger q, long exp, boolean sticky) {
        int bits = q.bitLength();
        if (bits == 0) {
            return zero(negative);
        }
        long lsb = Math.max(exp + bits - PRECISION, MIN_LSB);
        long drop = lsb - exp;
        BigInteger kept;
        if (drop <= 0) {
            kept = q;
            lsb = exp;
        } else if (drop > bits + 1) {
            kept = BigInteger.ZERO;
        } else {
            kept = q.shiftRight((int) drop);
            BigInteger rest = q.subtract(kept.shiftLeft((int) drop));
            int half = rest.compareTo(BigInteger.ONE.shiftLeft((int) drop - 1));
            if (half > 0 || (half == 0 && (sticky || kept.testBit(0)))) {
                kept = kept.add(BigInteger.ONE);
                if (kept.bitLength() > PRECISION) {
                    kept = kept.shiftRight(1);
                    lsb++;
                }
            }
        }
        if (kept.signum() == 0) {
            return zero(negative);
        }
        if (lsb + kept.bitLength() > MAX_EXP) {
            return infinity(negative);
        }
        return new LongDouble(negative, kept, lsb, false);
    }

    /** The rounded sum; null for NaN (infinities of opposite signs). */
    LongDouble add(LongDouble o) {
        if (infinite || o.infinite) {
            if (infinite && o.infinite && negative != o.negative) {
                return null;
            }
            return infinite ? this : o;
        }
        long e = Math.min(exponent, o.exponent);
        BigInteger sum = signed().shiftLeft((int) (exponent - e)).add(o.signed().shiftLeft((int) (o.exponent - e)));
        if (sum.signum() == 0) {
            return zero(negative && o.negative);
        }
        return round(sum.signum() < 0, sum.abs(), e, false);
    }

    private BigInteger signed() {
        return negative ? mantissa.negate() : mantissa;
    }

    /** {@code %.17Lf}, trailing zeros (and a bare point) stripped, {@code -0} as {@code 0}. */
    String humanText() {
        BigDecimal exact = exponent >= 0 ? new BigDecimal(mantissa.shiftLeft((int) exponent))
                : new BigDecimal(mantissa.multiply(FIVE.pow((int) -exponent)), (int) -exponent);
        String text = exact.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = text.length();
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        if (text.charAt(end - 1) == '.') {
            end--;
        }
        text = text.substring(0, end);
        if (negative && !text.equals("0")) {
            return "-" + text;
        }
        return text;
    }
}
