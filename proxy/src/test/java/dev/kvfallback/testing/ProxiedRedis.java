package dev.kvfallback.testing;

import dev.kvfallback.KvFallback;

/** A real redis-server and a kvfallback in front of it, started and stopped together. */
public record ProxiedRedis(RedisServer redis, KvFallback proxy) implements AutoCloseable {

    /** A redis-server with {@code redisArgs}, reached by the proxy at {@code url} (%d: its port). */
    public static ProxiedRedis start(String[] redisArgs, String url, String... proxyFlags) throws Exception {
        RedisServer redis = RedisServer.start(redisArgs);
        return new ProxiedRedis(redis, startProxy(redis, String.format(url, redis.port()), proxyFlags));
    }

    private static KvFallback startProxy(RedisServer redis, String url, String... flags) throws Exception {
        try {
            return Proxy.start(url, flags);
        } catch (Exception | Error e) {
            redis.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.close();
        } finally {
            redis.close();
        }
    }
}
