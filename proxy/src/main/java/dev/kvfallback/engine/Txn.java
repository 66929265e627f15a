package dev.kvfallback.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The keys one command (or one MULTI/EXEC block) works on, loaded before it runs and written back
 * after it, each guarded by the version it was loaded at. Expired keys read as absent.
 *
 * <p>Commands read with {@link #get}/{@link #read} and change keys with {@link #set},
 * {@link #delete}, {@link #setExpireAt} or in place on a value obtained from {@link #modify}.
 * A key the command did not declare is a {@link MissingKey}: the engine loads it and runs again.
 */
public final class Txn {

    /** Thrown when a command touches a key that was not loaded. */
    static final class MissingKey extends RuntimeException {
        final byte[] key;

        MissingKey(byte[] key) {
            super(null, null, false, false);
            this.key = key;
        }
    }

    private static final class Slot {
        final Stored stored;
        RedisValue value;
        long expireAt;
        boolean dirty;

        Slot(Stored stored, long now) {
            this.stored = stored;
            if (stored.liveAt(now)) {
                value = stored.value();
                expireAt = stored.expireAt();
            }
        }
    }

    private final Map<Bytes, Slot> slots = new LinkedHashMap<>();
    private final long now;

    Txn(List<Stored> loaded, long now) {
        this.now = now;
        for (Stored s : loaded) {
            slots.put(Bytes.wrap(s.key()), new Slot(s, now));
        }
    }

    /** The time this transaction runs at, Unix milliseconds; expiry is judged against it. */
    public long now() {
        return now;
    }

    private Slot slot(byte[] key) {
        Slot slot = slots.get(Bytes.wrap(key));
        if (slot == null) {
            throw new MissingKey(key);
        }
        return slot;
    }

    /** The key's value, or null if it does not exist. */
    public RedisValue get(byte[] key) {
        return slot(key).value;
    }

    public boolean exists(byte[] key) {
        return get(key) != null;
    }

    /** The key's value if it has the type; null if absent; {@code WRONGTYPE} otherwise. For reading. */
    public <T extends RedisValue> T read(byte[] key, Class<T> type) {
        RedisValue value = get(key);
        if (value == null) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw new CommandError(EngineErrors.WRONGTYPE);
        }
        return type.cast(value);
    }

    /**
     * The key's value, to change in place: created with {@code create} if absent (null: stay
     * absent), {@code WRONGTYPE} if of another type. The key is written back after the command; a
     * collection left empty is deleted, as Redis does.
     */
    public <T extends RedisValue> T modify(byte[] key, Class<T> type, Supplier<T> create) {
        T value = read(key, type);
        Slot slot = slot(key);
        if (value == null) {
            if (create == null) {
                return null;
            }
            value = create.get();
            slot.value = value;
            slot.expireAt = 0;
        }
        slot.dirty = true;
        return value;
    }

    /** Replaces the key's value and clears its expiry, as SET does. */
    public void set(byte[] key, RedisValue value) {
        set(key, value, 0);
    }

    /** Replaces the key's value with an absolute expiry (Unix ms, 0 for none). */
    public void set(byte[] key, RedisValue value, long expireAt) {
        Slot slot = slot(key);
        slot.value = value;
        slot.expireAt = expireAt;
        slot.dirty = true;
    }

    /** Deletes the key; false if it did not exist. */
    public boolean delete(byte[] key) {
        Slot slot = slot(key);
        if (slot.value == null) {
            return false;
        }
        slot.value = null;
        slot.expireAt = 0;
        slot.dirty = true;
        return true;
    }

    /** The key's absolute expiry in Unix ms, 0 for none (or absent). */
    public long expireAt(byte[] key) {
        return slot(key).expireAt;
    }

    /** Sets the key's absolute expiry (0: persist); the key must exist. One in the past deletes it. */
    public void setExpireAt(byte[] key, long expireAt) {
        Slot slot = slot(key);
        if (expireAt != 0 && expireAt <= now) {
            delete(key);
            return;
        }
        slot.expireAt = expireAt;
        slot.dirty = true;
    }

    /** Whether the key was loaded (declared by the command). */
    boolean loaded(byte[] key) {
        return slots.containsKey(Bytes.wrap(key));
    }

    /** The writes this transaction makes, one per changed key. */
    List<Write> writes(boolean divergent) {
        List<Write> writes = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (!slot.dirty) {
                continue;
            }
            RedisValue value = slot.value == null || slot.value.isEmpty() ? null : slot.value;
            if (value == null && slot.stored.version() == 0) {
                continue;
            }
            writes.add(new Write(slot.stored.key(), slot.stored.version(), value, value == null ? 0 : slot.expireAt,
                    divergent));
        }
        return writes;
    }

    /**
     * The keys this transaction changed, as they now stand: value null when deleted (or left
     * empty), version and divergence as loaded. For running several commands on one loaded state.
     */
    List<Stored> changed() {
        List<Stored> changed = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (slot.dirty) {
                RedisValue value = slot.value == null || slot.value.isEmpty() ? null : slot.value;
                changed.add(new Stored(slot.stored.key(), value, value == null ? 0 : slot.expireAt,
                        slot.stored.version(), slot.stored.divergent()));
            }
        }
        return changed;
    }

    /** The keys loaded, in load order. */
    List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>(slots.size());
        for (Slot slot : slots.values()) {
            keys.add(slot.stored.key());
        }
        return keys;
    }
}
