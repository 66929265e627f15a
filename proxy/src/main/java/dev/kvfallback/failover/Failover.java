package dev.kvfallback.failover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backend serves client commands right now. Today the mode only changes when an operator
 * forces it ({@code --mode fallback}); the automatic state machine of DESIGN.md builds on this.
 * Read on every command from every event loop, so the mode is a volatile field.
 */
public final class Failover {

    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** The modes of DESIGN.md; {@link #status} is the seed guide's name for each. */
    public enum Mode {
        PRIMARY("kv"), FALLBACK("mongodb"), RECOVERING("fallback");

        public final String status;

        Mode(String status) {
            this.status = status;
        }
    }

    private volatile Mode mode;
    private volatile boolean forced;

    public Failover(boolean forceFallback) {
        this.forced = forceFallback;
        this.mode = forceFallback ? Mode.FALLBACK : Mode.PRIMARY;
        if (forceFallback) {
            log.info("[Database] Serving from MongoDB: fallback forced by configuration (--mode fallback)");
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Whether commands run on the engine over MongoDB rather than on Redis. */
    public boolean servesFromMongo() {
        return mode == Mode.FALLBACK;
    }

    public boolean forced() {
        return forced;
    }

    /** Forces fallback on, or returns to automatic operation (Redis), logging the change once. */
    public synchronized void force(boolean fallback, String cause) {
        if (forced == fallback) {
            return;
        }
        forced = fallback;
        mode = fallback ? Mode.FALLBACK : Mode.PRIMARY;
        log.info(fallback ? "[Database] Serving from MongoDB: fallback forced ({})"
                : "[Database] Back to Redis: automatic mode ({})", cause);
    }
}
