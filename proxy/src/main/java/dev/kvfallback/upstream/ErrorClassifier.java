package dev.kvfallback.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what an error reply from Redis (or the proxy's own, for a round trip that failed) means
 * for the mode: Redis cannot serve now, so the command is served from MongoDB; or an ordinary
 * command error that the client gets exactly as Redis gave it (DESIGN.md, "Error classes").
 *
 * <p>The rules, pinned by {@code ErrorClassifierTest}:
 * <ul>
 *   <li>Rate limits and quotas of hosted Redis ({@code ERR max requests limit exceeded},
 *       {@code ERR max daily request limit exceeded}, {@code ERR max concurrent connections exceeded},
 *       {@code ERR max number of clients reached}, ...): every command. The size limits of the same
 *       family ({@code ERR max request size exceeded}) are the command's own fault and pass.</li>
 *   <li>The proxy's {@code ERR kvfallback: Redis unavailable (...)}: connection refused, reset or
 *       closed, and the latency budget (a command timeout; Upstash throttles by answering late).</li>
 *   <li>A server that cannot serve anyone now: {@code LOADING}, {@code BUSY}, {@code MASTERDOWN},
 *       {@code TRYAGAIN}, {@code CLUSTERDOWN}; and {@code NOAUTH}/{@code WRONGPASS}, which only the
 *       proxy's own credentials can cause (clients authenticate with the proxy, not with Redis).</li>
 *   <li>For writes only: {@code OOM}, {@code READONLY}, {@code MISCONF}, {@code NOREPLICAS} and
 *       {@code ERR DB capacity quota exceeded}: Redis refuses writes but may still serve reads.</li>
 * </ul>
 * Everything else ({@code WRONGTYPE}, syntax, arity, {@code NOSCRIPT}, {@code BUSYGROUP}, ...) passes.
 */
public final class ErrorClassifier {

    /** What an error reply is. */
    public enum Kind {
        /** A hosted Redis's request, connection or quota limit. */
        RATE_LIMIT(true, "rate_limit"),
        /** The proxy could not complete the round trip: no connection, or no answer within the budget. */
        UNAVAILABLE(true, "unavailable"),
        /** The server cannot serve anyone now (loading, a busy script, a master down, auth). */
        SERVER_DOWN(true, "server_down"),
        /** The server refuses writes (memory, a read-only replica, persistence errors, a data quota). */
        WRITES_REFUSED(false, "writes_refused"),
        /** The command's own error: the client gets it unchanged. */
        COMMAND(false, "command");

        private final boolean forReads;
        /** A short lower-case name, for logs and metric tags. */
        public final String tag;

        Kind(boolean forReads, String tag) {
            this.forReads = forReads;
            this.tag = tag;
        }

        /** Whether a command that met this error is served from MongoDB instead. */
        public boolean fallsBack(boolean write) {
            return this != COMMAND && (forReads || write);
        }
    }

    private static final String UNAVAILABLE_PREFIX = "ERR kvfallback: Redis unavailable";
    private static final Set<String> SERVER_DOWN_CODES = Set.of(
            "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOAUTH", "WRONGPASS");
    private static final Set<String> WRITES_REFUSED_CODES = Set.of("OOM", "READONLY", "MISCONF", "NOREPLICAS");

    private ErrorClassifier() {
    }

    /** The kind of the error reply {@code message} (its text without the leading {@code -}). */
    public static Kind classify(byte[] message) {
        String text = head(message);
        String code = firstWord(text);
        if (code.equals("ERR")) {
            if (text.startsWith(UNAVAILABLE_PREFIX)) {
                return Kind.UNAVAILABLE;
            }
            if (isRateLimit(text)) {
                return Kind.RATE_LIMIT;
            }
            if (text.regionMatches(true, 4, "DB capacity quota exceeded", 0, 26)) {
                return Kind.WRITES_REFUSED;
            }
            return Kind.COMMAND;
        }
        if (SERVER_DOWN_CODES.contains(code)) {
            return Kind.SERVER_DOWN;
        }
        return WRITES_REFUSED_CODES.contains(code) ? Kind.WRITES_REFUSED : Kind.COMMAND;
    }

    /** Error codes counted apart in metrics; the rest are "other". */
    private static final Set<String> METRIC_CODES = Set.of("err", "wrongtype", "noscript", "oom", "loading", "busy",
            "masterdown", "tryagain", "clusterdown", "noauth", "wrongpass", "readonly", "misconf", "noreplicas",
            "execabort", "noperm", "moved", "ask");

    /**
     * The class an error reply is counted under in metrics: {@code unavailable} or {@code rate_limit}
     * by its kind, else its code (lower case) when it is a common one, else {@code other}.
     */
    public static String metricClass(byte[] message) {
        Kind kind = classify(message);
        if (kind == Kind.UNAVAILABLE || kind == Kind.RATE_LIMIT) {
            return kind.tag;
        }
        String code = firstWord(head(message)).toLowerCase(Locale.ROOT);
        return METRIC_CODES.contains(code) ? code : "other";
    }

    /** Whether a command ({@code write} or not) that met the error reply {@code message} falls back. */
    public static boolean fallsBack(byte[] message, boolean write) {
        return classify(message).fallsBack(write);
    }

    /**
     * {@code ERR max <something> limit exceeded}, {@code ERR max ... connections exceeded},
     * {@code ERR max number of clients reached}; not the size limits, which are the request's fault.
     */
    private static boolean isRateLimit(String text) {
        if (!text.regionMatches(true, 0, "ERR max ", 0, 8)) {
            return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("size")) {
            return false;
        }
        return lower.contains("limit exceeded") || lower.contains("connections exceeded")
                || lower.contains("clients reached") || lower.contains("quota exceeded");
    }

    /** The start of the message, enough for every rule: error replies can be long. */
    private static String head(byte[] message) {
        return new String(message, 0, Math.min(message.length, 128), StandardCharsets.ISO_8859_1);
    }

    private static String firstWord(String text) {
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }
}
