package dev.kvfallback.tee;

import dev.kvfallback.engine.Engine;
import dev.kvfallback.protocol.RespValue;

import java.util.List;

/**
 * What one acknowledged write does to MongoDB's copy, decided from the command and Redis's reply
 * (see {@link Effects}): deterministic, so applying it gives what Redis holds.
 */
sealed interface Effect {

    /** The db the effect is in. */
    int db();

    /**
     * Apply a step through the engine.
     *
     * @param expected    the reply the engine must compute for the copy to be right (Redis's); null: no check
     * @param copyAbsent  whether a key the step finds absent in MongoDB must still be re-copied: the
     *                    command only adds to a value (HSET, SADD, ...) or changes one that exists
     *                    (LTRIM, ZADD XX, SETRANGE), its reply the same either way, and a key absent
     *                    from MongoDB may exist in Redis (a key older than the proxy)
     * @param keys        the keys to re-copy from Redis if the step's reply differs or it cannot be applied
     * @param generation  for a copy ({@code Put}), the copier's mark of the key when its read began
     */
    record Apply(int db, Engine.Step step, RespValue expected, boolean copyAbsent, List<byte[]> keys,
                 long generation) implements Effect {

        Apply(int db, Engine.Step step, RespValue expected, boolean copyAbsent, List<byte[]> keys) {
            this(db, step, expected, copyAbsent, keys, 0);
        }
    }

    /** Copy these keys' whole values from Redis (a script, RESTORE, MOVE: effects the engine cannot compute). */
    record Copy(int db, List<byte[]> keys) implements Effect {
    }

    /** Remove every key of the db, or of every db ({@code db} = -1): FLUSHDB, FLUSHALL. */
    record Clear(int db) implements Effect {
    }

    /** Completed by the tee's worker once every effect queued before it is applied (or handed to the copier). */
    record Barrier(java.util.concurrent.CompletableFuture<Void> done) implements Effect {
        @Override
        public int db() {
            return -1;
        }
    }

    /** The db's keys changed wholesale in a way no effect describes (SWAPDB): a backfill must re-copy them. */
    record Resync(int db) implements Effect {
    }
}
