package dev.kvfallback.testing;

import dev.kvfallback.KvFallback;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server with kvfallback in front, for a whole test class:
 * {@code @RegisterExtension static final ProxiedRedisExtension STACK = ProxiedRedisExtension.plain();}
 */
public final class ProxiedRedisExtension implements BeforeAllCallback, AfterAllCallback {

    private final String[] redisArgs;
    private final String url;
    private final String[] proxyFlags;
    private ProxiedRedis stack;

    private ProxiedRedisExtension(String[] redisArgs, String url, String[] proxyFlags) {
        this.redisArgs = redisArgs;
        this.url = url;
        this.proxyFlags = proxyFlags;
    }

    /** A plain redis-server and a proxy with default settings. */
    public static ProxiedRedisExtension plain() {
        return new ProxiedRedisExtension(new String[0], "redis://127.0.0.1:%d", new String[0]);
    }

    /** A redis-server with {@code redisArgs}, reached by the proxy at {@code url} (%d: its port). */
    public static ProxiedRedisExtension with(String[] redisArgs, String url, String... proxyFlags) {
        return new ProxiedRedisExtension(redisArgs, url, proxyFlags);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        stack = ProxiedRedis.start(redisArgs, url, proxyFlags);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    public RedisServer redis() {
        return stack.redis();
    }

    public KvFallback proxy() {
        return stack.proxy();
    }
}
