package dev.kvfallback.engine;

/**
 * A whole-key write guarded by the version it was computed from.
 *
 * @param key             the key
 * @param expectedVersion the version the value was read at; 0: the document must not exist
 * @param value           the new value, or null to delete the key
 * @param expireAt        absolute expiry in Unix milliseconds; 0 for none
 * @param divergent       mark the key as holding a write Redis has not seen; a divergent delete
 *                        leaves a tombstone so the delete can be replayed
 */
public record Write(byte[] key, long expectedVersion, RedisValue value, long expireAt, boolean divergent) {
}
