package dev.kvfallback.engine;

/**
 * The value of one key, one of Redis's data types. Values are mutable while a command runs on
 * them inside a {@link Txn}; a {@link Keyspace} hands out copies it does not share.
 */
public sealed interface RedisValue permits StringValue, HashValue, ListValue, SetValue, ZSetValue {

    /** Redis's {@code TYPE} name: {@code string}, {@code hash}, {@code list}, {@code set}, {@code zset}. */
    String type();

    /** A deep copy, so a keyspace can keep its own. */
    RedisValue copy();

    /** Whether a collection has become empty (Redis then removes the key); false for strings. */
    boolean isEmpty();

    /** Payload bytes (keys, fields, members, values) plus a small overhead per element. */
    long weight();
}
