package dev.kvfallback.engine;

import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespValue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis's commands on hashes, with Redis 7.0's replies and errors.
 *
 * <p>Order: a small Redis hash (a listpack: at most 128 fields, none of its fields or values
 * longer than 64 bytes) replies in insertion order, which {@link HashValue} keeps. A larger one is
 * a hash table whose order is unspecified; insertion order serves for it too, and HSCAN pages it
 * (see {@link SetCommands#scanPage}). Redis never turns a hash table back into a listpack; this
 * engine judges smallness by the current contents only.
 *
 * <p>HINCRBYFLOAT computes in C's {@code long double} as Redis does, emulated exactly by
 * {@link LongDouble}.
 */
final class HashCommands {

    private static final String NOT_INTEGER_VALUE = "ERR hash value is not an integer";
    private static final String NOT_FLOAT_VALUE = "ERR hash value is not a float";
    private static final String NAN_OR_INFINITY = "ERR value is NaN or Infinity";
    private static final String WOULD_BE_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    private static final String OUT_OF_RANGE = "ERR value is out of range";

    /** Redis's listpack limits ({@code hash-max-listpack-entries} and {@code -value}). */
    private static final int SMALL_ENTRIES = 128;
    private static final int SMALL_VALUE = 64;

    private HashCommands() {
    }

    static void register(Engine engine) {
        engine.add("hset", HashCommands::hset);
        engine.add("hmset", HashCommands::hset);
        engine.add("hsetnx", HashCommands::hsetnx);
        engine.add("hget", HashCommands::hget);
        engine.add("hmget", HashCommands::hmget);
        engine.add("hgetall", HashCommands::hgetall);
        engine.add("hdel", HashCommands::hdel);
        engine.add("hexists", HashCommands::hexists);
        engine.add("hlen", HashCommands::hlen);
        engine.add("hkeys", HashCommands::hkeys);
        engine.add("hvals", HashCommands::hvals);
        engine.add("hstrlen", HashCommands::hstrlen);
        engine.add("hincrby", HashCommands::hincrby);
        engine.add("hincrbyfloat", HashCommands::hincrbyfloat);
        engine.add("hrandfield", HashCommands::hrandfield);
        engine.add("hscan", HashCommands::hscan);
    }

    private static Map<Bytes, byte[]> fields(Call c) {
        HashValue hash = c.txn().read(c.arg(1), HashValue.class);
        return hash == null ? Map.of() : hash.fields();
    }

    /** HSET and HMSET: the same command, HMSET replying OK. */
    private static RespValue hset(Call c) {
        if (c.argc() % 2 != 0) {
            throw new CommandError(Errors.wrongArity(c.name()));
        }
        Map<Bytes, byte[]> fields = c.txn().modify(c.arg(1), HashValue.class, HashValue::new).fields();
        long added = 0;
        for (int i = 2; i < c.argc(); i += 2) {
            if (fields.put(Bytes.wrap(c.arg(i)), c.arg(i + 1)) == null) {
                added++;
            }
        }
        return c.name().equals("hmset") ? RespValue.Simple.OK : Call.integer(added);
    }

    private static RespValue hsetnx(Call c) {
        HashValue hash = c.txn().read(c.arg(1), HashValue.class);
        if (hash != null && hash.fields().containsKey(Bytes.wrap(c.arg(2)))) {
            return RespValue.Int.ZERO;
        }
        c.txn().modify(c.arg(1), HashValue.class, HashValue::new).fields().put(Bytes.wrap(c.arg(2)), c.arg(3));
        return RespValue.Int.ONE;
    }

    private static RespValue hget(Call c) {
        return Call.bulk(fields(c).get(Bytes.wrap(c.arg(2))));
    }

    private static RespValue hmget(Call c) {
        Map<Bytes, byte[]> fields = fields(c);
        List<RespValue> reply = new ArrayList<>(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            reply.add(Call.bulk(fields.get(Bytes.wrap(c.arg(i)))));
        }
        return new RespValue.Array(reply);
    }

    private static RespValue hgetall(Call c) {
        Map<Bytes, byte[]> fields = fields(c);
        List<RespValue> flat = new ArrayList<>(fields.size() * 2);
        for (Map.Entry<Bytes, byte[]> e : fields.entrySet()) {
            flat.add(Call.bulk(e.getKey()));
            flat.add(Call.bulk(e.getValue()));
        }
        return new RespValue.Map(flat);
    }

    private static RespValue hdel(Call c) {
        HashValue hash = c.txn().modify(c.arg(1), HashValue.class, null);
        if (hash == null) {
            return RespValue.Int.ZERO;
        }
        long deleted = 0;
        for (int i = 2; i < c.argc(); i++) {
            if (hash.fields().remove(Bytes.wrap(c.arg(i))) != null) {
                deleted++;
            }
        }
        return Call.integer(deleted);
    }

    private static RespValue hexists(Call c) {
        return fields(c).containsKey(Bytes.wrap(c.arg(2))) ? RespValue.Int.ONE : RespValue.Int.ZERO;
    }

    private static RespValue hlen(Call c) {
        return Call.integer(fields(c).size());
    }

    private static RespValue hkeys(Call c) {
        List<RespValue> reply = new ArrayList<>();
        for (Bytes field : fields(c).keySet()) {
            reply.add(Call.bulk(field));
        }
        return new RespValue.Array(reply);
    }

    private static RespValue hvals(Call c) {
        List<RespValue> reply = new ArrayList<>();
        for (byte[] value : fields(c).values()) {
            reply.add(Call.bulk(value));
        }
        return new RespValue.Array(reply);
    }

    private static RespValue hstrlen(Call c) {
        byte[] value = fields(c).get(Bytes.wrap(c.arg(2)));
        return Call.integer(value == null ? 0 : value.length);
    }

    private static RespValue hincrby(Call c) {
        long increment = c.longArg(3);
        Map<Bytes, byte[]> fields = c.txn().modify(c.arg(1), HashValue.class, HashValue::new).fields();
        Bytes field = Bytes.wrap(c.arg(2));
        byte[] old = fields.get(field);
        long value = 0;
        if (old != null) {
            Long parsed = Numbers.parseLong(old);
            if (parsed == null) {
                throw new CommandError(NOT_INTEGER_VALUE);
            }
            value = parsed;
        }
        if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
                || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
            throw new CommandError(EngineErrors.OVERFLOW);
        }
        value += increment;
        fields.put(field, Numbers.bytes(value));
        return Call.integer(value);
    }

    private static RespValue hincrbyfloat(Call c) {
        LongDouble increment = LongDouble.parse(c.arg(3));
        if (increment == null) {
            throw new CommandError(EngineErrors.NOT_FLOAT);
        }
        if (increment.isInfinite()) {
            throw new CommandError(NAN_OR_INFINITY);
        }
        Map<Bytes, byte[]> fields = c.txn().modify(c.arg(1), HashValue.class, HashValue::new).fields();
        Bytes field = Bytes.wrap(c.arg(2));
        byte[] old = fields.get(field);
        LongDouble value = LongDouble.ZERO;
        if (old != null) {
            value = LongDouble.parse(old);
            if (value == null) {
                throw new CommandError(NOT_FLOAT_VALUE);
            }
        }
        LongDouble sum = value.add(increment);
        if (sum.isInfinite()) {
            throw new CommandError(WOULD_BE_NAN_OR_INFINITY);
        }
        byte[] text = sum.toHumanString();
        fields.put(field, text);
        return new RespValue.Bulk(text);
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]]. A positive count gives distinct fields (the whole hash, in
     * its order, when count covers it); a negative one may repeat. With values, RESP3 gets
     * [field, value] pairs and RESP2 a flat list.
     */
    private static RespValue hrandfield(Call c) {
        if (c.argc() == 2) {
            List<Map.Entry<Bytes, byte[]>> entries = entries(c);
            return entries.isEmpty() ? RespValue.Null.BULK
                    : Call.bulk(entries.get(c.random().nextInt(entries.size())).getKey());
        }
        long count = SetCommands.countArg(c, 2);
        if (c.argc() > 4 || (c.argc() == 4 && !c.is(3, "withvalues"))) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        boolean withValues = c.argc() == 4;
        if (withValues && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            throw new CommandError(OUT_OF_RANGE);
        }
        List<Map.Entry<Bytes, byte[]>> entries = entries(c);
        if (entries.isEmpty() || count == 0) {
            return RespValue.Array.EMPTY;
        }
        List<Map.Entry<Bytes, byte[]>> picked;
        if (count < 0) {
            picked = new ArrayList<>();
            for (long n = SetCommands.checkedRepeats(-count); n > 0; n--) {
                picked.add(entries.get(c.random().nextInt(entries.size())));
            }
        } else if (count >= entries.size() && count != 1) {
            picked = entries;
        } else {
            picked = SetCommands.sample(entries, (int) Math.min(count, entries.size()), c.random());
        }
        List<RespValue> reply = new ArrayList<>();
        for (Map.Entry<Bytes, byte[]> e : picked) {
            if (!withValues) {
                reply.add(Call.bulk(e.getKey()));
            } else if (c.resp3()) {
                reply.add(new RespValue.Array(List.of(Call.bulk(e.getKey()), Call.bulk(e.getValue()))));
            } else {
                reply.add(Call.bulk(e.getKey()));
                reply.add(Call.bulk(e.getValue()));
            }
        }
        return new RespValue.Array(reply);
    }

    private static List<Map.Entry<Bytes, byte[]>> entries(Call c) {
        return new ArrayList<>(fields(c).entrySet());
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]: a small hash all at once, a large one paged. */
    private static RespValue hscan(Call c) {
        long cursor = SetCommands.scanCursor(c.arg(2));
        HashValue hash = c.txn().read(c.arg(1), HashValue.class);
        if (hash == null) {
            return SetCommands.scanReply(0, List.of());
        }
        SetCommands.ScanArgs args = SetCommands.scanArgs(c);
        LinkedHashMap<Bytes, byte[]> fields = hash.fields();
        SetCommands.Page<Bytes> page = small(hash)
                ? new SetCommands.Page<>(new ArrayList<>(fields.keySet()), 0)
                : SetCommands.scanPage(fields.keySet(), cursor, args.count());
        List<RespValue> flat = new ArrayList<>();
        for (Bytes field : page.items()) {
            if (args.matches(field)) {
                flat.add(Call.bulk(field));
                flat.add(Call.bulk(fields.get(field)));
            }
        }
        return SetCommands.scanReply(page.next(), flat);
    }

    /** Whether Redis would keep this hash as a listpack. */
    private static boolean small(HashValue hash) {
        if (hash.fields().size() > SMALL_ENTRIES) {
            return false;
        }
        for (Map.Entry<Bytes, byte[]> e : hash.fields().entrySet()) {
            if (e.getKey().length() > SMALL_VALUE || e.getValue().length > SMALL_VALUE) {
                return false;
            }
        }
        return true;
    }

    /**
     * A C {@code long double} (x87 80-bit extended: 64-bit significand, exponents down to
     * 2<sup>-16445</sup> with subnormals) emulated exactly: {@code magnitude × 2^exponent}, rounded
     * to nearest-even after every operation. Parsing follows glibc's {@code strtold} as Redis's
     * {@code string2ld} checks it (decimal, hex and {@code inf} forms; no leading space, nothing
     * after; overflow, underflow to zero and NaN rejected); printing follows {@code "%.17Lf"} with
     * Redis's trailing-zero trimming ({@code ld2string} in {@code LD_STR_HUMAN} mode).
     */
    static final class LongDouble {

        static final LongDouble ZERO = new LongDouble(false, BigInteger.ZERO, 0, false);

        private static final int PRECISION = 64;
        private static final int MIN_EXPONENT = -16445;
        private static final int MAX_EXPONENT = 16384;
        /** Redis's {@code MAX_LONG_DOUBLE_CHARS}: longer text is not a number. */
        private static final int MAX_CHARS = 5 * 1024;
        /** Exponents past these decimal magnitudes overflow or underflow whatever the digits. */
        private static final int MAX_DECIMAL_MAGNITUDE = 4934;
        private static final int MIN_DECIMAL_MAGNITUDE = -4952;
        private static final Pattern DECIMAL =
                Pattern.compile("([+-]?)([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?");
        private static final Pattern HEX =
                Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?");
        private static final Pattern INFINITY = Pattern.compile("([+-]?)(?i:inf|infinity)");

        private final boolean negative;
        private final BigInteger magnitude;
        private final int exponent;
        private final boolean infinite;

        private LongDouble(boolean negative, BigInteger magnitude, int exponent, boolean infinite) {
            this.negative = negative;
            this.magnitude = magnitude;
            this.exponent = exponent;
            this.infinite = infinite;
        }

        boolean isInfinite() {
            return infinite;
        }

        /** The value {@code string2ld} reads from {@code s}, or null where it fails. */
        static LongDouble parse(byte[] s) {
            if (s.length == 0 || s.length >= MAX_CHARS || isSpace(s[0])) {
                return null;
            }
            // Redis wants all of the text consumed: an embedded NUL fails the patterns, as it should.
            String text = new String(s, StandardCharsets.ISO_8859_1);
            Matcher m = INFINITY.matcher(text);
            if (m.matches()) {
                return new LongDouble(m.group(1).equals("-"), BigInteger.ZERO, 0, true);
            }
            m = HEX.matcher(text);
            if (m.matches() && hasDigits(m)) {
                return parseHex(m);
            }
            m = DECIMAL.matcher(text);
            if (m.matches() && hasDigits(m)) {
                return parseDecimal(m);
            }
            return null;
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || (b >= '\t' && b <= '\r');
        }

        private static boolean hasDigits(Matcher m) {
            return !m.group(2).isEmpty() || (m.group(3) != null && !m.group(3).isEmpty());
        }

        /** An exponent's digits, saturated far beyond any that can matter. */
        private static long exponentOf(String digits) {
            if (digits == null) {
                return 0;
            }
            boolean minus = digits.startsWith("-");
            String d = digits.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
            long v = d.length() > 9 ? 1_000_000_000L : Long.parseLong(d);
            return minus ? -v : v;
        }

        private static LongDouble parseDecimal(Matcher m) {
            boolean negative = m.group(1).equals("-");
            String fraction = m.group(3) == null ? "" : m.group(3);
            BigInteger digits = new BigInteger(m.group(2) + fraction + "0");
            if (digits.signum() == 0) {
                return new LongDouble(negative, BigInteger.ZERO, 0, false);
            }
            // The "0" appended above is one more power of ten to take off.
            long scale = exponentOf(m.group(4)) - fraction.length() - 1;
            long magnitude = digits.toString().length() - 1 + scale;
            if (magnitude >= MAX_DECIMAL_MAGNITUDE || magnitude < MIN_DECIMAL_MAGNITUDE) {
                return null;
            }
            LongDouble v = scale >= 0
                    ? round(negative, digits.multiply(BigInteger.TEN.pow((int) scale)), BigInteger.ONE, 0)
                    : round(negative, digits, BigInteger.TEN.pow((int) -scale), 0);
            return v.infinite || v.magnitude.signum() == 0 ? null : v;
        }

        private static LongDouble parseHex(Matcher m) {
            boolean negative = m.group(1).equals("-");
            String fraction = m.group(3) == null ? "" : m.group(3);
            BigInteger digits = new BigInteger(m.group(2) + fraction + "0", 16);
            if (digits.signum() == 0) {
                return new LongDouble(negative, BigInteger.ZERO, 0, false);
            }
            long scale = exponentOf(m.group(4)) - 4L * (fraction.length() + 1);
            long top = digits.bitLength() + scale;
            if (top > MAX_EXPONENT + 1) {
                return null;
            }
            if (top < MIN_EXPONENT - 1) {
                return null;
            }
            LongDouble v = round(negative, digits, BigInteger.ONE, (int) scale);
            return v.infinite || v.magnitude.signum() == 0 ? null : v;
        }

        /** {@code num / den × 2^shift}, rounded to nearest-even at long double precision. */
        private static LongDouble round(boolean negative, BigInteger num, BigInteger den, int shift) {
            if (num.signum() == 0) {
                return new LongDouble(false, BigInteger.ZERO, 0, false);
            }
            int log2 = num.bitLength() - den.bitLength();
            boolean below = log2 >= 0 ? num.compareTo(den.shiftLeft(log2)) < 0
                    : num.shiftLeft(-log2).compareTo(den) < 0;
            if (below) {
                log2--;
            }
            int top = log2 + shift;
            int quantum = Math.max(top - (PRECISION - 1), MIN_EXPONENT);
            int up = shift - quantum;
            BigInteger n = up >= 0 ? num.shiftLeft(up) : num;
            BigInteger d = up >= 0 ? den : den.shiftLeft(-up);
            BigInteger[] qr = n.divideAndRemainder(d);
            BigInteger q = qr[0];
            int half = qr[1].shiftLeft(1).compareTo(d);
            if (half > 0 || (half == 0 && q.testBit(0))) {
                q = q.add(BigInteger.ONE);
            }
            if (q.bitLength() > PRECISION) {
                q = q.shiftRight(1);
                quantum++;
            }
            if (q.signum() != 0 && quantum + q.bitLength() > MAX_EXPONENT) {
                return new LongDouble(negative, BigInteger.ZERO, 0, true);
            }
            return new LongDouble(negative && q.signum() != 0, q, quantum, false);
        }

        /** {@code this + other}, both finite, rounded as the FPU would. */
        LongDouble add(LongDouble other) {
            if (infinite || other.infinite) {
                return new LongDouble(infinite ? negative : other.negative, BigInteger.ZERO, 0, true);
            }
            int low = Math.min(exponent, other.exponent);
            BigInteger a = magnitude.shiftLeft(exponent - low);
            BigInteger b = other.magnitude.shiftLeft(other.exponent - low);
            BigInteger sum = (negative ? a.negate() : a).add(other.negative ? b.negate() : b);
            return round(sum.signum() < 0, sum.abs(), BigInteger.ONE, low);
        }

        /** {@code "%.17Lf"} with trailing zeros (and a bare point) removed; never {@code -0}. */
        byte[] toHumanString() {
            if (infinite) {
                return (negative ? "-inf" : "inf").getBytes(StandardCharsets.US_ASCII);
            }
            BigDecimal exact = exponent >= 0 ? new BigDecimal(magnitude.shiftLeft(exponent))
                    : new BigDecimal(magnitude.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
            String text = exact.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
            int len = text.length();
            while (text.charAt(len - 1) == '0') {
                len--;
            }
            if (text.charAt(len - 1) == '.') {
                len--;
            }
            text = text.substring(0, len);
            if (negative && !text.equals("0")) {
                text = "-" + text;
            }
            return text.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
