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
 * @param maxBulkLength  the largest bulk string a client may send (Redis proto-max-bulk-len)
 * @param databases      how many dbs SELECT accepts
 * @param ioThreads      event loop threads (0: one per core)
 * @param forceFallback  serve every command from MongoDB and never touch Redis ({@code --mode fallback})
 * @param tee            the backup tee's settings
 * @param failover       the latency budget, the probes and the write-back
 */
public record ProxyConfig(HostPort listen, String redisUrl, Path redisCaCert, String mongodbUri, String mongodbDb,
                          boolean mongodbExclusive,
                          Path dataDir, HostPort adminListen, String adminKey, String requirePass,
                          long maxBulkLength, int databases, int ioThreads,
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
}
