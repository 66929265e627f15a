package dev.kvfallback.engine;

import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redis's commands on strings, with Redis 7.0's replies and errors ({@code t_string.c}).
 *
 * <p>Design: each command checks its arguments, then the key's type, in the order Redis does (so
 * the same bad request gets the same error), before it changes anything. Strings are immutable
 * {@link StringValue}s: a change stores a new one, keeping the key's TTL where Redis keeps it
 * (APPEND, SETRANGE, INCR*) and clearing it where Redis's {@code setKey} does (SET, GETSET, MSET).
 * Integers are not a separate encoding here: Redis replies with the same bytes either way.
 * INCRBYFLOAT computes in C {@code long double}; {@link LongDouble} emulates the x87 80-bit format
 * exactly, so results and their {@code %.17Lf} text match the server's.
 */
final class StringCommands {

    private static final RespValue.Error OFFSET_OUT_OF_RANGE = new RespValue.Error("ERR offset is out of range");
    private static final RespValue.Error TOO_LONG =
            new RespValue.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    private static final RespValue.Error DECREMENT_OVERFLOW = new RespValue.Error("ERR decrement would overflow");
    private static final RespValue.Error NAN_OR_INFINITY =
            new RespValue.Error("ERR increment would produce NaN or Infinity");
    private static final RespValue.Error LCS_NOT_STRINGS =
            new RespValue.Error("ERR The specified keys must contain string values");
    private static final RespValue.Error LCS_IDX_AND_LEN =
            new RespValue.Error("ERR If you want both the length and indexes, please just use IDX.");
    private static final RespValue.Error LCS_TOO_MUCH_MEMORY = new RespValue.Error(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    private static final RespValue.Error LCS_ENGINE_LIMIT = new RespValue.Error(
            "ERR kvfallback: LCS of strings this long is unavailable while Redis is unreachable");

    /** Redis's default {@code proto-max-bulk-len}: the longest string SETRANGE/APPEND may make. */
    private static final long PROTO_MAX_BULK_LEN = 512L * 1024 * 1024;
    /** The largest LCS table (in 4-byte cells) the engine builds; Redis's own limit is 512 MB. */
    private static final long LCS_MAX_CELLS = 16L * 1024 * 1024;

    // SET/GETEX option flags, as in Redis's parseExtendedStringArgumentsOrReply.
    private static final int NX = 1;
    private static final int XX = 1 << 1;
    private static final int GET = 1 << 2;
    private static final int KEEPTTL = 1 << 3;
    private static final int PERSIST = 1 << 4;
    private static final int EX = 1 << 5;
    private static final int PX = 1 << 6;
    private static final int EXAT = 1 << 7;
    private static final int PXAT = 1 << 8;
    private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    private StringCommands() {
    }

    static void register(Engine engine) {
        engine.add("get", StringCommands::get);
        engine.add("set", StringCommands::set);
        engine.add("setnx", StringCommands::setnx);
        engine.add("setex", c -> setWithExpire(c, EX));
        engine.add("psetex", c -> setWithExpire(c, PX));
        engine.add("getset", StringCommands::getset);
        engine.add("getdel", StringCommands::getdel);
        engine.add("getex", StringCommands::getex);
        engine.add("mget", StringCommands::mget);
        engine.add("mset", c -> mset(c, false));
        engine.add("msetnx", c -> mset(c, true));
        engine.add("append", StringCommands::append);
        engine.add("strlen", StringCommands::strlen);
        engine.add("incr", c -> incrBy(c, 1));
        engine.add("decr", c -> incrBy(c, -1));
        engine.add("incrby", c -> incrBy(c, c.longArg(2)));
        engine.add("decrby", StringCommands::decrby);
        engine.add("incrbyfloat", StringCommands::incrbyfloat);
        engine.add("getrange", StringCommands::getrange);
        engine.add("substr", StringCommands::getrange);
        engine.add("setrange", StringCommands::setrange);
        engine.add("lcs", StringCommands::lcs);
    }

    private static byte[] stringAt(Call c, byte[] key) {
        StringValue value = c.txn().read(key, StringValue.class);
        return value == null ? null : value.bytes();
    }

    private static RespValue get(Call c) {
        return Call.bulk(stringAt(c, c.arg(1)));
    }

    // SET and friends

    /** SET's or GETEX's options: flags and the expire argument's index (0 if none). */
    private record Options(int flags, int expireArg) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    /** Redis's {@code parseExtendedStringArgumentsOrReply}: a repeated option is fine, a conflicting one a syntax error. */
    private static Options parseOptions(Call c, boolean forSet) {
        int flags = 0;
        int expireArg = 0;
        for (int j = forSet ? 3 : 2; j < c.argc(); j++) {
            boolean hasNext = j < c.argc() - 1;
            if (forSet && c.is(j, "nx") && (flags & XX) == 0) {
                flags |= NX;
            } else if (forSet && c.is(j, "xx") && (flags & NX) == 0) {
                flags |= XX;
            } else if (forSet && c.is(j, "get")) {
                flags |= GET;
            } else if (forSet && c.is(j, "keepttl") && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
                flags |= KEEPTTL;
            } else if (!forSet && c.is(j, "persist") && (flags & (KEEPTTL | ANY_EXPIRE)) == 0) {
                flags |= PERSIST;
            } else if (hasNext && expireOption(c, j) != 0
                    && (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~expireOption(c, j)))) == 0) {
                flags |= expireOption(c, j);
                expireArg = ++j;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        return new Options(flags, expireArg);
    }

    private static int expireOption(Call c, int j) {
        if (c.is(j, "ex")) {
            return EX;
        } else if (c.is(j, "px")) {
            return PX;
        } else if (c.is(j, "exat")) {
            return EXAT;
        } else if (c.is(j, "pxat")) {
            return PXAT;
        }
        return 0;
    }

    /**
     * Redis's {@code getExpireMillisecondsOrReply}: the absolute expiry in Unix ms that expire
     * argument {@code i} gives under option {@code unit} (EX/PX/EXAT/PXAT).
     */
    private static long expireAt(Call c, int i, int unit) {
        long ms = c.longArg(i);
        boolean seconds = unit == EX || unit == EXAT;
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
            throw invalidExpire(c);
        }
        if (seconds) {
            ms *= 1000;
        }
        if (unit == EX || unit == PX) {
            ms += c.now(); // may wrap negative, as in Redis, and is then refused
        }
        if (ms <= 0) {
            throw invalidExpire(c);
        }
        return ms;
    }

    private static CommandError invalidExpire(Call c) {
        return new CommandError("ERR invalid expire time in '" + c.name() + "' command");
    }

    private static RespValue set(Call c) {
        Options o = parseOptions(c, true);
        int unit = o.flags() & ANY_EXPIRE;
        long expireAt = o.expireArg() == 0 ? 0 : expireAt(c, o.expireArg(), unit);
        return setGeneric(c, o.flags(), c.arg(1), c.arg(2), expireAt, RespValue.Simple.OK, RespValue.Null.BULK);
    }

    /** Redis's {@code setGenericCommand}, after the expiry was validated ({@code expireAt} 0: none). */
    private static RespValue setGeneric(Call c, int flags, byte[] key, byte[] value, long expireAt,
                                        RespValue okReply, RespValue abortReply) {
        Txn txn = c.txn();
        RespValue old = null;
        if ((flags & GET) != 0) {
            old = Call.bulk(stringAt(c, key));
        }
        boolean found = txn.exists(key);
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            return old != null ? old : abortReply;
        }
        long keep = (flags & KEEPTTL) != 0 ? txn.expireAt(key) : 0;
        txn.set(key, new StringValue(value), keep);
        if (expireAt != 0) {
            txn.setExpireAt(key, expireAt); // one already past deletes the key
        }
        return old != null ? old : okReply;
    }

    private static RespValue setnx(Call c) {
        return setGeneric(c, NX, c.arg(1), c.arg(2), 0, RespValue.Int.ONE, RespValue.Int.ZERO);
    }

    private static RespValue setWithExpire(Call c, int unit) {
        long expireAt = expireAt(c, 2, unit);
        return setGeneric(c, 0, c.arg(1), c.arg(3), expireAt, RespValue.Simple.OK, RespValue.Null.BULK);
    }

    private static RespValue getset(Call c) {
        byte[] old = stringAt(c, c.arg(1));
        c.txn().set(c.arg(1), new StringValue(c.arg(2)));
        return Call.bulk(old);
    }

    private static RespValue getdel(Call c) {
        byte[] old = stringAt(c, c.arg(1));
        if (old != null) {
            c.txn().delete(c.arg(1));
        }
        return Call.bulk(old);
    }

    private static RespValue getex(Call c) {
        Options o = parseOptions(c, false);
        byte[] key = c.arg(1);
        byte[] value = stringAt(c, key);
        if (value == null) {
            return RespValue.Null.BULK;
        }
        int unit = o.flags() & ANY_EXPIRE;
        if (o.expireArg() != 0) {
            c.txn().setExpireAt(key, expireAt(c, o.expireArg(), unit));
        } else if (o.has(PERSIST) && c.txn().expireAt(key) != 0) {
            c.txn().setExpireAt(key, 0);
        }
        return new RespValue.Bulk(value);
    }

    private static RespValue mget(Call c) {
        List<RespValue> values = new ArrayList<>(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            // MGET answers nil for a key of another type rather than WRONGTYPE.
            RedisValue value = c.txn().get(c.arg(i));
            values.add(value instanceof StringValue s ? new RespValue.Bulk(s.bytes()) : RespValue.Null.BULK);
        }
        return new RespValue.Array(values);
    }

    private static RespValue mset(Call c, boolean nx) {
        if (c.argc() % 2 == 0) {
            throw new CommandError(Errors.wrongArity(c.name()));
        }
        if (nx) {
            for (int i = 1; i < c.argc(); i += 2) {
                if (c.txn().exists(c.arg(i))) {
                    return RespValue.Int.ZERO;
                }
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            c.txn().set(c.arg(i), new StringValue(c.arg(i + 1)));
        }
        return nx ? RespValue.Int.ONE : RespValue.Simple.OK;
    }

    // Changing strings in place (the TTL stays)

    /** Replaces the string at {@code key}, keeping its TTL. */
    private static void replace(Call c, byte[] key, byte[] value) {
        c.txn().set(key, new StringValue(value), c.txn().expireAt(key));
    }

    /** Redis's {@code checkStringLength}, then the engine's own (smaller) limit on one value. */
    private static void checkLength(long size, long append) {
        long total = size + append;
        if (total > PROTO_MAX_BULK_LEN || total < size || total < append) {
            throw new CommandError(TOO_LONG);
        }
        if (total > Engine.MAX_VALUE_WEIGHT) {
            throw new CommandError(EngineErrors.tooLarge(Engine.MAX_VALUE_WEIGHT + 64 * 1024));
        }
    }

    private static RespValue append(Call c) {
        byte[] key = c.arg(1);
        byte[] old = stringAt(c, key);
        byte[] tail = c.arg(2);
        if (old == null) {
            c.txn().set(key, new StringValue(tail));
            return Call.integer(tail.length);
        }
        checkLength(old.length, tail.length);
        byte[] joined = Arrays.copyOf(old, old.length + tail.length);
        System.arraycopy(tail, 0, joined, old.length, tail.length);
        replace(c, key, joined);
        return Call.integer(joined.length);
    }

    private static RespValue strlen(Call c) {
        byte[] value = stringAt(c, c.arg(1));
        return Call.integer(value == null ? 0 : value.length);
    }

    private static RespValue setrange(Call c) {
        byte[] key = c.arg(1);
        long offset = c.longArg(2);
        byte[] patch = c.arg(3);
        if (offset < 0) {
            throw new CommandError(OFFSET_OUT_OF_RANGE);
        }
        byte[] old = stringAt(c, key);
        if (patch.length == 0) {
            return Call.integer(old == null ? 0 : old.length);
        }
        checkLength(offset, patch.length);
        int end = (int) offset + patch.length;
        byte[] value = old == null ? new byte[end] : Arrays.copyOf(old, Math.max(old.length, end));
        System.arraycopy(patch, 0, value, (int) offset, patch.length);
        replace(c, key, value);
        return Call.integer(value.length);
    }

    private static RespValue getrange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] s = stringAt(c, c.arg(1));
        if (s == null) {
            return new RespValue.Bulk(new byte[0]);
        }
        long len = s.length;
        if (start < 0 && end < 0 && start > end) {
            return new RespValue.Bulk(new byte[0]);
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            return new RespValue.Bulk(new byte[0]);
        }
        return new RespValue.Bulk(Arrays.copyOfRange(s, (int) start, (int) end + 1));
    }

    // Counters

    private static RespValue decrby(Call c) {
        long decrement = c.longArg(2);
        if (decrement == Long.MIN_VALUE) {
            throw new CommandError(DECREMENT_OVERFLOW);
        }
        return incrBy(c, -decrement);
    }

    private static RespValue incrBy(Call c, long increment) {
        byte[] key = c.arg(1);
        byte[] old = stringAt(c, key);
        long value = old == null ? 0 : Numbers.longOrError(old);
        if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
                || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
            throw new CommandError(EngineErrors.OVERFLOW);
        }
        value += increment;
        replace(c, key, Numbers.bytes(value));
        return Call.integer(value);
    }

    private static RespValue incrbyfloat(Call c) {
        byte[] key = c.arg(1);
        byte[] old = stringAt(c, key);
        LongDouble value = old == null ? LongDouble.ZERO : LongDouble.parse(old);
        if (value == null) {
            throw new CommandError(EngineErrors.NOT_FLOAT);
        }
        LongDouble increment = LongDouble.parse(c.arg(2));
        if (increment == null) {
            throw new CommandError(EngineErrors.NOT_FLOAT);
        }
        LongDouble sum = value.add(increment);
        if (sum == null || sum.isInfinite()) {
            throw new CommandError(NAN_OR_INFINITY);
        }
        byte[] text = sum.humanText().getBytes(StandardCharsets.US_ASCII);
        replace(c, key, text);
        return new RespValue.Bulk(text);
    }

    // LCS

    private static RespValue lcs(Call c) {
        RedisValue va = c.txn().get(c.arg(1));
        RedisValue vb = c.txn().get(c.arg(2));
        if ((va != null && !(va instanceof StringValue)) || (vb != null && !(vb instanceof StringValue))) {
            throw new CommandError(LCS_NOT_STRINGS);
        }
        byte[] a = va == null ? new byte[0] : ((StringValue) va).bytes();
        byte[] b = vb == null ? new byte[0] : ((StringValue) vb).bytes();
        boolean idx = false;
        boolean len = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < c.argc(); j++) {
            if (c.is(j, "idx")) {
                idx = true;
            } else if (c.is(j, "len")) {
                len = true;
            } else if (c.is(j, "withmatchlen")) {
                withMatchLen = true;
            } else if (c.is(j, "minmatchlen") && j < c.argc() - 1) {
                minMatchLen = Math.max(0, c.longArg(++j));
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        if (idx && len) {
            throw new CommandError(LCS_IDX_AND_LEN);
        }
        long cells = (a.length + 1L) * (b.length + 1L);
        if (cells * 4 > PROTO_MAX_BULK_LEN) {
            throw new CommandError(LCS_TOO_MUCH_MEMORY);
        }
        if (cells > LCS_MAX_CELLS) {
            throw new CommandError(LCS_ENGINE_LIMIT);
        }
        return lcsReply(c, a, b, idx, len, withMatchLen, minMatchLen);
    }

    /** Redis's {@code lcsCommand} after validation: the DP table, then the walk back that emits ranges. */
    private static RespValue lcsReply(Call c, byte[] a, byte[] b, boolean idx, boolean len, boolean withMatchLen,
                                      long minMatchLen) {
        int alen = a.length;
        int blen = b.length;
        int[] table = new int[(alen + 1) * (blen + 1)];
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                table[i * w + j] = a[i - 1] == b[j - 1] ? table[(i - 1) * w + j - 1] + 1
                        : Math.max(table[(i - 1) * w + j], table[i * w + j - 1]);
            }
        }
        int total = table[alen * w + blen];
        if (len && !idx) {
            return Call.integer(total);
        }
        byte[] result = new byte[total];
        List<RespValue> matches = new ArrayList<>();
        int k = total;
        int i = alen;
        int j = blen;
        int aStart = alen; // alen: no range open
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[k - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                k--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * w + j] > table[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                int matchLen = aEnd - aStart + 1;
                if (idx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    List<RespValue> range = new ArrayList<>(3);
                    range.add(pair(aStart, aEnd));
                    range.add(pair(bStart, bEnd));
                    if (withMatchLen) {
                        range.add(Call.integer(matchLen));
                    }
                    matches.add(new RespValue.Array(range));
                }
                aStart = alen;
            }
        }
        if (!idx) {
            return new RespValue.Bulk(result);
        }
        return new RespValue.Map(List.of(Call.text("matches"), new RespValue.Array(matches),
                Call.text("len"), Call.integer(total)));
    }

    private static RespValue pair(long x, long y) {
        return new RespValue.Array(List.of(Call.integer(x), Call.integer(y)));
    }

}
