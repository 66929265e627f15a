package dev.kvfallback.engine;

import java.util.ArrayList;

/** A Redis list: elements from head (index 0) to tail. */
public final class ListValue implements RedisValue {

    private final ArrayList<byte[]> elements;

    public ListValue() {
        this(new ArrayList<>());
    }

    public ListValue(ArrayList<byte[]> elements) {
        this.elements = elements;
    }

    /** The elements, head first; changes write through. Elements are never changed in place. */
    public ArrayList<byte[]> elements() {
        return elements;
    }

    @Override
    public String type() {
        return "list";
    }

    @Override
    public ListValue copy() {
        return new ListValue(new ArrayList<>(elements));
    }

    @Override
    public boolean isEmpty() {
        return elements.isEmpty();
    }

    @Override
    public long weight() {
        long w = 0;
        for (byte[] e : elements) {
            w += e.length + 8;
        }
        return w;
    }
}
