package dev.kvfallback.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads {@link ProxyConfig}: flags override environment variables, which override the YAML file
 * ({@code --config FILE}), which overrides the defaults. Every mistake is collected and reported
 * together, each in one line, by a {@link ConfigException}.
 */
public final class ConfigLoader {

    /** One setting: its flag, environment variable(s), YAML key, default and help text. */
    public record Option(String flag, List<String> env, String key, String defaultValue, String help) {
    }

    public static final List<Option> OPTIONS = List.of(
            new Option("--listen", List.of("KVFALLBACK_LISTEN"), "listen", "127.0.0.1:6380",
                    "address clients connect to"),
            new Option("--redis-url", List.of("REDIS_URL", "KV_URL"), "redis-url", "redis://127.0.0.1:6379",
                    "upstream Redis: redis:// or rediss://, user:password@, /db"),
            new Option("--redis-ca-cert", List.of("KVFALLBACK_REDIS_CA_CERT"), "redis-ca-cert", null,
                    "PEM file of CA certificates to trust for rediss:// (default: the JDK's)"),
            new Option("--mongodb-uri", List.of("MONGODB_URI"), "mongodb-uri", null,
                    "MongoDB URI (default: the embedded store in --data-dir)"),
            new Option("--mongodb-db", List.of("MONGODB_DB_NAME"), "mongodb-db", "kvfallback", "MongoDB database name"),
            new Option("--mongodb-exclusive", List.of("KVFALLBACK_MONGODB_EXCLUSIVE"), "mongodb-exclusive", "auto",
                    "yes: this proxy is the only writer of its MongoDB database (faster: a write-through cache, "
                            + "lighter write guards); auto: yes for the embedded store, no for --mongodb-uri"),
            new Option("--data-dir", List.of("KVFALLBACK_DATA_DIR"), "data-dir", "./data", "data directory"),
            new Option("--admin-listen", List.of("KVFALLBACK_ADMIN_LISTEN"), "admin-listen", "127.0.0.1:9380",
                    "admin HTTP address"),
            new Option("--admin-key", List.of("KVFALLBACK_ADMIN_KEY"), "admin-key", null,
                    "admin key (default: admin writes refused)"),
            new Option("--requirepass", List.of("KVFALLBACK_REQUIREPASS"), "requirepass", null,
                    "password clients must AUTH with (default: none)"),
            new Option("--metrics-require-key", List.of("KVFALLBACK_METRICS_REQUIRE_KEY"), "metrics-require-key", "no",
                    "yes: GET /metrics needs the admin key too (x-admin-key or Authorization: Bearer)"),
            new Option("--tls-cert-file", List.of("KVFALLBACK_TLS_CERT_FILE"), "tls-cert-file", null,
                    "PEM certificate chain: with tls-key-file, clients must connect with TLS"),
            new Option("--tls-key-file", List.of("KVFALLBACK_TLS_KEY_FILE"), "tls-key-file", null,
                    "PEM private key (PKCS#8) of tls-cert-file"),
            new Option("--tls-ca-cert-file", List.of("KVFALLBACK_TLS_CA_CERT_FILE"), "tls-ca-cert-file", null,
                    "PEM CA certificates that client certificates must chain to"),
            new Option("--tls-auth-clients", List.of("KVFALLBACK_TLS_AUTH_CLIENTS"), "tls-auth-clients", "no",
                    "no, optional or yes: whether clients must present a certificate (needs tls-ca-cert-file)"),
            new Option("--maxclients", List.of("KVFALLBACK_MAXCLIENTS"), "maxclients", "10000",
                    "clients connected at once; past it: ERR max number of clients reached"),
            new Option("--timeout", List.of("KVFALLBACK_TIMEOUT"), "timeout", "0",
                    "close a client idle this many seconds (0: never; subscribers and blocked clients are spared)"),
            new Option("--proto-max-bulk-len", List.of("KVFALLBACK_PROTO_MAX_BULK_LEN"), "proto-max-bulk-len",
                    "512mb", "largest bulk string a client may send (bytes, or 64kb, 512mb, 1gb)"),
            new Option("--proto-max-multibulk-len", List.of("KVFALLBACK_PROTO_MAX_MULTIBULK_LEN"),
                    "proto-max-multibulk-len", "2147483647", "most arguments one request may carry"),
            new Option("--proto-inline-max-size", List.of("KVFALLBACK_PROTO_INLINE_MAX_SIZE"), "proto-inline-max-size",
                    "64kb", "longest inline request, or count line, a client may send"),
            new Option("--client-query-buffer-limit", List.of("KVFALLBACK_CLIENT_QUERY_BUFFER_LIMIT"),
                    "client-query-buffer-limit", "auto", "most bytes one request may take; past it the client is closed "
                            + "(auto: Redis's 1gb, or an eighth of the JVM's heap if that is less)"),
            new Option("--client-output-buffer-limit", List.of("KVFALLBACK_CLIENT_OUTPUT_BUFFER_LIMIT"),
                    "client-output-buffer-limit", "normal 1gb 256mb 60 pubsub 32mb 8mb 60",
                    "per class (normal, pubsub): hard limit, soft limit, soft seconds of unsent replies; past it "
                            + "the client is closed"),
            new Option("--maxmemory-clients", List.of("KVFALLBACK_MAXMEMORY_CLIENTS"), "maxmemory-clients", "auto",
                    "bytes all clients' requests read and not yet answered may hold together; past it the proxy "
                            + "stops reading clients until some are answered (auto: half the JVM's heap; 0: no limit)"),
            new Option("--max-pipeline", List.of("KVFALLBACK_MAX_PIPELINE"), "max-pipeline", "4096",
                    "requests a client may have sent but not yet been answered; past it the proxy stops reading it"),
            new Option("--databases", List.of("KVFALLBACK_DATABASES"), "databases", "16",
                    "number of databases SELECT accepts"),
            new Option("--mode", List.of("KVFALLBACK_MODE"), "mode", "auto",
                    "auto: serve from Redis; fallback: serve every command from MongoDB, not touching Redis"),
            new Option("--tee", List.of("KVFALLBACK_TEE"), "tee", "on",
                    "on: copy every write Redis acknowledges to MongoDB in the background; off: do not"),
            new Option("--tee-backlog", List.of("KVFALLBACK_TEE_BACKLOG"), "tee-backlog", "100000",
                    "writes the tee holds in memory for MongoDB; past it their keys are re-copied from Redis"),
            new Option("--copy-rate", List.of("KVFALLBACK_COPY_RATE"), "copy-rate", "5000",
                    "keys a second the tee may re-copy or backfill from Redis (each costs Redis 2-3 reads)"),
            new Option("--backfill", List.of("KVFALLBACK_BACKFILL"), "backfill", "no",
                    "yes: at start, copy every key Redis holds into MongoDB (also POST /api/admin/backfill)"),
            new Option("--command-timeout", List.of("KVFALLBACK_COMMAND_TIMEOUT"), "command-timeout", "3s",
                    "latency budget of a command on Redis (ms, s or m); past it the command is served from MongoDB "
                            + "(a ?timeout= in the redis-url wins)"),
            new Option("--probe-interval", List.of("KVFALLBACK_PROBE_INTERVAL"), "probe-interval", "1s",
                    "while serving from MongoDB, how often Redis is probed (PING) while it answers"),
            new Option("--probe-backoff-max", List.of("KVFALLBACK_PROBE_BACKOFF_MAX"), "probe-backoff-max", "30s",
                    "the longest wait between probes while Redis fails (straight to it after a rate-limit reply)"),
            new Option("--probe-successes", List.of("KVFALLBACK_PROBE_SUCCESSES"), "probe-successes", "3",
                    "probes answered in a row before writing back to Redis"),
            new Option("--replay-rate", List.of("KVFALLBACK_REPLAY_RATE"), "replay-rate", "50000",
                    "keys a second written back to Redis on recovery"),
            new Option("--rehydrate", List.of("KVFALLBACK_REHYDRATE"), "rehydrate", "yes",
                    "yes: a Redis that comes back empty after an outage gets every key MongoDB holds"),
            new Option("--io-threads", List.of("KVFALLBACK_IO_THREADS"), "io-threads", "0",
                    "event loop threads (0: one per core)"),
            new Option("--log-format", List.of("KVFALLBACK_LOG_FORMAT"), "log-format", "text",
                    "text: one line per event; json: one JSON object per line (for log collectors)"));

    /** The config file's list of named users; only the file can give it (passwords stay off command lines). */
    public static final String USERS = "users";

    /** The values {@code log-format} accepts. */
    public static final List<String> LOG_FORMATS = List.of("text", "json");

    private ConfigLoader() {
    }

    /** Thrown for an invalid configuration; its message lists every problem, one per line. */
    public static final class ConfigException extends Exception {
        public ConfigException(List<String> problems) {
            super(String.join("\n", problems));
        }
    }

    public static ProxyConfig load(List<String> args, Map<String, String> env) throws ConfigException {
        List<String> problems = new ArrayList<>();
        Map<String, String> flags = new LinkedHashMap<>();
        String configFile = parseArgs(args, flags, problems);
        Map<String, Object> file = configFile == null ? Map.of() : readYaml(Path.of(configFile), problems);
        for (String key : file.keySet()) {
            if (!key.equals(USERS) && OPTIONS.stream().noneMatch(o -> o.key.equals(key))) {
                problems.add("unknown setting '" + key + "' in " + configFile);
            }
        }
        Map<String, String> v = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            v.put(o.key, resolve(o, flags, env, file));
        }
        HostPort listen = hostPort("listen", v.get("listen"), problems);
        HostPort admin = hostPort("admin-listen", v.get("admin-listen"), problems);
        String redisUrl = v.get("redis-url");
        String lower = redisUrl.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
            problems.add("redis-url must start with redis:// or rediss://");
        }
        for (String secret : List.of("requirepass", "admin-key")) {
            if (file.get(secret) != null && !(file.get(secret) instanceof String)) {
                // YAML reads 0123 as 83 and yes as true: a secret must reach us as written.
                problems.add(secret + " in " + configFile + " must be a quoted string");
            }
        }
        List<UserAccount> users = users(file.get(USERS), problems);
        Boolean metricsKey = yesNo("metrics-require-key", v.get("metrics-require-key"), problems);
        if (metricsKey && v.get("admin-key") == null) {
            problems.add("metrics-require-key needs admin-key");
        }
        ProxyConfig.TlsConfig tls = tls(v, problems);
        ProxyConfig.ClientLimits clients = clientLimits(v, problems);
        long databases = number("databases", v.get("databases"), 1, Integer.MAX_VALUE, problems);
        long ioThreads = number("io-threads", v.get("io-threads"), 0, 1024, problems);
        String mode = v.get("mode").trim().toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("fallback")) {
            problems.add("mode must be auto or fallback, got '" + v.get("mode") + "'");
        }
        String mongodbUri = v.get("mongodb-uri");
        if (mongodbUri != null && !validMongoUri(mongodbUri)) {
            // Never echo the URI: it may carry a password.
            problems.add("mongodb-uri is not a valid mongodb:// or mongodb+srv:// URI");
        }
        String exclusive = v.get("mongodb-exclusive").trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "yes", "no").contains(exclusive)) {
            problems.add("mongodb-exclusive must be auto, yes or no, got '" + v.get("mongodb-exclusive") + "'");
        }
        Boolean tee = yesNo("tee", v.get("tee"), problems);
        Boolean backfill = yesNo("backfill", v.get("backfill"), problems);
        long teeBacklog = number("tee-backlog", v.get("tee-backlog"), 1, 100_000_000, problems);
        long copyRate = number("copy-rate", v.get("copy-rate"), 1, 1_000_000, problems);
        Duration commandTimeout = duration("command-timeout", v.get("command-timeout"), problems);
        Duration probeInterval = duration("probe-interval", v.get("probe-interval"), problems);
        Duration probeMax = duration("probe-backoff-max", v.get("probe-backoff-max"), problems);
        if (probeMax.compareTo(probeInterval) < 0) {
            problems.add("probe-backoff-max must not be shorter than probe-interval");
        }
        long probeSuccesses = number("probe-successes", v.get("probe-successes"), 1, 1000, problems);
        long replayRate = number("replay-rate", v.get("replay-rate"), 1, 10_000_000, problems);
        Boolean rehydrate = yesNo("rehydrate", v.get("rehydrate"), problems);
        String logFormat = v.get("log-format").trim().toLowerCase(java.util.Locale.ROOT);
        if (!LOG_FORMATS.contains(logFormat)) {
            problems.add("log-format must be text or json, got '" + v.get("log-format") + "'");
        }
        Path ca = v.get("redis-ca-cert") == null ? null : Path.of(v.get("redis-ca-cert"));
        if (ca != null && !Files.isReadable(ca)) {
            problems.add("redis-ca-cert " + ca + " is not a readable file");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        boolean mongodbExclusive = exclusive.equals("auto") ? v.get("mongodb-uri") == null : exclusive.equals("yes");
        return new ProxyConfig(listen, redisUrl, ca, v.get("mongodb-uri"), v.get("mongodb-db"), mongodbExclusive,
                Path.of(v.get("data-dir")), admin, v.get("admin-key"), v.get("requirepass"), users, metricsKey,
                clients, tls, (int) databases, (int) ioThreads, mode.equals("fallback"),
                new ProxyConfig.TeeConfig(tee, (int) teeBacklog, (int) copyRate, backfill),
                new ProxyConfig.FailoverConfig(commandTimeout, probeInterval, probeMax, (int) probeSuccesses,
                        (int) replayRate, rehydrate));
    }

    /**
     * One setting's value, resolved like {@link #load} does (flag, environment, {@code --config} file,
     * default) but unchecked and without logging anything: for what must be known before logging starts,
     * such as {@code log-format}. A broken command line or file yields what could be read; {@link #load}
     * reports the mistakes afterwards.
     */
    public static String earlyValue(String key, List<String> args, Map<String, String> env) {
        Option option = OPTIONS.stream().filter(o -> o.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting " + key));
        List<String> ignored = new ArrayList<>();
        Map<String, String> flags = new LinkedHashMap<>();
        String configFile = parseArgs(args, flags, ignored);
        Map<String, Object> file = configFile == null ? Map.of() : readYaml(Path.of(configFile), ignored);
        return resolve(option, flags, env, file);
    }

    /** Collects {@code --flag value} and {@code --flag=value} pairs into flags; returns the --config file or null. */
    private static String parseArgs(List<String> args, Map<String, String> flags, List<String> problems) {
        String configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value = null;
            int eq = arg.indexOf('=');
            String flag = eq > 0 ? arg.substring(0, eq) : arg;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            }
            if (value == null) {
                problems.add(flag + " needs a value");
                continue;
            }
            if (flag.equals("--config")) {
                configFile = value;
            } else if (find(flag) == null) {
                problems.add("unknown option " + flag + " (see --help)");
            } else {
                flags.put(flag, value);
            }
        }
        return configFile;
    }

    /** A flag beats the environment, which beats the file, which beats the default. */
    private static String resolve(Option o, Map<String, String> flags, Map<String, String> env, Map<String, Object> file) {
        String value = flags.get(o.flag);
        if (value == null) {
            value = o.env.stream().map(env::get).filter(s -> s != null && !s.isEmpty()).findFirst().orElse(null);
        }
        if (value == null && file.get(o.key) != null) {
            value = String.valueOf(file.get(o.key));
        }
        return value == null ? o.defaultValue : value;
    }

    /** The {@code --help} text: every flag with its environment variable and default. */
    public static String help() {
        StringBuilder sb = new StringBuilder("Usage: java -jar kvfallback.jar [--config FILE] [options]\n\n");
        sb.append("Flags override environment variables, which override the config file, which overrides defaults.\n\n");
        for (Option o : OPTIONS) {
            sb.append(String.format("  %-22s %-40s %s%n", o.flag + " VALUE", String.join(", else ", o.env),
                    o.defaultValue == null ? "(unset)" : o.defaultValue));
            sb.append(String.format("  %-22s %s%n", "", o.help));
        }
        sb.append("  --help, --version\n");
        return sb.toString();
    }

    private static Option find(String flag) {
        return OPTIONS.stream().filter(o -> o.flag.equals(flag)).findFirst().orElse(null);
    }

    private static Map<String, Object> readYaml(Path path, List<String> problems) {
        try (Reader reader = Files.newBufferedReader(path)) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (loaded == null) {
                return Map.of();
            }
            if (loaded instanceof Map<?, ?> map) {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, val) -> out.put(String.valueOf(k), val));
                return out;
            }
            problems.add("config file " + path + " is not a YAML mapping");
        } catch (IOException e) {
            problems.add("cannot read config file " + path + ": " + e.getMessage());
        } catch (RuntimeException e) {
            problems.add("config file " + path + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return Map.of();
    }

    /**
     * {@code users:} a list of {name, password or password-sha256, access}. A name is what
     * {@code AUTH name password} gives: printable, no spaces. access defaults to read-write.
     */
    private static List<UserAccount> users(Object value, List<String> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add("users must be a list of {name, password or password-sha256, access}");
            return List.of();
        }
        List<UserAccount> users = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> entry)) {
                problems.add("users: each user is a mapping {name, password or password-sha256, access}");
                continue;
            }
            for (Object k : entry.keySet()) {
                if (!List.of("name", "password", "password-sha256", "access").contains(String.valueOf(k))) {
                    problems.add("users: unknown field '" + k + "'");
                }
            }
            String name = entry.get("name") == null ? "" : String.valueOf(entry.get("name"));
            if (!name.matches("[!-~]{1,128}")) {
                problems.add("users: a name must be 1 to 128 printable characters without spaces, got '" + name + "'");
                continue;
            }
            Object accessName = entry.get("access");
            UserAccount.Access access = UserAccount.Access.parse(accessName == null ? "read-write" : String.valueOf(accessName));
            if (access == null) {
                problems.add("users: " + name + ": access must be all, read-write or read-only");
                continue;
            }
            Object password = entry.get("password");
            Object digest = entry.get("password-sha256");
            if ((password == null) == (digest == null)) {
                // Never echo a password, even a misplaced one.
                problems.add("users: " + name + ": give exactly one of password and password-sha256");
            } else if (password != null && !(password instanceof String)) {
                problems.add("users: " + name + ": password must be a quoted string (YAML reads 0123 as 83, yes as true)");
            } else if (password != null) {
                users.add(UserAccount.withPassword(name, String.valueOf(password), access));
            } else {
                try {
                    users.add(UserAccount.withDigest(name, String.valueOf(digest), access));
                } catch (IllegalArgumentException e) {
                    problems.add("users: " + name + ": password-sha256 must be 64 hex digits");
                }
            }
        }
        if (users.stream().map(UserAccount::name).distinct().count() < users.size()) {
            problems.add("users: a name appears twice");
        }
        return List.copyOf(users);
    }

    private static ProxyConfig.TlsConfig tls(Map<String, String> v, List<String> problems) {
        Path cert = readable("tls-cert-file", v.get("tls-cert-file"), problems);
        Path key = readable("tls-key-file", v.get("tls-key-file"), problems);
        Path ca = readable("tls-ca-cert-file", v.get("tls-ca-cert-file"), problems);
        // YAML 1.1 reads a bare no / yes as a boolean.
        String auth = v.get("tls-auth-clients").trim().toLowerCase(java.util.Locale.ROOT)
                .replace("false", "no").replace("true", "yes");
        if (!List.of("no", "optional", "yes").contains(auth)) {
            problems.add("tls-auth-clients must be no, optional or yes, got '" + v.get("tls-auth-clients") + "'");
        }
        if ((v.get("tls-cert-file") == null) != (v.get("tls-key-file") == null)) {
            problems.add("tls-cert-file and tls-key-file go together");
        }
        if (!auth.equals("no") && v.get("tls-ca-cert-file") == null) {
            problems.add("tls-auth-clients " + auth + " needs tls-ca-cert-file");
        }
        if (v.get("tls-cert-file") == null && (v.get("tls-ca-cert-file") != null || !auth.equals("no"))) {
            // Client certificates asked for on a port that would stay plain TCP: refuse, do not ignore.
            problems.add("tls-ca-cert-file and tls-auth-clients need tls-cert-file and tls-key-file");
        }
        return cert == null || key == null ? null : new ProxyConfig.TlsConfig(cert, key, ca, auth);
    }

    private static ProxyConfig.ClientLimits clientLimits(Map<String, String> v, List<String> problems) {
        long maxClients = number("maxclients", v.get("maxclients"), 1, 1_000_000, problems);
        long timeout = number("timeout", v.get("timeout"), 0, 365L * 24 * 3600, problems);
        long maxBulk = bytes("proto-max-bulk-len", v.get("proto-max-bulk-len"), 1,
                dev.kvfallback.protocol.RespLimits.MAX_ARRAY_SIZE, problems);
        long maxArgs = number("proto-max-multibulk-len", v.get("proto-max-multibulk-len"), 1, Integer.MAX_VALUE, problems);
        long inline = bytes("proto-inline-max-size", v.get("proto-inline-max-size"), 1024, 1L << 30, problems);
        long heap = Runtime.getRuntime().maxMemory();
        long query = bytesOrAuto("client-query-buffer-limit", v.get("client-query-buffer-limit"),
                Math.min(1L << 30, heap / 8), 1L << 20, Long.MAX_VALUE / 2, problems);
        long pipeline = number("max-pipeline", v.get("max-pipeline"), 1, 1_000_000, problems);
        long maxMemoryClients = bytesOrAuto("maxmemory-clients", v.get("maxmemory-clients"), heap / 2, 0,
                Long.MAX_VALUE / 2, problems);
        Map<String, ProxyConfig.OutputLimit> output = outputLimits(v.get("client-output-buffer-limit"), problems);
        return new ProxyConfig.ClientLimits((int) maxClients, Duration.ofSeconds(timeout), (int) maxBulk, (int) maxArgs,
                (int) inline, query, (int) pipeline, maxMemoryClients, output.get("normal"), output.get("pubsub"));
    }

    /**
     * Redis's {@code client-output-buffer-limit} syntax: {@code <class> <hard> <soft> <seconds>}
     * repeated, for the classes normal and pubsub; a class not named keeps its default.
     */
    static Map<String, ProxyConfig.OutputLimit> outputLimits(String value, List<String> problems) {
        Map<String, ProxyConfig.OutputLimit> limits = new LinkedHashMap<>(Map.of(
                "normal", new ProxyConfig.OutputLimit(1L << 30, 256L << 20, 60),
                "pubsub", new ProxyConfig.OutputLimit(32L << 20, 8L << 20, 60)));
        String[] words = value.trim().split("\\s+");
        if (words.length % 4 != 0) {
            problems.add("client-output-buffer-limit must be groups of <class> <hard> <soft> <seconds>, got '"
                    + value + "'");
            return limits;
        }
        for (int i = 0; i < words.length; i += 4) {
            String cls = words[i].toLowerCase(java.util.Locale.ROOT);
            if (!limits.containsKey(cls)) {
                problems.add("client-output-buffer-limit: the classes are normal and pubsub, got '" + words[i] + "'");
                continue;
            }
            String key = "client-output-buffer-limit " + cls;
            limits.put(cls, new ProxyConfig.OutputLimit(bytes(key, words[i + 1], 0, Long.MAX_VALUE / 2, problems),
                    bytes(key, words[i + 2], 0, Long.MAX_VALUE / 2, problems),
                    (int) number(key, words[i + 3], 0, 365L * 24 * 3600, problems)));
        }
        return limits;
    }

    private static Path readable(String key, String value, List<String> problems) {
        if (value == null) {
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            problems.add(key + " " + path + " is not a readable file");
        }
        return path;
    }

    /** {@link #bytes}, or {@code auto} for the value the heap allows. */
    private static long bytesOrAuto(String key, String value, long auto, long min, long max, List<String> problems) {
        return value.trim().equalsIgnoreCase("auto") ? auto : bytes(key, value, min, max, problems);
    }

    /**
     * A size as Redis writes one: a number of bytes, or with a unit, {@code k}/{@code m}/{@code g}
     * for powers of 1000 and {@code kb}/{@code mb}/{@code gb} for powers of 1024.
     */
    static long bytes(String key, String value, long min, long max, List<String> problems) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,18})\\s*(b|k|kb|m|mb|g|gb)?\\s*")
                .matcher(value.toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            problems.add(key + " must be a size such as 1048576, 64kb, 512mb or 1gb, got '" + value + "'");
            return min;
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "k" -> 1000L;
            case "kb" -> 1024L;
            case "m" -> 1000L * 1000;
            case "mb" -> 1024L * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        long n = Long.parseLong(m.group(1));
        if (n > max / unit || n * unit < min || n * unit > max) {
            problems.add(key + " must be between " + min + " and " + max + " bytes, got " + value);
            return min;
        }
        return n * unit;
    }

    private static boolean validMongoUri(String uri) {
        try {
            new com.mongodb.ConnectionString(uri);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static HostPort hostPort(String key, String value, List<String> problems) {
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
            return null;
        }
    }

    /** on/yes/true or off/no/false. */
    private static Boolean yesNo(String key, String value, List<String> problems) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (List.of("on", "yes", "true").contains(v)) {
            return true;
        }
        if (List.of("off", "no", "false").contains(v)) {
            return false;
        }
        problems.add(key + " must be on or off, got '" + value + "'");
        return false;
    }

    /** {@code 500ms}, {@code 3s}, {@code 2m}: a positive duration of at most a day. */
    private static Duration duration(String key, String value, List<String> problems) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s|m)\\s*")
                .matcher(value.toLowerCase(java.util.Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (!d.isZero() && d.compareTo(Duration.ofDays(1)) <= 0) {
                return d;
            }
        }
        problems.add(key + " must be a duration such as 500ms, 3s or 2m (at most a day), got '" + value + "'");
        return Duration.ofSeconds(1);
    }

    private static long number(String key, String value, long min, long max, List<String> problems) {
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                problems.add(key + " must be between " + min + " and " + max + ", got " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(key + " must be a number, got '" + value + "'");
            return min;
        }
    }
}
