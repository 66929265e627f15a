package dev.kvfallback.failover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which backend serves client commands, read on every command from every event loop. Set at
 * start ({@code --mode fallback} forces MongoDB for the process's life) and changed at run time
 * by {@link Recovery}, the state machine of DESIGN.md (on a failing reply, by probes, by an
 * operator through the admin endpoint). Each change is logged once, in the seed guide's
 * {@code [Database]} style, and counted.
 *
 * <p>Switching to MongoDB comes with a {@link #ready} stage: the engine serves no command until it
 * completes (the tee has applied every write acknowledged before the switch), so a command served
 * from MongoDB sees every earlier write to its keys.
 */
public final class Failover {

    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

    /** The modes of DESIGN.md; {@link #status} is the seed guide's name for each. */
    public enum Mode {
        PRIMARY("kv"), FALLBACK("mongodb"), RECOVERING("fallback");

        public final String status;

        Mode(String status) {
            this.status = status;
        }
    }

    private final boolean forced;
    private final AtomicLongArray changes = new AtomicLongArray(Mode.values().length);
    private volatile Mode mode;
    private volatile CompletionStage<Void> ready = READY;
    private volatile long since = System.currentTimeMillis();
    private volatile String cause;
    private volatile long epoch;

    public Failover(boolean forceFallback) {
        this.forced = forceFallback;
        this.mode = forceFallback ? Mode.FALLBACK : Mode.PRIMARY;
        if (forceFallback) {
            cause = "fallback forced by configuration (--mode fallback)";
            log.info("[Database] Serving from MongoDB: {}", cause);
        }
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Whether commands run on the engine over MongoDB rather than on Redis: in FALLBACK, and in
     * RECOVERING while the write-back runs (MongoDB holds the newest value of every divergent key).
     */
    public boolean servesFromMongo() {
        return mode != Mode.PRIMARY;
    }

    /** Whether the current mode may serve now (its {@link #ready} stage has completed). */
    public boolean isReady() {
        return ready.toCompletableFuture().isDone();
    }

    /** Whether the configuration forced fallback for the process's life (Redis is never touched). */
    public boolean forced() {
        return forced;
    }

    /** Completes when commands may be served in the current mode (see the class comment). */
    public CompletionStage<Void> ready() {
        return ready;
    }

    /**
     * Changes the mode, logging and counting the change; false if already in it.
     *
     * @param cause     why, for the log line and the health JSON
     * @param readyWhen when the new mode may serve (see {@link #ready})
     */
    public synchronized boolean switchTo(Mode to, String cause, CompletionStage<Void> readyWhen) {
        if (mode == to) {
            return false;
        }
        Mode from = mode;
        this.ready = readyWhen;
        this.cause = cause;
        this.since = System.currentTimeMillis();
        this.mode = to;
        this.epoch++;
        changes.incrementAndGet(to.ordinal());
        log.info("[Database] {}: {} (was {})", switch (to) {
            case FALLBACK -> "Switching to MongoDB";
            case RECOVERING -> "Recovering: writing back to KV";
            default -> "Back to KV";
        }, cause, from.status);
        return true;
    }

    /**
     * While Redis serves and may be read as the truth (PRIMARY, and ready: not during the return's
     * last write-back), a number that changes with every change of mode; -1 otherwise.
     */
    public long servingEpoch() {
        return mode == Mode.PRIMARY && isReady() ? epoch : -1;
    }

    /** Times the mode has changed to {@code to} since start. */
    public long changesTo(Mode to) {
        return changes.get(to.ordinal());
    }

    /** When the current mode began, Unix ms. */
    public long since() {
        return since;
    }

    /** Why the current mode was entered; null at a normal start. */
    public String cause() {
        return cause;
    }
}
