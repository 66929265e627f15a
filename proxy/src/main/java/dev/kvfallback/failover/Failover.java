package dev.kvfallback.failover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backend serves client commands. Today the mode is set once, at start ({@code --mode
 * fallback} forces MongoDB); the automatic state machine of DESIGN.md will change it at run time,
 * read on every command from every event loop.
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

    private final Mode mode;
    private final boolean forced;

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
}
