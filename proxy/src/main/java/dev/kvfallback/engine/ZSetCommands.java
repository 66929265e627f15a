package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis's commands on sorted sets, with Redis 7.0's replies and errors.
 *
 * <p>Each command follows its {@code t_zset.c} counterpart step by step, because the order of
 * Redis's checks is visible: arguments are parsed before the key is looked up (so {@code ZCOUNT}
 * on a string with a bad range says the range is bad), options are read greedily (so
 * {@code ZINCRBY z nx m} is a syntax error) and several commands share one generic body
 * ({@code ZADD}/{@code ZINCRBY}, the {@code ZRANGE} family, the set operations).
 *
 * <p>Numbers: scores and weights are read as Redis's {@code string2d} reads them (hex floats
 * allowed, overflow to infinity or underflow to zero refused); range ends as its bare
 * {@code strtod} (leading spaces, overflow and an empty string all accepted). Replies carry scores
 * as {@link RespValue.Double}; {@code WITHSCORES} answers are flat in RESP2 and [member, score]
 * pairs in RESP3, as Redis builds them.
 *
 * <p>One encoding detail leaks into replies: a small sorted set (a listpack) stores its scores as
 * text, and a score of -0 comes back as 0; a large one (a skiplist) keeps -0. {@link Scores}
 * follows that rule as Redis's {@code zsetAdd} does.
 */
final class ZSetCommands {

    private static final String NAN_SCORE = "ERR resulting score is not a number (NaN)";
    private static final String XX_NX = "ERR XX and NX options at the same time are not compatible";
    private static final String GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    private static final String INCR_PAIR = "ERR INCR option supports a single increment-element pair";
    private static final String NOT_FLOAT_RANGE = "ERR min or max is not a float";
    private static final String NOT_LEX_RANGE = "ERR min or max not valid string range item";
    private static final String LIMIT_RANK =
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    private static final String WITHSCORES_LEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    private static final String WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
    private static final String RANDMEMBER_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    private static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    private static final String NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";
    private static final String COUNT_POSITIVE = "ERR count should be greater than 0";
    /** Redis would try to build such a reply; we refuse rather than exhaust memory. */
    private static final long MAX_RANDOM_REPLY = 1L << 24;
    private static final String TOO_MANY_RANDOM = "ERR kvfallback: ZRANDMEMBER count is too large";

    private ZSetCommands() {
    }

    static void register(Engine engine) {
        engine.add("zadd", c -> zadd(c, false));
        engine.add("zincrby", c -> zadd(c, true));
        engine.add("zrem", ZSetCommands::zrem);
        engine.add("zscore", ZSetCommands::zscore);
        engine.add("zmscore", ZSetCommands::zmscore);
        engine.add("zcard", ZSetCommands::zcard);
        engine.add("zcount", ZSetCommands::zcount);
        engine.add("zlexcount", ZSetCommands::zlexcount);
        engine.add("zrank", c -> zrank(c, false));
        engine.add("zrevrank", c -> zrank(c, true));
        engine.add("zrange", c -> range(c, 1, false, Kind.AUTO, null));
        engine.add("zrangestore", c -> range(c, 2, true, Kind.AUTO, null));
        engine.add("zrevrange", c -> range(c, 1, false, Kind.RANK, true));
        engine.add("zrangebyscore", c -> range(c, 1, false, Kind.SCORE, false));
        engine.add("zrevrangebyscore", c -> range(c, 1, false, Kind.SCORE, true));
        engine.add("zrangebylex", c -> range(c, 1, false, Kind.LEX, false));
        engine.add("zrevrangebylex", c -> range(c, 1, false, Kind.LEX, true));
        engine.add("zremrangebyrank", c -> removeRange(c, Kind.RANK));
        engine.add("zremrangebyscore", c -> removeRange(c, Kind.SCORE));
        engine.add("zremrangebylex", c -> removeRange(c, Kind.LEX));
        engine.add("zpopmin", c -> zpop(c, false));
        engine.add("zpopmax", c -> zpop(c, true));
        engine.add("zmpop", ZSetCommands::zmpop);
        engine.add("zrandmember", ZSetCommands::zrandmember);
        engine.add("zunionstore", c -> setOp(c, true, Op.UNION, false));
        engine.add("zinterstore", c -> setOp(c, true, Op.INTER, false));
        engine.add("zdiffstore", c -> setOp(c, true, Op.DIFF, false));
        engine.add("zunion", c -> setOp(c, false, Op.UNION, false));
        engine.add("zinter", c -> setOp(c, false, Op.INTER, false));
        engine.add("zdiff", c -> setOp(c, false, Op.DIFF, false));
        engine.add("zintercard", c -> setOp(c, false, Op.INTER, true));
        engine.add("zscan", ZSetCommands::zscan);
    }

    // ---- ZADD, ZINCRBY, ZREM -------------------------------------------------------------------

    /** ZADD's options, read greedily from argument 2 up to the first that is not one. */
    private record AddOptions(boolean nx, boolean xx, boolean gt, boolean lt, boolean ch, boolean incr, int first) {

        /** The options, checked as Redis checks them: pairs first, then conflicts. */
        static AddOptions parse(Call c, boolean incr) {
            boolean nx = false;
            boolean xx = false;
            boolean gt = false;
            boolean lt = false;
            boolean ch = false;
            int first = 2;
            for (; first < c.argc(); first++) {
                if (c.is(first, "nx")) {
                    nx = true;
                } else if (c.is(first, "xx")) {
                    xx = true;
                } else if (c.is(first, "ch")) {
                    ch = true;
                } else if (c.is(first, "incr")) {
                    incr = true;
                } else if (c.is(first, "gt")) {
                    gt = true;
                } else if (c.is(first, "lt")) {
                    lt = true;
                } else {
                    break;
                }
            }
            int args = c.argc() - first;
            if (args == 0 || args % 2 != 0) {
                throw new CommandError(EngineErrors.SYNTAX);
            }
            if (xx && nx) {
                throw new CommandError(XX_NX);
            }
            if ((gt && nx) || (lt && nx) || (gt && lt)) {
                throw new CommandError(GT_LT_NX);
            }
            if (incr && args > 2) {
                throw new CommandError(INCR_PAIR);
            }
            return new AddOptions(nx, xx, gt, lt, ch, incr, first);
        }
    }

    /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...; ZINCRBY is ZADD with INCR. */
    private static RespValue zadd(Call c, boolean incrby) {
        AddOptions o = AddOptions.parse(c, incrby);
        int pairs = (c.argc() - o.first) / 2;
        double[] given = new double[pairs];
        for (int j = 0; j < pairs; j++) {
            given[j] = CDouble.strictOrError(c.arg(o.first + 2 * j), EngineErrors.NOT_FLOAT);
        }
        byte[] key = c.arg(1);
        ZSetValue z = c.txn().read(key, ZSetValue.class);
        if (z == null && o.xx) {
            return o.incr ? RespValue.Null.BULK : RespValue.Int.ZERO;
        }
        Scores scores;
        if (z == null) {
            // zsetTypeCreate: a skiplist from the start if there are too many pairs for a listpack or
            // the first member (the only one Redis 7.0 looks at here) is too long.
            boolean skiplist = pairs > ZSetValue.LISTPACK_ENTRIES
                    || c.arg(o.first + 1).length > ZSetValue.LISTPACK_VALUE;
            scores = new Scores(c.txn().modify(key, ZSetValue.class, ZSetValue::new), skiplist);
        } else {
            scores = new Scores(c.txn(), key, z);
        }
        long added = 0;
        long updated = 0;
        long processed = 0;
        double last = 0;
        for (int j = 0; j < pairs; j++) {
            Bytes member = Bytes.wrap(c.arg(o.first + 1 + 2 * j));
            double score = given[j];
            Double current = scores.value().score(member);
            if (current == null) {
                if (o.xx) {
                    continue;
                }
                scores.put(member, score);
                added++;
            } else {
                if (o.nx) {
                    continue;
                }
                if (o.incr) {
                    score += current;
                    if (Double.isNaN(score)) {
                        throw new CommandError(NAN_SCORE);
                    }
                }
                if ((o.lt && score >= current) || (o.gt && score <= current)) {
                    continue;
                }
                if (score != current) {
                    scores.put(member, score);
                    updated++;
                }
            }
            processed++;
            last = score;
        }
        if (o.incr) {
            return processed > 0 ? new RespValue.Double(last) : RespValue.Null.BULK;
        }
        return Call.integer(o.ch ? added + updated : added);
    }

    private static RespValue zrem(Call c) {
        byte[] key = c.arg(1);
        ZSetValue z = c.txn().read(key, ZSetValue.class);
        long removed = 0;
        for (int i = 2; i < c.argc() && z != null; i++) {
            Bytes member = Bytes.wrap(c.arg(i));
            if (z.score(member) != null) {
                if (removed == 0) {
                    z = c.txn().modify(key, ZSetValue.class, null);
                }
                z.remove(member);
                removed++;
            }
        }
        return Call.integer(removed);
    }

    // ---- Point reads ---------------------------------------------------------------------------

    private static RespValue zscore(Call c) {
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        Double score = z == null ? null : z.score(Bytes.wrap(c.arg(2)));
        return score == null ? RespValue.Null.BULK : new RespValue.Double(score);
    }

    private static RespValue zmscore(Call c) {
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        List<RespValue> out = new ArrayList<>(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            Double score = z == null ? null : z.score(Bytes.wrap(c.arg(i)));
            out.add(score == null ? RespValue.Null.BULK : new RespValue.Double(score));
        }
        return new RespValue.Array(out);
    }

    private static RespValue zcard(Call c) {
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        return Call.integer(z == null ? 0 : z.size());
    }

    private static RespValue zrank(Call c, boolean reverse) {
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        if (z == null) {
            return RespValue.Null.BULK;
        }
        int rank = z.rank(Bytes.wrap(c.arg(2)));
        if (rank < 0) {
            return RespValue.Null.BULK;
        }
        return Call.integer(reverse ? z.size() - 1 - rank : rank);
    }

    private static RespValue zcount(Call c) {
        ZSetValue.ScoreRange range = scoreRange(c.arg(2), c.arg(3));
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        return Call.integer(z == null ? 0 : z.byScore(range, false, 0, -1).size());
    }

    private static RespValue zlexcount(Call c) {
        ZSetValue.LexRange range = lexRange(c.arg(2), c.arg(3));
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        return Call.integer(z == null ? 0 : z.byLex(range, false, 0, -1).size());
    }

    // ---- The ZRANGE family ---------------------------------------------------------------------

    private enum Kind { AUTO, RANK, SCORE, LEX }

    /**
     * {@code zrangeGenericCommand}: ZRANGE and ZRANGESTORE take BYSCORE/BYLEX/REV as options
     * ({@code kind} AUTO, {@code reverse} null); the older commands fix them.
     */
    private static RespValue range(Call c, int src, boolean store, Kind kind, Boolean reverse) {
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = src + 3; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (!store && c.is(j, "withscores")) {
                withScores = true;
            } else if (c.is(j, "limit") && left >= 2) {
                offset = c.longArg(j + 1);
                limit = c.longArg(j + 2);
                j += 2;
            } else if (reverse == null && c.is(j, "rev")) {
                reverse = true;
            } else if (kind == Kind.AUTO && c.is(j, "bylex")) {
                kind = Kind.LEX;
            } else if (kind == Kind.AUTO && c.is(j, "byscore")) {
                kind = Kind.SCORE;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        boolean rev = reverse != null && reverse;
        if (kind == Kind.AUTO) {
            kind = Kind.RANK;
        }
        if (limit != -1 && kind == Kind.RANK) {
            throw new CommandError(LIMIT_RANK);
        }
        if (withScores && kind == Kind.LEX) {
            throw new CommandError(WITHSCORES_LEX);
        }
        int minIdx = src + 1;
        int maxIdx = src + 2;
        if (rev && kind != Kind.RANK) {
            minIdx = src + 2;
            maxIdx = src + 1;
        }
        long start = 0;
        long end = 0;
        ZSetValue.ScoreRange scoreRange = null;
        ZSetValue.LexRange lexRange = null;
        switch (kind) {
            case SCORE -> scoreRange = scoreRange(c.arg(minIdx), c.arg(maxIdx));
            case LEX -> lexRange = lexRange(c.arg(minIdx), c.arg(maxIdx));
            default -> {
                start = c.longArg(minIdx);
                end = c.longArg(maxIdx);
            }
        }

        ZSetValue z = c.txn().read(c.arg(src), ZSetValue.class);
        List<ZSetValue.Entry> entries;
        if (z == null) {
            entries = List.of();
        } else if (kind == Kind.SCORE) {
            entries = z.byScore(scoreRange, rev, offset, limit);
        } else if (kind == Kind.LEX) {
            entries = z.byLex(lexRange, rev, offset, limit);
        } else {
            entries = byRank(z, start, end, rev);
        }
        if (store) {
            return storeRange(c, entries);
        }
        return entries(c, entries, withScores);
    }

    /** Ranks as Redis sanitizes them: negative from the end, clamped, empty when crossed. */
    private static List<ZSetValue.Entry> byRank(ZSetValue z, long start, long end, boolean reverse) {
        long length = z.size();
        if (start < 0) {
            start += length;
        }
        if (end < 0) {
            end += length;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= length) {
            return List.of();
        }
        if (end >= length) {
            end = length - 1;
        }
        return z.byRank(start, end, reverse);
    }

    /** ZRANGESTORE's destination: built as ZADD would build it, or deleted if the range is empty. */
    private static RespValue storeRange(Call c, List<ZSetValue.Entry> entries) {
        byte[] dst = c.arg(1);
        if (entries.isEmpty()) {
            c.txn().delete(dst);
            return RespValue.Int.ZERO;
        }
        Scores scores = new Scores(new ZSetValue(), false);
        for (ZSetValue.Entry e : entries) {
            scores.put(e.member(), e.score());
        }
        c.txn().set(dst, scores.value());
        return Call.integer(entries.size());
    }

    private static RespValue removeRange(Call c, Kind kind) {
        long start = 0;
        long end = 0;
        ZSetValue.ScoreRange scoreRange = null;
        ZSetValue.LexRange lexRange = null;
        switch (kind) {
            case SCORE -> scoreRange = scoreRange(c.arg(2), c.arg(3));
            case LEX -> lexRange = lexRange(c.arg(2), c.arg(3));
            default -> {
                start = c.longArg(2);
                end = c.longArg(3);
            }
        }
        byte[] key = c.arg(1);
        ZSetValue z = c.txn().read(key, ZSetValue.class);
        if (z == null) {
            return RespValue.Int.ZERO;
        }
        List<ZSetValue.Entry> doomed = switch (kind) {
            case SCORE -> z.byScore(scoreRange, false, 0, -1);
            case LEX -> z.byLex(lexRange, false, 0, -1);
            default -> byRank(z, start, end, false);
        };
        if (doomed.isEmpty()) {
            return RespValue.Int.ZERO;
        }
        z = c.txn().modify(key, ZSetValue.class, null);
        for (ZSetValue.Entry e : doomed) {
            z.remove(e.member());
        }
        return Call.integer(doomed.size());
    }

    // ---- Pops and random members ---------------------------------------------------------------

    /** ZPOPMIN/ZPOPMAX key [count]: flat [member, score, ...], or pairs in RESP3 when a count is given. */
    private static RespValue zpop(Call c, boolean max) {
        if (c.argc() > 3) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        long count = -1;
        if (c.argc() == 3) {
            Long n = Numbers.parseLong(c.arg(2));
            if (n == null || n < 0) {
                throw new CommandError(EngineErrors.NOT_POSITIVE);
            }
            count = n;
        }
        byte[] key = c.arg(1);
        if (c.txn().read(key, ZSetValue.class) == null || count == 0) {
            return RespValue.Array.EMPTY;
        }
        List<ZSetValue.Entry> popped = pop(c, key, max, count == -1 ? 1 : count);
        return entries(c, popped, true, c.resp3() && count != -1);
    }

    /** ZMPOP numkeys key ... MIN|MAX [COUNT count]: [key, [[member, score], ...]] from the first non-empty key. */
    private static RespValue zmpop(Call c) {
        Long numKeys = Numbers.parseLong(c.arg(1));
        if (numKeys == null || numKeys < 1) {
            throw new CommandError(NUMKEYS_POSITIVE);
        }
        if (numKeys >= c.argc() - 2) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        int whereIdx = (int) (numKeys + 2);
        boolean max;
        if (c.is(whereIdx, "min")) {
            max = false;
        } else if (c.is(whereIdx, "max")) {
            max = true;
        } else {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        long count = -1;
        for (int j = whereIdx + 1; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (count == -1 && c.is(j, "count") && more > 0) {
                j++;
                Long n = Numbers.parseLong(c.arg(j));
                if (n == null || n < 1) {
                    throw new CommandError(COUNT_POSITIVE);
                }
                count = n;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        if (count == -1) {
            count = 1;
        }
        for (int i = 2; i < whereIdx; i++) {
            if (c.txn().read(c.arg(i), ZSetValue.class) != null) {
                List<ZSetValue.Entry> popped = pop(c, c.arg(i), max, count);
                return new RespValue.Array(List.of(Call.bulk(c.arg(i)), entries(c, popped, true, true)));
            }
        }
        return RespValue.Null.ARRAY;
    }

    private static List<ZSetValue.Entry> pop(Call c, byte[] key, boolean max, long count) {
        ZSetValue z = c.txn().modify(key, ZSetValue.class, null);
        List<ZSetValue.Entry> popped = new ArrayList<>((int) Math.min(count, z.size()));
        while (count-- > 0 && !z.isEmpty()) {
            ZSetValue.Entry e = max ? z.ordered().last() : z.ordered().first();
            z.remove(e.member());
            popped.add(e);
        }
        return popped;
    }

    /**
     * ZRANDMEMBER key [count [WITHSCORES]]. A negative count may repeat members, in random order;
     * a count covering the whole set gives it from the highest score down; a smaller one a random
     * subset (in that order here, in hash order in Redis).
     */
    private static RespValue zrandmember(Call c) {
        byte[] key = c.arg(1);
        if (c.argc() < 3) {
            ZSetValue z = c.txn().read(key, ZSetValue.class);
            if (z == null) {
                return RespValue.Null.BULK;
            }
            return Call.bulk(randomEntry(c, z).member());
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            throw new CommandError(RANDMEMBER_RANGE);
        }
        if (c.argc() > 4 || (c.argc() == 4 && !c.is(3, "withscores"))) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        boolean withScores = c.argc() == 4;
        ZSetValue z = c.txn().read(key, ZSetValue.class);
        if (z == null || l == 0) {
            return RespValue.Array.EMPTY;
        }
        long count = Math.abs(l);
        List<ZSetValue.Entry> picked;
        if (l < 0 || count == 1) {
            if (count > MAX_RANDOM_REPLY) {
                throw new CommandError(TOO_MANY_RANDOM);
            }
            picked = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                picked.add(randomEntry(c, z));
            }
        } else if (count >= z.size()) {
            // Redis's set-operation iterator walks a sorted set from its highest entry down.
            picked = new ArrayList<>(z.ordered().descendingSet());
        } else {
            List<ZSetValue.Entry> all = new ArrayList<>(z.ordered());
            for (int i = all.size() - 1; i > 0; i--) {
                java.util.Collections.swap(all, i, c.random().nextInt(i + 1));
            }
            picked = new ArrayList<>(all.subList(0, (int) count));
            picked.sort(ZSetValue.ORDER.reversed());
        }
        return entries(c, picked, withScores);
    }

    private static ZSetValue.Entry randomEntry(Call c, ZSetValue z) {
        int skip = c.random().nextInt(z.size());
        for (ZSetValue.Entry e : z.ordered()) {
            if (skip-- == 0) {
                return e;
            }
        }
        throw new IllegalStateException("empty sorted set");
    }

    // ---- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ---------------------------------

    private enum Op { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    /** One input of a set operation: a sorted set, or a plain set whose members score 1. */
    private record Source(RedisValue value, double weight) {
        int size() {
            if (value instanceof ZSetValue z) {
                return z.size();
            }
            return value instanceof SetValue s ? s.members().size() : 0;
        }

        Double score(Bytes member) {
            if (value instanceof ZSetValue z) {
                return z.score(member);
            }
            return value instanceof SetValue s && s.members().contains(member) ? 1.0 : null;
        }

        List<ZSetValue.Entry> entries() {
            if (value instanceof ZSetValue z) {
                return new ArrayList<>(z.ordered());
            }
            List<ZSetValue.Entry> out = new ArrayList<>();
            if (value instanceof SetValue s) {
                for (Bytes m : s.members()) {
                    out.add(new ZSetValue.Entry(m, 1.0));
                }
            }
            return out;
        }
    }

    /** {@code zunionInterDiffGenericCommand}. */
    private static RespValue setOp(Call c, boolean store, Op op, boolean cardinalityOnly) {
        int numKeysIdx = store ? 2 : 1;
        long setNum = c.longArg(numKeysIdx);
        if (setNum < 1) {
            throw new CommandError("ERR at least 1 input key is needed for '" + c.name() + "' command");
        }
        if (setNum > c.argc() - (numKeysIdx + 1)) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        int n = (int) setNum;
        RedisValue[] values = new RedisValue[n];
        for (int i = 0; i < n; i++) {
            RedisValue v = c.txn().get(c.arg(numKeysIdx + 1 + i));
            if (v != null && !(v instanceof ZSetValue) && !(v instanceof SetValue)) {
                throw new CommandError(EngineErrors.WRONGTYPE);
            }
            values[i] = v;
        }
        double[] weights = new double[n];
        java.util.Arrays.fill(weights, 1.0);
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        int j = numKeysIdx + 1 + n;
        while (j < c.argc()) {
            int remaining = c.argc() - j;
            if (op != Op.DIFF && !cardinalityOnly && remaining >= n + 1 && c.is(j, "weights")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    weights[i] = CDouble.strictOrError(c.arg(j), new RespValue.Error(WEIGHT_NOT_FLOAT));
                }
            } else if (op != Op.DIFF && !cardinalityOnly && remaining >= 2 && c.is(j, "aggregate")) {
                j++;
                if (c.is(j, "sum")) {
                    aggregate = Aggregate.SUM;
                } else if (c.is(j, "min")) {
                    aggregate = Aggregate.MIN;
                } else if (c.is(j, "max")) {
                    aggregate = Aggregate.MAX;
                } else {
                    throw new CommandError(EngineErrors.SYNTAX);
                }
                j++;
            } else if (!store && !cardinalityOnly && c.is(j, "withscores")) {
                j++;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && c.is(j, "limit")) {
                Long l = Numbers.parseLong(c.arg(j + 1));
                if (l == null || l < 0) {
                    throw new CommandError(LIMIT_NEGATIVE);
                }
                limit = l;
                j += 2;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        List<Source> sources = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sources.add(new Source(values[i], weights[i]));
        }
        if (op != Op.DIFF) {
            // Redis sorts the inputs by size (smallest first); that order decides how sums add up.
            sources.sort(Comparator.comparingInt(Source::size));
        }
        if (cardinalityOnly) {
            return Call.integer(interCard(sources, limit));
        }
        ZSetValue result = switch (op) {
            case INTER -> inter(sources, aggregate);
            case UNION -> union(sources, aggregate);
            case DIFF -> diff(sources);
        };
        if (!store) {
            return entries(c, new ArrayList<>(result.ordered()), withScores);
        }
        byte[] dst = c.arg(1);
        if (result.isEmpty()) {
            c.txn().delete(dst);
            return RespValue.Int.ZERO;
        }
        if (result.size() <= ZSetValue.LISTPACK_ENTRIES && result.maxMemberLength() <= ZSetValue.LISTPACK_VALUE) {
            Scores.dropNegativeZeros(result);
        }
        c.txn().set(dst, result);
        return Call.integer(result.size());
    }

    private static double aggregate(double target, double value, Aggregate how) {
        return switch (how) {
            case SUM -> {
                double sum = target + value;
                yield Double.isNaN(sum) ? 0.0 : sum; // inf + -inf: Redis's convention is 0
            }
            case MIN -> value < target ? value : target;
            case MAX -> value > target ? value : target;
        };
    }

    private static ZSetValue inter(List<Source> sources, Aggregate how) {
        ZSetValue out = new ZSetValue();
        if (sources.get(0).size() == 0) {
            return out;
        }
        for (ZSetValue.Entry e : sources.get(0).entries()) {
            Double score = interScore(sources, e, how);
            if (score != null) {
                out.put(e.member(), score);
            }
        }
        return out;
    }

    /** The member's aggregated score if every input has it, else null. */
    private static Double interScore(List<Source> sources, ZSetValue.Entry e, Aggregate how) {
        double score = sources.get(0).weight() * e.score();
        if (Double.isNaN(score)) {
            score = 0;
        }
        for (int j = 1; j < sources.size(); j++) {
            Double value = sources.get(j).score(e.member());
            if (value == null) {
                return null;
            }
            score = aggregate(score, value * sources.get(j).weight(), how);
        }
        return score;
    }

    private static long interCard(List<Source> sources, long limit) {
        long count = 0;
        if (sources.get(0).size() == 0) {
            return 0;
        }
        for (ZSetValue.Entry e : sources.get(0).entries()) {
            if (interScore(sources, e, Aggregate.SUM) != null) {
                count++;
                if (limit != 0 && count >= limit) {
                    break;
                }
            }
        }
        return count;
    }

    private static ZSetValue union(List<Source> sources, Aggregate how) {
        Map<Bytes, Double> acc = new LinkedHashMap<>();
        for (Source s : sources) {
            for (ZSetValue.Entry e : s.entries()) {
                double score = s.weight() * e.score();
                if (Double.isNaN(score)) {
                    score = 0;
                }
                Double existing = acc.get(e.member());
                acc.put(e.member(), existing == null ? score : aggregate(existing, score, how));
            }
        }
        ZSetValue out = new ZSetValue();
        acc.forEach(out::put);
        return out;
    }

    private static ZSetValue diff(List<Source> sources) {
        ZSetValue out = new ZSetValue();
        for (ZSetValue.Entry e : sources.get(0).entries()) {
            boolean elsewhere = false;
            for (int j = 1; j < sources.size() && !elsewhere; j++) {
                elsewhere = sources.get(j).score(e.member()) != null;
            }
            if (!elsewhere) {
                out.put(e.member(), e.score());
            }
        }
        return out;
    }

    // ---- ZSCAN ---------------------------------------------------------------------------------

    /**
     * ZSCAN key cursor [MATCH pattern] [COUNT count]. A small set (a listpack in Redis) comes whole
     * with cursor 0; a large one in pages of COUNT entries, the cursor an offset in score order.
     */
    private static RespValue zscan(Call c) {
        long cursor = Scans.parseCursor(c.arg(2));
        ZSetValue z = c.txn().read(c.arg(1), ZSetValue.class);
        if (z == null) {
            return Scans.reply(0, List.of());
        }
        Scans.Args args = Scans.args(c);
        List<ZSetValue.Entry> all = new ArrayList<>(z.ordered());
        long from = 0;
        long to = all.size();
        long next = 0;
        if (z.size() > ZSetValue.LISTPACK_ENTRIES || z.maxMemberLength() > ZSetValue.LISTPACK_VALUE) {
            from = Long.compareUnsigned(cursor, all.size()) >= 0 ? all.size() : cursor;
            to = Math.min(all.size(), from + Math.min(args.count(), all.size()));
            next = to >= all.size() ? 0 : to;
        }
        List<RespValue> items = new ArrayList<>();
        for (int i = (int) from; i < to; i++) {
            ZSetValue.Entry e = all.get(i);
            if (args.matches(e.member())) {
                items.add(Call.bulk(e.member()));
                items.add(Call.text(dev.kvfallback.protocol.RespDoubles.format(e.score())));
            }
        }
        return Scans.reply(next, items);
    }

    // ---- Replies and ranges --------------------------------------------------------------------

    private static RespValue entries(Call c, List<ZSetValue.Entry> entries, boolean withScores) {
        return entries(c, entries, withScores, c.resp3());
    }

    /** Members, with scores flat ({@code nested} false) or as [member, score] pairs. */
    private static RespValue entries(Call c, List<ZSetValue.Entry> entries, boolean withScores, boolean nested) {
        List<RespValue> out = new ArrayList<>(withScores && !nested ? entries.size() * 2 : entries.size());
        for (ZSetValue.Entry e : entries) {
            if (!withScores) {
                out.add(Call.bulk(e.member()));
            } else if (nested) {
                out.add(new RespValue.Array(List.of(Call.bulk(e.member()), new RespValue.Double(e.score()))));
            } else {
                out.add(Call.bulk(e.member()));
                out.add(new RespValue.Double(e.score()));
            }
        }
        return new RespValue.Array(out);
    }

    /** {@code zslParseRange}: each end a float, {@code (} for exclusive. */
    private static ZSetValue.ScoreRange scoreRange(byte[] min, byte[] max) {
        boolean minEx = min.length > 0 && min[0] == '(';
        boolean maxEx = max.length > 0 && max[0] == '(';
        Double lo = CDouble.rangeEnd(min, minEx ? 1 : 0);
        Double hi = CDouble.rangeEnd(max, maxEx ? 1 : 0);
        if (lo == null || hi == null) {
            throw new CommandError(NOT_FLOAT_RANGE);
        }
        return new ZSetValue.ScoreRange(lo, minEx, hi, maxEx);
    }

    /** {@code zslParseLexRange}: {@code -}, {@code +}, {@code [member} or {@code (member}. */
    private static ZSetValue.LexRange lexRange(byte[] min, byte[] max) {
        ZSetValue.LexBound lo = lexBound(min);
        ZSetValue.LexBound hi = lexBound(max);
        if (lo == null || hi == null) {
            throw new CommandError(NOT_LEX_RANGE);
        }
        return new ZSetValue.LexRange(lo, hi);
    }

    private static ZSetValue.LexBound lexBound(byte[] s) {
        if (s.length == 0) {
            return null;
        }
        // Redis reads '+' and '-' as C strings: what follows a NUL does not count.
        boolean alone = s.length == 1 || s[1] == 0;
        return switch (s[0]) {
            case '+' -> alone ? ZSetValue.LexBound.MAX : null;
            case '-' -> alone ? ZSetValue.LexBound.MIN : null;
            case '(', '[' -> new ZSetValue.LexBound(0, Bytes.wrap(java.util.Arrays.copyOfRange(s, 1, s.length)),
                    s[0] == '(');
            default -> null;
        };
    }

    /**
     * Writes scores into a sorted set as Redis's {@code zsetAdd} would store them: while the set is
     * a listpack (at most 128 members, none longer than 64 bytes, and not created as a skiplist),
     * scores are kept as text and -0 becomes 0.
     */
    private static final class Scores {
        private final Txn txn;
        private final byte[] key;
        private ZSetValue z;
        private boolean writable;
        /** null: not yet known (worked out only when a -0 needs it). */
        private Boolean skiplist;

        /** For a new set, already writable. */
        Scores(ZSetValue z, boolean skiplist) {
            this.txn = null;
            this.key = null;
            this.z = z;
            this.writable = true;
            this.skiplist = skiplist;
        }

        /** For a stored set, made writable (through the transaction) at its first change. */
        Scores(Txn txn, byte[] key, ZSetValue z) {
            this.txn = txn;
            this.key = key;
            this.z = z;
        }

        ZSetValue value() {
            return z;
        }

        void put(Bytes member, double score) {
            if (!writable) {
                z = txn.modify(key, ZSetValue.class, null);
                writable = true;
            }
            boolean isNew = z.score(member) == null;
            if (isNew && (z.size() + 1 > ZSetValue.LISTPACK_ENTRIES || member.length() > ZSetValue.LISTPACK_VALUE)) {
                skiplist = true;
            }
            if (score == 0 && 1 / score < 0) {
                if (skiplist == null) {
                    skiplist = z.size() > ZSetValue.LISTPACK_ENTRIES || z.maxMemberLength() > ZSetValue.LISTPACK_VALUE;
                }
                if (!skiplist) {
                    score = 0.0;
                }
            }
            z.put(member, score);
        }

        /** A result converted to a listpack: its -0 scores become 0. */
        static void dropNegativeZeros(ZSetValue z) {
            List<Bytes> negative = new ArrayList<>();
            for (ZSetValue.Entry e : z.ordered()) {
                if (e.score() == 0 && 1 / e.score() < 0) {
                    negative.add(e.member());
                }
            }
            for (Bytes m : negative) {
                z.put(m, 0.0);
            }
        }
    }

    /** Doubles as C reads them: {@code strtod} and Redis's stricter {@code string2d} on top of it. */
    private static final class CDouble {

        private record Parsed(double value, int end, boolean rangeError) {
        }

        private CDouble() {
        }

        /** {@code string2d}: the whole argument a float, no leading space, no NaN, no overflow or underflow. */
        static double strictOrError(byte[] s, RespValue.Error error) {
            if (s.length == 0 || Numbers.isSpace(s[0])) {
                throw new CommandError(error);
            }
            Parsed p = strtod(s, 0);
            if (p.end != s.length || p.rangeError || Double.isNaN(p.value)) {
                throw new CommandError(error);
            }
            return p.value;
        }

        static double strictOrError(byte[] s, String error) {
            return strictOrError(s, new RespValue.Error(error));
        }

        /** A range end from {@code from} on, as {@code zslParseRange} reads it; null if invalid. */
        static Double rangeEnd(byte[] s, int from) {
            Parsed p = strtod(s, from);
            // Redis checks *eptr == '\0': the C string ends there (at the end, or at an embedded NUL).
            if ((p.end < s.length && s[p.end] != 0) || Double.isNaN(p.value)) {
                return null;
            }
            return p.value;
        }

        /** C's {@code strtod} from {@code from}: the value and where it stopped ({@code from} if nothing parsed). */
        static Parsed strtod(byte[] s, int from) {
            int i = from;
            while (i < s.length && Numbers.isSpace(s[i])) {
                i++;
            }
            int start = i;
            boolean negative = false;
            if (i < s.length && (s[i] == '+' || s[i] == '-')) {
                negative = s[i] == '-';
                i++;
            }
            if (word(s, i, "infinity")) {
                return new Parsed(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, i + 8, false);
            }
            if (word(s, i, "inf")) {
                return new Parsed(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, i + 3, false);
            }
            if (word(s, i, "nan")) {
                int end = i + 3;
                if (end < s.length && s[end] == '(') {
                    int k = end + 1;
                    while (k < s.length && (Character.isLetterOrDigit(s[k]) || s[k] == '_') && s[k] > 0) {
                        k++;
                    }
                    if (k < s.length && s[k] == ')') {
                        end = k + 1;
                    }
                }
                return new Parsed(Double.NaN, end, false);
            }
            if (i + 1 < s.length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
                Parsed hex = hex(s, i + 2, negative);
                if (hex != null) {
                    return hex;
                }
            }
            return decimal(s, from, start, i);
        }

        private static Parsed decimal(byte[] s, int from, int start, int i) {
            int digits = 0;
            boolean nonZero = false;
            while (i < s.length && isDigit(s[i])) {
                nonZero |= s[i] != '0';
                i++;
                digits++;
            }
            if (i < s.length && s[i] == '.') {
                i++;
                while (i < s.length && isDigit(s[i])) {
                    nonZero |= s[i] != '0';
                    i++;
                    digits++;
                }
            }
            if (digits == 0) {
                return new Parsed(0, from, false);
            }
            i = exponent(s, i, 'e');
            double v = Double.parseDouble(new String(s, start, i - start, StandardCharsets.US_ASCII));
            return new Parsed(v, i, Double.isInfinite(v) || (v == 0 && nonZero));
        }

        /** A hex float after {@code 0x}; null if no hex digit follows (then C reads just the 0). */
        private static Parsed hex(byte[] s, int i, boolean negative) {
            StringBuilder literal = new StringBuilder(negative ? "-0x" : "0x");
            int digits = 0;
            boolean dot = false;
            boolean nonZero = false;
            for (; i < s.length; i++) {
                if (s[i] == '.' && !dot) {
                    dot = true;
                } else if (Character.digit(s[i], 16) >= 0) {
                    nonZero |= s[i] != '0';
                    digits++;
                } else {
                    break;
                }
                literal.append((char) s[i]);
            }
            if (digits == 0) {
                return null;
            }
            int end = exponent(s, i, 'p');
            String exp = end > i ? new String(s, i + 1, end - i - 1, StandardCharsets.US_ASCII) : "0";
            double v;
            try {
                v = Double.parseDouble(literal + "p" + exp);
            } catch (NumberFormatException e) {
                v = exp.startsWith("-") ? 0.0 : Double.POSITIVE_INFINITY;
                v = negative ? -v : v;
            }
            return new Parsed(v, end, Double.isInfinite(v) || (v == 0 && nonZero));
        }

        /** The end of an optional exponent ({@code e} or {@code p}, sign, digits) at {@code i}. */
        private static int exponent(byte[] s, int i, char letter) {
            if (i < s.length && (s[i] | 0x20) == letter) {
                int k = i + 1;
                if (k < s.length && (s[k] == '+' || s[k] == '-')) {
                    k++;
                }
                if (k < s.length && isDigit(s[k])) {
                    while (k < s.length && isDigit(s[k])) {
                        k++;
                    }
                    return k;
                }
            }
            return i;
        }

        private static boolean isDigit(byte b) {
            return b >= '0' && b <= '9';
        }

        private static boolean word(byte[] s, int i, String word) {
            if (i + word.length() > s.length) {
                return false;
            }
            for (int k = 0; k < word.length(); k++) {
                if ((s[i + k] | 0x20) != word.charAt(k)) {
                    return false;
                }
            }
            return true;
        }
    }
}
