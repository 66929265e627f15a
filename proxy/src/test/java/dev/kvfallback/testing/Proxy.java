package dev.kvfallback.testing;

import dev.kvfallback.KvFallback;
import dev.kvfallback.config.ConfigLoader;
import dev.kvfallback.config.ProxyConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts kvfallback in-process on a free loopback port, configured by command-line flags. */
public final class Proxy {

    private Proxy() {
    }

    public static KvFallback start(String redisUrl, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--redis-url", redisUrl,
                "--admin-listen", "127.0.0.1:0", "--io-threads", "2"));
        args.addAll(List.of(flags));
        ProxyConfig config = ConfigLoader.load(args, Map.of());
        return KvFallback.start(config);
    }
}
