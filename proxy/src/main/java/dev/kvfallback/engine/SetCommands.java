package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Redis's commands on sets, with Redis 7.0's replies and errors.
 *
 * <p>Order: Redis 7.0 keeps a set of at most 512 integers (canonical decimal text) as an intset,
 * sorted numerically, and every reply walks it in that order; any other set is a hash table whose
 * order is unspecified. So replies sort intset-like sets ({@link #redisOrder}) and give the rest in
 * insertion order. (Redis never turns a hash table back into an intset; this engine judges by the
 * current members only, which is one of the orders Redis might give.)
 *
 * <p>Also here, shared with HSCAN: the SCAN family's cursor and option parsing and the paging of
 * large collections ({@link Scans#page}).
 */
final class SetCommands {

    private static final String NUMKEYS = "ERR numkeys should be greater than 0";
    private static final String TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    private static final String NEGATIVE_LIMIT = "ERR LIMIT can't be negative";
    private static final String COUNT_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    private static final String TOO_MANY_REPEATS =
            "ERR kvfallback: a count this large is not served while Redis is unreachable";

    /** Redis's {@code set-max-intset-entries}. */
    private static final int INTSET_ENTRIES = 512;
    /** The most elements a negative count (repeats allowed) may ask for; the reply is built in memory. */
    private static final long MAX_REPEATS = 1_000_000;

    private enum Op { INTER, UNION, DIFF }

    private SetCommands() {
    }

    static void register(Engine engine) {
        engine.add("sadd", SetCommands::sadd);
        engine.add("srem", SetCommands::srem);
        engine.add("smembers", c -> new RespValue.Set(Call.bulksOf(redisOrder(members(c, 1)))));
        engine.add("sismember", c -> Call.integer(members(c, 1).contains(Bytes.wrap(c.arg(2))) ? 1 : 0));
        engine.add("smismember", SetCommands::smismember);
        engine.add("scard", c -> Call.integer(members(c, 1).size()));
        engine.add("spop", SetCommands::spop);
        engine.add("srandmember", SetCommands::srandmember);
        engine.add("smove", SetCommands::smove);
        engine.add("sinter", c -> combine(c, Op.INTER, 1, c.argc()));
        engine.add("sunion", c -> combine(c, Op.UNION, 1, c.argc()));
        engine.add("sdiff", c -> combine(c, Op.DIFF, 1, c.argc()));
        engine.add("sinterstore", c -> store(c, Op.INTER));
        engine.add("sunionstore", c -> store(c, Op.UNION));
        engine.add("sdiffstore", c -> store(c, Op.DIFF));
        engine.add("sintercard", SetCommands::sintercard);
        engine.add("sscan", SetCommands::sscan);
    }

    private static Collection<Bytes> members(Call c, int keyArg) {
        SetValue set = c.txn().read(c.arg(keyArg), SetValue.class);
        return set == null ? List.of() : set.members();
    }

    private static RespValue sadd(Call c) {
        LinkedHashSet<Bytes> members = c.txn().modify(c.arg(1), SetValue.class, SetValue::new).members();
        long added = 0;
        for (int i = 2; i < c.argc(); i++) {
            if (members.add(Bytes.wrap(c.arg(i)))) {
                added++;
            }
        }
        return Call.integer(added);
    }

    private static RespValue srem(Call c) {
        SetValue set = c.txn().modify(c.arg(1), SetValue.class, null);
        if (set == null) {
            return RespValue.Int.ZERO;
        }
        long removed = 0;
        for (int i = 2; i < c.argc(); i++) {
            if (set.members().remove(Bytes.wrap(c.arg(i)))) {
                removed++;
            }
        }
        return Call.integer(removed);
    }

    private static RespValue smismember(Call c) {
        Collection<Bytes> members = members(c, 1);
        List<RespValue> reply = new ArrayList<>(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            reply.add(members.contains(Bytes.wrap(c.arg(i))) ? RespValue.Int.ONE : RespValue.Int.ZERO);
        }
        return new RespValue.Array(reply);
    }

    /** SPOP key [count]: with a count, a set reply (the whole set, in order, when count covers it). */
    private static RespValue spop(Call c) {
        if (c.argc() > 3) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        if (c.argc() == 2) {
            SetValue set = c.txn().modify(c.arg(1), SetValue.class, null);
            if (set == null) {
                return RespValue.Null.BULK;
            }
            Bytes member = sample(new ArrayList<>(set.members()), 1, c.random()).get(0);
            set.members().remove(member);
            return Call.bulk(member);
        }
        Long count = Numbers.parseLong(c.arg(2));
        if (count == null || count < 0) {
            throw new CommandError(EngineErrors.NOT_POSITIVE);
        }
        SetValue set = c.txn().read(c.arg(1), SetValue.class);
        if (set == null || count == 0) {
            return new RespValue.Set(List.of());
        }
        if (count >= set.members().size()) {
            List<Bytes> all = redisOrder(set.members());
            c.txn().delete(c.arg(1));
            return new RespValue.Set(Call.bulksOf(all));
        }
        List<Bytes> popped = sample(new ArrayList<>(set.members()), count.intValue(), c.random());
        c.txn().modify(c.arg(1), SetValue.class, null).members().removeAll(popped);
        return new RespValue.Set(Call.bulksOf(popped));
    }

    /** SRANDMEMBER key [count]: a negative count may repeat members; replies are arrays. */
    private static RespValue srandmember(Call c) {
        if (c.argc() > 3) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        if (c.argc() == 2) {
            Collection<Bytes> members = members(c, 1);
            return members.isEmpty() ? RespValue.Null.BULK
                    : Call.bulk(sample(new ArrayList<>(members), 1, c.random()).get(0));
        }
        long count = countArg(c, 2);
        List<Bytes> members = new ArrayList<>(members(c, 1));
        if (members.isEmpty() || count == 0) {
            return RespValue.Array.EMPTY;
        }
        List<Bytes> picked;
        if (count < 0) {
            picked = new ArrayList<>();
            for (long n = checkedRepeats(-count); n > 0; n--) {
                picked.add(members.get(c.random().nextInt(members.size())));
            }
        } else if (count >= members.size() && count != 1) {
            picked = redisOrder(members);
        } else {
            picked = sample(members, (int) Math.min(count, members.size()), c.random());
        }
        return new RespValue.Array(Call.bulksOf(picked));
    }

    private static RespValue smove(Call c) {
        SetValue source = c.txn().read(c.arg(1), SetValue.class);
        if (source == null) {
            return RespValue.Int.ZERO;
        }
        c.txn().read(c.arg(2), SetValue.class);
        Bytes member = Bytes.wrap(c.arg(3));
        if (!source.members().contains(member)) {
            return RespValue.Int.ZERO;
        }
        if (Arrays.equals(c.arg(1), c.arg(2))) {
            return RespValue.Int.ONE;
        }
        c.txn().modify(c.arg(1), SetValue.class, null).members().remove(member);
        c.txn().modify(c.arg(2), SetValue.class, SetValue::new).members().add(member);
        return RespValue.Int.ONE;
    }

    private static RespValue combine(Call c, Op op, int from, int to) {
        return new RespValue.Set(Call.bulksOf(redisOrder(compute(c, op, from, to, 0))));
    }

    /** SINTERSTORE, SUNIONSTORE, SDIFFSTORE: replace the destination (TTL gone), or delete it if empty. */
    private static RespValue store(Call c, Op op) {
        LinkedHashSet<Bytes> result = compute(c, op, 2, c.argc(), 0);
        if (result.isEmpty()) {
            c.txn().delete(c.arg(1));
        } else {
            c.txn().set(c.arg(1), new SetValue(result));
        }
        return Call.integer(result.size());
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    private static RespValue sintercard(Call c) {
        Long numkeys = Numbers.parseLong(c.arg(1));
        if (numkeys == null || numkeys < 1) {
            throw new CommandError(NUMKEYS);
        }
        if (numkeys > c.argc() - 2) {
            throw new CommandError(TOO_MANY_KEYS);
        }
        int keysEnd = 2 + numkeys.intValue();
        long limit = 0;
        for (int i = keysEnd; i < c.argc(); i++) {
            if (c.is(i, "limit") && i + 1 < c.argc()) {
                Long l = Numbers.parseLong(c.arg(++i));
                if (l == null || l < 0) {
                    throw new CommandError(NEGATIVE_LIMIT);
                }
                limit = l;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        return Call.integer(compute(c, Op.INTER, 2, keysEnd, limit).size());
    }

    /**
     * The sets at arguments {@code from} (inclusive) to {@code to} combined; every key is checked
     * for its type first. A {@code limit} (0: none) stops an intersection early.
     */
    private static LinkedHashSet<Bytes> compute(Call c, Op op, int from, int to, long limit) {
        List<Collection<Bytes>> sets = new ArrayList<>(to - from);
        boolean anyMissing = false;
        for (int i = from; i < to; i++) {
            SetValue set = c.txn().read(c.arg(i), SetValue.class);
            anyMissing |= set == null;
            sets.add(set == null ? List.of() : set.members());
        }
        LinkedHashSet<Bytes> result = new LinkedHashSet<>();
        switch (op) {
            case INTER -> {
                if (anyMissing) {
                    return result;
                }
                List<Collection<Bytes>> bySize = new ArrayList<>(sets);
                bySize.sort(Comparator.comparingInt(Collection::size));
                for (Bytes m : bySize.get(0)) {
                    if (bySize.stream().allMatch(s -> s.contains(m))) {
                        result.add(m);
                        if (limit > 0 && result.size() >= limit) {
                            break;
                        }
                    }
                }
            }
            case UNION -> sets.forEach(result::addAll);
            case DIFF -> {
                result.addAll(sets.get(0));
                for (int i = 1; i < sets.size() && !result.isEmpty(); i++) {
                    result.removeAll(sets.get(i));
                }
            }
        }
        return result;
    }

    private static RespValue sscan(Call c) {
        long cursor = Scans.parseCursor(c.arg(2));
        SetValue set = c.txn().read(c.arg(1), SetValue.class);
        if (set == null) {
            return Scans.reply(0, List.of());
        }
        Scans.Args args = Scans.args(c);
        List<Bytes> intset = intsetOrder(set.members());
        Scans.Page<Bytes> page = intset != null ? new Scans.Page<>(intset, 0) : Scans.page(set.members(), cursor, args.count());
        List<RespValue> items = new ArrayList<>();
        for (Bytes m : page.items()) {
            if (args.matches(m)) {
                items.add(Call.bulk(m));
            }
        }
        return Scans.reply(page.next(), items);
    }

    // ---- Order, sampling and counts, shared with the hash commands.

    /** The members in the order Redis 7.0 would reply them: numerically if intset-like, else as kept. */
    static List<Bytes> redisOrder(Collection<Bytes> members) {
        List<Bytes> sorted = intsetOrder(members);
        return sorted != null ? sorted : new ArrayList<>(members);
    }

    /** The members sorted numerically if Redis would hold them as an intset; null if not. */
    private static List<Bytes> intsetOrder(Collection<Bytes> members) {
        if (members.size() > INTSET_ENTRIES) {
            return null;
        }
        record Numbered(long value, Bytes member) {
        }
        List<Numbered> numbered = new ArrayList<>(members.size());
        for (Bytes m : members) {
            Long v = Numbers.parseLong(m.bytes());
            if (v == null) {
                return null;
            }
            numbered.add(new Numbered(v, m));
        }
        numbered.sort(Comparator.comparingLong(Numbered::value));
        List<Bytes> sorted = new ArrayList<>(numbered.size());
        for (Numbered n : numbered) {
            sorted.add(n.member());
        }
        return sorted;
    }

    /** {@code k} distinct elements of {@code items}, in random order; {@code items} is reordered. */
    static <T> List<T> sample(List<T> items, int k, RandomGenerator random) {
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(items.size() - i);
            T t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
        return new ArrayList<>(items.subList(0, k));
    }

    /** A negative count's size, refused past {@link #MAX_REPEATS} (Redis would stream it; we build it). */
    static long checkedRepeats(long n) {
        if (n > MAX_REPEATS) {
            throw new CommandError(TOO_MANY_REPEATS);
        }
        return n;
    }

    /** SRANDMEMBER's and HRANDFIELD's count: an integer in -LONG_MAX..LONG_MAX. */
    static long countArg(Call c, int i) {
        long count = c.longArg(i);
        if (count == Long.MIN_VALUE) {
            throw new CommandError(COUNT_RANGE);
        }
        return count;
    }

}
