package dev.kvfallback.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs commands on the same key one after another, in the order they arrived, as Redis's single
 * thread would; commands on other keys run concurrently. A command takes all its keys at once, in
 * one synchronized step, so waits always point at earlier commands and cannot deadlock.
 */
final class KeyLocks {

    /** A held set of keys; {@link #ready} completes when every earlier holder has released. */
    static final class Held {
        final CompletableFuture<Void> ready;
        private final CompletableFuture<Void> done;
        private final List<?> keys;

        private Held(CompletableFuture<Void> ready, CompletableFuture<Void> done, List<?> keys) {
            this.ready = ready;
            this.done = done;
            this.keys = keys;
        }
    }

    private final Map<Object, CompletableFuture<Void>> tails = new HashMap<>();

    @SuppressWarnings("unchecked")
    synchronized Held acquire(List<?> keys) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void>[] before = new CompletableFuture[keys.size()];
        int n = 0;
        for (Object key : keys) {
            CompletableFuture<Void> previous = tails.put(key, done);
            if (previous != null && !previous.isDone()) {
                before[n++] = previous;
            }
        }
        CompletableFuture<Void> ready = n == 0 ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(Arrays.copyOf(before, n));
        return new Held(ready, done, keys);
    }

    void release(Held held) {
        synchronized (this) {
            for (Object key : held.keys) {
                tails.remove(key, held.done);
            }
        }
        held.done.complete(null);
    }
}
