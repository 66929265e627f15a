package dev.kvfallback.engine;

/** A Redis string: any bytes. Immutable; commands that change a string store a new one. */
public record StringValue(byte[] bytes) implements RedisValue {

    @Override
    public String type() {
        return "string";
    }

    @Override
    public StringValue copy() {
        return this;
    }

    @Override
    public boolean isEmpty() {
        return false;
    }

    @Override
    public long weight() {
        return bytes.length;
    }
}
