package dev.kvfallback.config;

import java.nio.file.Path;

/**
 * The proxy's whole configuration, immutable once loaded (see {@link ConfigLoader} for where each
 * value comes from).
 *
 * @param listen         where clients connect
 * @param redisUrl       the upstream Redis URL (secrets included: never log it, see RedisUrls.redact)
 * @param redisCaCert    PEM CA certificates to trust for {@code rediss://}, or null for the JDK's
 * @param mongodbUri     MongoDB URI, or null for the embedded store
 * @param mongodbDb      MongoDB database name
 * @param mongodbExclusive whether this proxy is the only writer of that database
 * @param dataDir        where the embedded store keeps its files
 * @param adminListen    the admin HTTP endpoint
 * @param adminKey       the admin key, or null (admin writes refused)
 * @param requirePass    the password clients must AUTH with, or null
 * @param users          named users (the config file's {@code users}), empty for none
 * @param metricsRequireKey whether {@code GET /metrics} needs the admin key too
 * @param clients        what one client may send, hold and cost
 * @param tls            TLS on the client port, or null for plain TCP
 * @param databases      how many dbs SELECT accepts
 * @param ioThreads      event loop threads (0: one per core)
 * @param forceFallback  serve every command from MongoDB and never touch Redis ({@code --mode fallback})
 * @param tee            the backup tee's settings
 * @param failover       the latency budget, the probes and the write-back
 */
public record ProxyConfig(HostPort listen, String redisUrl, Path redisCaCert, String mongodbUri, String mongodbDb,
                          boolean mongodbExclusive,
                          Path dataDir, HostPort adminListen, String adminKey, String requirePass,
                          java.util.List<dev.kvfallback.config.UserAccount> users, boolean metricsRequireKey,
                          ClientLimits clients, TlsConfig tls, int databases, int ioThreads,
                          boolean forceFallback, TeeConfig tee, FailoverConfig failover) {

    /**
     * @param enabled  whether acknowledged writes are copied to MongoDB
     * @param backlog  effects held in memory at most
     * @param copyRate keys a second re-copied or backfilled from Redis
     * @param backfillAtStart whether to copy every key of Redis at start
     */
    public record TeeConfig(boolean enabled, int backlog, int copyRate, boolean backfillAtStart) {
    }

    /**
     * @param commandTimeout  a command on Redis longer than this is served from MongoDB instead
     * @param probeInterval   how often Redis is probed while it answers, in fallback
     * @param probeBackoffMax the longest wait between probes while it does not
     * @param probeSuccesses  probes answered in a row before the write-back starts
     * @param replayRate      keys a second written back to Redis
     * @param rehydrate       whether a Redis that comes back empty gets every key MongoDB holds
     */
    public record FailoverConfig(java.time.Duration commandTimeout, java.time.Duration probeInterval,
                                 java.time.Duration probeBackoffMax, int probeSuccesses, int replayRate,
                                 boolean rehydrate) {
    }

    /**
     * Redis's client limits.
     *
     * @param maxClients          connections at once ({@code maxclients}); past it a client gets
     *                            {@code ERR max number of clients reached} and is closed
     * @param idleTimeout         a client idle this long is closed ({@code timeout}); zero: never
     * @param maxBulkLength       largest bulk string a request may carry ({@code proto-max-bulk-len})
     * @param maxMultibulkLength  most arguments a request may carry
     * @param maxInlineLength     longest inline request or count line ({@code PROTO_INLINE_MAX_SIZE})
     * @param queryBufferLimit    most bytes of one request ({@code client-query-buffer-limit})
     * @param maxPipeline         requests read but not yet answered per client; past it reading pauses
     * @param maxMemoryClients    bytes all clients' requests read and not yet answered may hold; past it
     *                            reading pauses ({@code maxmemory-clients}); 0: no limit
     * @param normalOutput        output buffer limit of ordinary clients
     * @param pubsubOutput        output buffer limit of subscribed clients
     */
    public record ClientLimits(int maxClients, java.time.Duration idleTimeout, int maxBulkLength,
                               int maxMultibulkLength, int maxInlineLength, long queryBufferLimit, int maxPipeline,
                               long maxMemoryClients, OutputLimit normalOutput, OutputLimit pubsubOutput) {
    }

    /**
     * One class of {@code client-output-buffer-limit}: a client with more than {@code hard} bytes of
     * replies unsent, or more than {@code soft} for {@code softSeconds} in a row, is disconnected.
     * Zero disables a limit.
     */
    public record OutputLimit(long hard, long soft, int softSeconds) {
        public static final OutputLimit NONE = new OutputLimit(0, 0, 0);
    }

    /**
     * TLS on the client port.
     *
     * @param certFile     PEM certificate chain
     * @param keyFile      PEM private key (PKCS#8)
     * @param caCertFile   PEM CA certificates client certificates must chain to, or null
     * @param authClients  {@code no}, {@code optional} or {@code yes}: whether a client certificate is required
     */
    public record TlsConfig(Path certFile, Path keyFile, Path caCertFile, String authClients) {
    }
}
