package dev.kvfallback.engine;

import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis's commands on hashes, with Redis 7.0's replies and errors.
 *
 * <p>Order: a small Redis hash (a listpack: at most 128 fields, none of its fields or values
 * longer than 64 bytes) replies in insertion order, which {@link HashValue} keeps. A larger one is
 * a hash table whose order is unspecified; insertion order serves for it too, and HSCAN pages it
 * (see {@link Scans#page}). Redis never turns a hash table back into a listpack; this
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
        return new RespValue.Array(Call.bulksOf(fields(c).keySet()));
    }

    private static RespValue hvals(Call c) {
        return new RespValue.Array(Call.bulks(fields(c).values()));
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
        if (sum == null || sum.isInfinite()) {
            throw new CommandError(WOULD_BE_NAN_OR_INFINITY);
        }
        byte[] text = sum.humanText().getBytes(StandardCharsets.US_ASCII);
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
        long cursor = Scans.parseCursor(c.arg(2));
        HashValue hash = c.txn().read(c.arg(1), HashValue.class);
        if (hash == null) {
            return Scans.reply(0, List.of());
        }
        Scans.Args args = Scans.args(c);
        LinkedHashMap<Bytes, byte[]> fields = hash.fields();
        Scans.Page<Bytes> page = small(hash)
                ? new Scans.Page<>(new ArrayList<>(fields.keySet()), 0)
                : Scans.page(fields.keySet(), cursor, args.count());
        List<RespValue> flat = new ArrayList<>();
        for (Bytes field : page.items()) {
            if (args.matches(field)) {
                flat.add(Call.bulk(field));
                flat.add(Call.bulk(fields.get(field)));
            }
        }
        return Scans.reply(page.next(), flat);
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

}
