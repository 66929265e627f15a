package dev.kvfallback.engine;

/**
 * One key as a {@link Keyspace} holds it. {@code value} is null when the key has no document or
 * only a tombstone (a delete kept for replay); expiry is <em>not</em> applied here, the engine
 * compares {@code expireAt} with its clock.
 *
 * @param key       the key
 * @param value     the value, a copy the caller may change; null if absent
 * @param expireAt  absolute expiry in Unix milliseconds; 0 for none
 * @param version   the guard for the next write: 0 when no document exists
 * @param divergent whether the document holds a write Redis has not seen
 */
public record Stored(byte[] key, RedisValue value, long expireAt, long version, boolean divergent) {

    public static Stored absent(byte[] key) {
        return new Stored(key, null, 0, 0, false);
    }

    /** Whether the key holds a live value at {@code nowMillis}. */
    public boolean liveAt(long nowMillis) {
        return value != null && (expireAt == 0 || expireAt > nowMillis);
    }
}
