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

    /** More {@code kvfallback_*} fields (the tee's), read at each INFO; null for none. */
    private final java.util.function.Supplier<java.util.Map<String, Object>> more;

    /**
     * @param mode the mode as the health JSON names it ({@code primary}, {@code fallback}, {@code recovering}),
     *             read at each INFO
     */
    public ProxyInfo(String version, String upstream, java.util.function.Supplier<String> mode,
                     java.util.function.Supplier<java.util.Map<String, Object>> more) {
        this.version = version;
        this.upstream = upstream;
        this.mode = mode;
        this.more = more;
    }

    public int connectedClients() {
        return connectedClients.get();
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
                + moreFields();
    }

    private String moreFields() {
        if (more == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        more.get().forEach((name, value) -> {
            if (value != null && !(value instanceof java.util.Map) && !(value instanceof java.util.List)) {
                sb.append("kvfallback_").append(name).append(':')
                        .append(String.valueOf(value).replace('\r', ' ').replace('\n', ' ')).append("\r\n");
            }
        });
        return sb.toString();
    }
}
