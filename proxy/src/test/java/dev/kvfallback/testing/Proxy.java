package dev.kvfallback.testing;

import dev.kvfallback.KvFallback;
import dev.kvfallback.config.ConfigLoader;
import dev.kvfallback.config.ProxyConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts kvfallback in-process on a free loopback port, configured by command-line flags; its data
 * directory is a fresh temporary one unless the flags name one.
 */
public final class Proxy {

    private Proxy() {
    }

    /** A fresh directory, removed with its files when the test JVM exits. */
    private static Path temporaryDataDir() throws IOException {
        Path dir = Files.createTempDirectory("kvfallback-test");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // Best effort: it is a temporary directory.
            }
        }));
        return dir;
    }

    public static KvFallback start(String redisUrl, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--redis-url", redisUrl,
                "--admin-listen", "127.0.0.1:0", "--io-threads", "2"));
        if (!List.of(flags).contains("--data-dir")) {
            args.addAll(List.of("--data-dir", temporaryDataDir().toString()));
        }
        args.addAll(List.of(flags));
        ProxyConfig config = ConfigLoader.load(args, Map.of());
        return KvFallback.start(config);
    }
}
