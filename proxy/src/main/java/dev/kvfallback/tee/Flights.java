package dev.kvfallback.tee;

import dev.kvfallback.concurrent.Idle;
import dev.kvfallback.engine.Bytes;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which keys have writes in flight to Redis, and on which connection: the tee's only way to know
 * the order Redis applied two writes to one key in.
 *
 * <p>Why: one connection answers in the order Redis ran its commands, so writes to a key that all
 * travel on one connection are acknowledged in Redis's order, and the tee applies them in that
 * order. Two writes to a key on different connections (two event loops, a pinned MULTI) whose
 * flights overlap may have run in either order, whatever order their acknowledgements arrive in.
 * Such a flight lands <em>mixed</em>, and the tee re-copies the key from Redis instead of trusting
 * the order. A re-copy's own reads are a flight on a connection of their own (a fresh
 * {@link #domain}): a write overlapping them makes the copy unreliable, and it is taken again.
 *
 * <p>Threads: any; one map update per key at departure and at landing.
 */
public final class Flights {

    private record Key(int db, Bytes key) {
    }

    /** The writes in flight on one key: how many, and whether they came from more than one connection. */
    private static final class Entry {
        int count;
        final long domain;
        boolean mixed;

        Entry(long domain) {
            this.domain = domain;
        }
    }

    /** One departed write: land it exactly once. */
    public static final class Flight {
        private final Key[] keys;

        private Flight(Key[] keys) {
            this.keys = keys;
        }
    }

    private final ConcurrentHashMap<Key, Entry> inflight = new ConcurrentHashMap<>();
    private final AtomicLong domains = new AtomicLong(1);
    /** Flights departed and not landed (those naming at least one key). */
    private final Idle flying = new Idle();

    /** A connection identity of its own (a pinned connection, a re-copy's reads). */
    public long domain() {
        return -domains.getAndIncrement();
    }

    /** Called just before a write to {@code keys} of {@code db} is sent on the connection {@code domain}. */
    public Flight depart(int db, List<byte[]> keys, long domain) {
        Key[] held = new Key[keys.size()];
        if (held.length > 0) {
            flying.enter();
        }
        for (int i = 0; i < held.length; i++) {
            Key key = new Key(db, Bytes.wrap(keys.get(i)));
            held[i] = key;
            inflight.compute(key, (k, e) -> {
                if (e == null) {
                    e = new Entry(domain);
                } else if (e.domain != domain) {
                    e.mixed = true;
                }
                e.count++;
                return e;
            });
        }
        return new Flight(held);
    }

    /** Called when the write's reply arrived; true if a write on another connection overlapped it. */
    public boolean land(Flight flight) {
        boolean[] mixed = new boolean[1];
        for (Key key : flight.keys) {
            inflight.computeIfPresent(key, (k, e) -> {
                mixed[0] |= e.mixed;
                return --e.count == 0 ? null : e;
            });
        }
        if (flight.keys.length > 0) {
            flying.exit();
        }
        return mixed[0];
    }

    /** Completes once no write is in flight (at once if none is now). */
    public CompletableFuture<Void> whenNoneInFlight() {
        return flying.whenIdle();
    }

    /** Keys with a write in flight (for tests and health). */
    public int size() {
        return inflight.size();
    }
}
