package dev.kvfallback.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A Redis sorted set: members with scores, ordered by score and then by member bytes, as Redis
 * orders them. Scores are never NaN. Kept twice, as Redis does: by member for lookups and in order
 * for ranges.
 *
 * <p>Ranges walk the order as Redis's small (listpack) encoding does: find the first entry in range,
 * skip the offset, then take entries while they stay in range. For score ranges that is what the
 * skiplist gives too; for lex ranges over members of different scores (which Redis leaves
 * unspecified) it is the listpack's answer.
 */
public final class ZSetValue implements RedisValue {

    /** Redis keeps a sorted set this small as a listpack ({@code zset-max-listpack-entries}). */
    public static final int LISTPACK_ENTRIES = 128;
    /** ... with no member longer than this ({@code zset-max-listpack-value}). */
    public static final int LISTPACK_VALUE = 64;

    /** One member and its score. A null member sorts after every member of its score (a search bound). */
    public record Entry(Bytes member, double score) {
    }

    /**
     * Redis's order: score, then member bytes (unsigned). Scores compare as C doubles do, so -0 and
     * 0 are one score and the member decides.
     */
    public static final Comparator<Entry> ORDER = (a, b) -> {
        if (a.score < b.score) {
            return -1;
        }
        if (a.score > b.score) {
            return 1;
        }
        if (a.member == null || b.member == null) {
            return a.member == b.member ? 0 : a.member == null ? 1 : -1;
        }
        return a.member.compareTo(b.member);
    };

    private static final Bytes LEAST = Bytes.wrap(new byte[0]);

    /** A score interval, each end inclusive or exclusive ({@code zrangespec}). */
    public record ScoreRange(double min, boolean minEx, double max, boolean maxEx) {
        public boolean gteMin(double v) {
            return minEx ? v > min : v >= min;
        }

        public boolean lteMax(double v) {
            return maxEx ? v < max : v <= max;
        }
    }

    /** One end of a lex range: {@code -} (below all), {@code +} (above all), or a member, in- or exclusive. */
    public record LexBound(int infinity, Bytes value, boolean exclusive) {
        public static final LexBound MIN = new LexBound(-1, null, true);
        public static final LexBound MAX = new LexBound(1, null, true);

        /** {@code sdscmplex}: the member compared with this bound. */
        int compareMember(Bytes member) {
            return infinity != 0 ? -infinity : member.compareTo(value);
        }

        int compareTo(LexBound o) {
            if (this == o || (infinity != 0 && infinity == o.infinity)) {
                return 0;
            }
            if (infinity < 0 || o.infinity > 0) {
                return -1;
            }
            if (infinity > 0 || o.infinity < 0) {
                return 1;
            }
            return value.compareTo(o.value);
        }
    }

    /** A lex interval ({@code zlexrangespec}). */
    public record LexRange(LexBound min, LexBound max) {
        public boolean gteMin(Bytes m) {
            int c = min.compareMember(m);
            return min.exclusive ? c > 0 : c >= 0;
        }

        public boolean lteMax(Bytes m) {
            int c = max.compareMember(m);
            return max.exclusive ? c < 0 : c <= 0;
        }

        boolean alwaysEmpty() {
            int c = min.compareTo(max);
            return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
        }
    }

    private final HashMap<Bytes, Double> scores = new HashMap<>();
    private final TreeSet<Entry> ordered = new TreeSet<>(ORDER);

    /** Adds the member or changes its score. */
    public void put(Bytes member, double score) {
        Double old = scores.put(member, score);
        if (old != null) {
            ordered.remove(new Entry(member, old));
        }
        ordered.add(new Entry(member, score));
    }

    /** Removes the member; false if it was not there. */
    public boolean remove(Bytes member) {
        Double old = scores.remove(member);
        if (old == null) {
            return false;
        }
        ordered.remove(new Entry(member, old));
        return true;
    }

    /** The member's score, or null. */
    public Double score(Bytes member) {
        return scores.get(member);
    }

    public int size() {
        return scores.size();
    }

    /** Entries in Redis's order; read-only by contract (use {@link #put}/{@link #remove}). */
    public NavigableSet<Entry> ordered() {
        return ordered;
    }

    /** The member's 0-based rank in ascending order, or -1. */
    public int rank(Bytes member) {
        Double score = scores.get(member);
        if (score == null) {
            return -1;
        }
        return ordered.headSet(new Entry(member, score), false).size();
    }

    /** The length of the longest member. */
    public int maxMemberLength() {
        int max = 0;
        for (Bytes m : scores.keySet()) {
            max = Math.max(max, m.length());
        }
        return max;
    }

    /** Entries {@code start..end} (0-based, inclusive, already within bounds), from the top if {@code reverse}. */
    public List<Entry> byRank(long start, long end, boolean reverse) {
        List<Entry> out = new ArrayList<>((int) (end - start + 1));
        Iterator<Entry> it = reverse ? ordered.descendingIterator() : ordered.iterator();
        for (long i = 0; i <= end && it.hasNext(); i++) {
            Entry e = it.next();
            if (i >= start) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Entries in the score range, ascending (descending if {@code reverse}), skipping {@code offset}
     * (negative: none at all, as in Redis) and taking at most {@code limit} (negative: all).
     */
    public List<Entry> byScore(ScoreRange range, boolean reverse, long offset, long limit) {
        Entry first;
        if (reverse) {
            first = range.maxEx ? ordered.lower(new Entry(LEAST, range.max)) : ordered.floor(new Entry(null, range.max));
        } else {
            first = range.minEx ? ordered.higher(new Entry(null, range.min)) : ordered.ceiling(new Entry(LEAST, range.min));
        }
        if (first == null || !(reverse ? range.gteMin(first.score) : range.lteMax(first.score))) {
            return List.of();
        }
        Iterator<Entry> it = reverse ? ordered.headSet(first, true).descendingIterator()
                : ordered.tailSet(first, true).iterator();
        return take(it, offset, limit, e -> reverse ? range.gteMin(e.score) : range.lteMax(e.score));
    }

    /** Entries in the lex range, as {@link #byScore}; found as Redis's listpack finds them. */
    public List<Entry> byLex(LexRange range, boolean reverse, long offset, long limit) {
        if (ordered.isEmpty() || range.alwaysEmpty()
                || !range.gteMin(ordered.last().member) || !range.lteMax(ordered.first().member)) {
            return List.of();
        }
        Iterator<Entry> it = reverse ? ordered.descendingIterator() : ordered.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (reverse ? range.lteMax(e.member) : range.gteMin(e.member)) {
                if (!(reverse ? range.gteMin(e.member) : range.lteMax(e.member))) {
                    return List.of();
                }
                Iterator<Entry> from = reverse ? ordered.headSet(e, true).descendingIterator()
                        : ordered.tailSet(e, true).iterator();
                return take(from, offset, limit, x -> reverse ? range.gteMin(x.member) : range.lteMax(x.member));
            }
        }
        return List.of();
    }

    private static List<Entry> take(Iterator<Entry> it, long offset, long limit,
                                    java.util.function.Predicate<Entry> inRange) {
        if (offset < 0) {
            return List.of();
        }
        for (long i = 0; i < offset && it.hasNext(); i++) {
            it.next();
        }
        List<Entry> out = new ArrayList<>();
        while (it.hasNext() && limit-- != 0) {
            Entry e = it.next();
            if (!inRange.test(e)) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public String type() {
        return "zset";
    }

    @Override
    public ZSetValue copy() {
        ZSetValue copy = new ZSetValue();
        copy.scores.putAll(scores);
        copy.ordered.addAll(ordered);
        return copy;
    }

    @Override
    public boolean isEmpty() {
        return scores.isEmpty();
    }

    @Override
    public long weight() {
        long w = 0;
        for (Bytes m : scores.keySet()) {
            w += m.length() + 16;
        }
        return w;
    }
}
