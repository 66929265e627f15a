package dev.kvfallback.engine;

import java.util.Comparator;
import java.util.HashMap;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A Redis sorted set: members with scores, ordered by score and then by member bytes, as Redis
 * orders them. Scores are never NaN. Kept twice, as Redis does: by member for lookups and in order
 * for ranges.
 */
public final class ZSetValue implements RedisValue {

    /** One member and its score. */
    public record Entry(Bytes member, double score) {
    }

    /** Redis's order: score, then member bytes (unsigned). */
    public static final Comparator<Entry> ORDER =
            Comparator.comparingDouble(Entry::score).thenComparing(Entry::member);

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
