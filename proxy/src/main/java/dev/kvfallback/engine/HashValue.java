package dev.kvfallback.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Redis hash: fields to values, in insertion order (the order a small Redis hash replies in). */
public final class HashValue implements RedisValue {

    private final LinkedHashMap<Bytes, byte[]> fields;

    public HashValue() {
        this(new LinkedHashMap<>());
    }

    public HashValue(LinkedHashMap<Bytes, byte[]> fields) {
        this.fields = fields;
    }

    /** The fields, in order; changes write through. */
    public LinkedHashMap<Bytes, byte[]> fields() {
        return fields;
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public HashValue copy() {
        return new HashValue(new LinkedHashMap<>(fields));
    }

    @Override
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public long weight() {
        long w = 0;
        for (Map.Entry<Bytes, byte[]> e : fields.entrySet()) {
            w += e.getKey().length() + e.getValue().length + 16;
        }
        return w;
    }
}
