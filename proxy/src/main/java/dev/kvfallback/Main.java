package dev.kvfallback;

import dev.kvfallback.config.ConfigLoader;
import dev.kvfallback.config.ProxyConfig;
import dev.kvfallback.config.Secrets;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/** The command line: {@code java -jar kvfallback.jar [--config FILE] [options]}. */
public final class Main {

    /** The system property logback.xml reads to choose its encoder: {@code text} or {@code json}. */
    public static final String LOG_FORMAT_PROPERTY = "kvfallback.log.format";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = Arrays.asList(args);
        if (argv.contains("--help") || argv.contains("-h")) {
            System.out.print(ConfigLoader.help());
            return;
        }
        if (argv.contains("--version")) {
            System.out.println("kvfallback " + version());
            return;
        }
        chooseLogFormat(argv);
        ProxyConfig config;
        try {
            config = ConfigLoader.load(argv, System.getenv());
        } catch (ConfigLoader.ConfigException e) {
            for (String line : e.getMessage().split("\n")) {
                System.err.println("kvfallback: " + line);
            }
            System.exit(2);
            return;
        }
        KvFallback proxy;
        try {
            proxy = KvFallback.start(config);
        } catch (Exception e) {
            System.err.println("kvfallback: cannot start: " + Secrets.of(config).redact(e.getMessage()));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            stopped.countDown();
        }, "kvfallback-shutdown"));
        stopped.await();
    }

    /**
     * Logback configures itself on the first logger use (parsing a MongoDB URI is one), so the format
     * must be in place before {@link ConfigLoader#load}. A {@code -Dkvfallback.log.format} given to
     * the JVM wins; a value other than text or json is left for load to report.
     */
    private static void chooseLogFormat(List<String> argv) {
        String format = ConfigLoader.earlyValue("log-format", argv, System.getenv()).trim().toLowerCase(Locale.ROOT);
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null && ConfigLoader.LOG_FORMATS.contains(format)) {
            System.setProperty(LOG_FORMAT_PROPERTY, format);
        }
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
