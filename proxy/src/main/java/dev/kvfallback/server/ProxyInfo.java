package dev.kvfallback.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy's own figures, shown in the {@code # kvfallback} section of {@code INFO}.
 */
public final class ProxyInfo {

    final String version;
    final String upstream;
    private final java.util.function.Supplier<String> mode;
    final long startedAtMillis = System.currentTimeMillis();
    final AtomicInteger connectedClients = new AtomicInteger();
    final AtomicLong totalConnections = new AtomicLong();
    final AtomicLong commandsProcessed = new AtomicLong();
    /** Connections refused at {@code maxclients}, as Redis's {@code rejected_connections}. */
    final AtomicLong rejectedConnections = new AtomicLong();
    /** Clients closed for what they did, by reason (see {@link Closed}). */
    private final AtomicLong[] closed = java.util.stream.Stream.generate(AtomicLong::new)
            .limit(Closed.values().length).toArray(AtomicLong[]::new);
    /** AUTH attempts refused (the proxy's {@code Users} count them). */
    private final java.util.function.LongSupplier authFailures;
    private final dev.kvfallback.config.Secrets secrets;

    /** Why the proxy closed a client itself. */
    public enum Closed {
        /** Malformed request: {@code -ERR Protocol error: ...} then closed. */
        PROTOCOL_ERROR,
        /** A request past {@code client-query-buffer-limit}. */
        QUERY_BUFFER_LIMIT,
        /** Unsent replies past {@code client-output-buffer-limit}. */
        OUTPUT_BUFFER_LIMIT,
        /** Idle past {@code timeout}. */
        IDLE_TIMEOUT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** More {@code kvfallback_*} fields (the tee's), read at each INFO; null for none. */
    private final java.util.function.Supplier<java.util.Map<String, Object>> more;

    /**
     * @param mode the mode as the health JSON names it ({@code primary}, {@code fallback}, {@code recovering}),
     *             read at each INFO
     * @param authFailures AUTH attempts refused so far
     * @param secrets    masked in the section's text fields (one may quote an error message)
     */
    public ProxyInfo(String version, String upstream, java.util.function.Supplier<String> mode,
                     java.util.function.Supplier<java.util.Map<String, Object>> more,
                     java.util.function.LongSupplier authFailures, dev.kvfallback.config.Secrets secrets) {
        this.authFailures = authFailures;
        this.secrets = secrets;
        this.version = version;
        this.upstream = upstream;
        this.mode = mode;
        this.more = more;
    }

    public int connectedClients() {
        return connectedClients.get();
    }

    public long rejectedConnections() {
        return rejectedConnections.get();
    }

    /** Clients closed for {@code reason} since start. */
    public long closed(Closed reason) {
        return closed[reason.ordinal()].get();
    }

    void countClosed(Closed reason) {
        closed[reason.ordinal()].incrementAndGet();
    }

    public long authFailures() {
        return authFailures.getAsLong();
    }

    /** The section, lines ending in CRLF as Redis writes INFO. */
    String section() {
        return "# kvfallback\r\n"
                + "kvfallback_version:" + version + "\r\n"
                + "kvfallback_mode:" + mode.get() + "\r\n"
                + "kvfallback_upstream:" + upstream + "\r\n"
                + "kvfallback_uptime_in_seconds:" + (System.currentTimeMillis() - startedAtMillis) / 1000 + "\r\n"
                + "kvfallback_connected_clients:" + connectedClients.get() + "\r\n"
                + "kvfallback_total_connections_received:" + totalConnections.get() + "\r\n"
                + "kvfallback_total_commands_processed:" + commandsProcessed.get() + "\r\n"
                + "kvfallback_rejected_connections:" + rejectedConnections.get() + "\r\n"
                + "kvfallback_auth_failures:" + authFailures.getAsLong() + "\r\n"
                + closedFields()
                + moreFields();
    }

    private String closedFields() {
        StringBuilder sb = new StringBuilder();
        for (Closed reason : Closed.values()) {
            sb.append("kvfallback_clients_closed_").append(reason.label()).append(':')
                    .append(closed(reason)).append("\r\n");
        }
        return sb.toString();
    }

    private String moreFields() {
        if (more == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        more.get().forEach((name, value) -> {
            if (value != null && !(value instanceof java.util.Map) && !(value instanceof java.util.List)) {
                // Only text can carry a secret (an error message quoting a URI); numbers are left alone.
                String text = value instanceof String string ? secrets.redact(string) : String.valueOf(value);
                sb.append("kvfallback_").append(name).append(':')
                        .append(text.replace('\r', ' ').replace('\n', ' ')).append("\r\n");
            }
        });
        return sb.toString();
    }
}
