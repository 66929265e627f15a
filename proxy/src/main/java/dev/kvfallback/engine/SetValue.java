package dev.kvfallback.engine;

import java.util.LinkedHashSet;

/** A Redis set: distinct members, kept in insertion order (replies order them as Redis would). */
public final class SetValue implements RedisValue {

    private final LinkedHashSet<Bytes> members;

    public SetValue() {
        this(new LinkedHashSet<>());
    }

    public SetValue(LinkedHashSet<Bytes> members) {
        this.members = members;
    }

    /** The members; changes write through. */
    public LinkedHashSet<Bytes> members() {
        return members;
    }

    @Override
    public String type() {
        return "set";
    }

    @Override
    public SetValue copy() {
        return new SetValue(new LinkedHashSet<>(members));
    }

    @Override
    public boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public long weight() {
        long w = 0;
        for (Bytes m : members) {
            w += m.length() + 8;
        }
        return w;
    }
}
