package dev.kvfallback.config;

import dev.kvfallback.upstream.RedisUrls;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @Test
    void defaultsMatchTheInterfaceContract() throws Exception {
        ProxyConfig c = ConfigLoader.load(List.of(), Map.of());
        assertEquals(new HostPort("127.0.0.1", 6380), c.listen());
        assertEquals("redis://127.0.0.1:6379", c.redisUrl());
        assertEquals(null, c.mongodbUri());
        assertEquals("kvfallback", c.mongodbDb());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(new HostPort("127.0.0.1", 9380), c.adminListen());
        assertEquals(null, c.adminKey());
        assertEquals(null, c.requirePass());
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
        Path file = Files.createTempFile("kvf", ".yaml");
        Files.writeString(file, "listen: 127.0.0.1:7001\nredis-url: redis://file:1\nmongodb-db: fromfile\ndatabases: 4\n");
        Map<String, String> env = Map.of("REDIS_URL", "redis://env:2", "MONGODB_DB_NAME", "fromenv",
                "KV_URL", "redis://kv:3");
        ProxyConfig c = ConfigLoader.load(List.of("--config", file.toString(), "--mongodb-db", "fromflag"), env);
        assertEquals(7001, c.listen().port());
        assertEquals("redis://env:2", c.redisUrl());
        assertEquals("fromflag", c.mongodbDb());
        assertEquals(4, c.databases());
    }

    @Test
    void kvUrlIsUsedWhenRedisUrlIsUnset() throws Exception {
        ProxyConfig c = ConfigLoader.load(List.of(), Map.of("KV_URL", "rediss://default:tok@x.upstash.io:6379"));
        assertEquals("rediss://default:tok@x.upstash.io:6379", c.redisUrl());
    }

    @Test
    void theFallbackSettingsDefaultByTheStoreInUse() throws Exception {
        ProxyConfig embedded = ConfigLoader.load(List.of(), Map.of());
        assertTrue(embedded.mongodbExclusive(), "the embedded store has one writer: this proxy");
        assertTrue(!embedded.forceFallback());
        ProxyConfig shared = ConfigLoader.load(List.of("--mode", "fallback"), Map.of("MONGODB_URI", "mongodb://m:27017"));
        assertTrue(!shared.mongodbExclusive(), "a MongoDB server may have other writers");
        assertTrue(shared.forceFallback());
        assertTrue(ConfigLoader.load(List.of("--mongodb-exclusive", "yes"), Map.of("MONGODB_URI", "mongodb://m"))
                .mongodbExclusive());
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--mode", "mongo", "--mongodb-exclusive", "maybe", "--mongodb-uri", "http://u:secret@h"),
                Map.of()));
        assertEquals(3, e.getMessage().split("\n").length, e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void everyMistakeIsReportedOnItsOwnLine() {
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--listen", "nonsense", "--redis-url", "http://x", "--databases", "zero", "--bogus", "1"),
                Map.of()));
        String[] lines = e.getMessage().split("\n");
        assertEquals(4, lines.length, e.getMessage());
        assertTrue(e.getMessage().contains("unknown option --bogus"));
        assertTrue(e.getMessage().contains("redis-url must start with redis:// or rediss://"));
    }

    @Test
    void urlsAreRedacted() {
        assertEquals("rediss://default:***@x.upstash.io:6379", RedisUrls.redact("rediss://default:tok@x.upstash.io:6379"));
        assertEquals("redis://:***@h:1/2", RedisUrls.redact("redis://:pw@h:1/2"));
        assertEquals("redis://:***@h:1", RedisUrls.redact("redis://secret@h:1"));
        assertEquals("redis://h:1", RedisUrls.redact("redis://h:1"));
    }

    @Test
    void theTeeIsOnByDefaultAndItsSettingsAreChecked() throws Exception {
        ProxyConfig defaults = ConfigLoader.load(List.of(), Map.of());
        assertEquals(new ProxyConfig.TeeConfig(true, 100_000, 5_000, false), defaults.tee());
        ProxyConfig set = ConfigLoader.load(List.of("--tee", "off", "--tee-backlog", "10", "--copy-rate", "7"),
                Map.of("KVFALLBACK_BACKFILL", "yes"));
        assertEquals(new ProxyConfig.TeeConfig(false, 10, 7, true), set.tee());
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--tee", "sometimes", "--tee-backlog", "0", "--copy-rate", "x"), Map.of()));
        assertEquals(List.of("tee must be on or off, got 'sometimes'",
                "tee-backlog must be between 1 and 100000000, got 0",
                "copy-rate must be a number, got 'x'"), List.of(e.getMessage().split("\n")));
    }

    @Test
    void failoverSettingsHaveDefaultsAndAreChecked() throws Exception {
        ProxyConfig defaults = ConfigLoader.load(List.of(), Map.of());
        assertEquals(new ProxyConfig.FailoverConfig(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(30), 3, 50_000, true), defaults.failover());
        ProxyConfig set = ConfigLoader.load(List.of("--command-timeout", "750ms", "--probe-interval", "2s",
                "--probe-successes", "5", "--rehydrate", "no"), Map.of("KVFALLBACK_PROBE_BACKOFF_MAX", "2m",
                "KVFALLBACK_REPLAY_RATE", "100"));
        assertEquals(new ProxyConfig.FailoverConfig(java.time.Duration.ofMillis(750), java.time.Duration.ofSeconds(2),
                java.time.Duration.ofMinutes(2), 5, 100, false), set.failover());
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--command-timeout", "soon", "--probe-interval", "0s", "--probe-backoff-max", "10ms",
                        "--probe-successes", "0"), Map.of()));
        assertEquals(List.of("command-timeout must be a duration such as 500ms, 3s or 2m (at most a day), got 'soon'",
                "probe-interval must be a duration such as 500ms, 3s or 2m (at most a day), got '0s'",
                "probe-backoff-max must not be shorter than probe-interval",
                "probe-successes must be between 1 and 1000, got 0"), List.of(e.getMessage().split("\n")));
    }

    /** Main reads log-format before logging starts, the way load does; load then checks it. */
    @Test
    void theLogFormatIsTextOrJsonAndKnownBeforeLoading() throws Exception {
        Path file = Files.createTempFile("kvf", ".yaml");
        Files.writeString(file, "log-format: json\n");
        assertEquals("text", ConfigLoader.earlyValue("log-format", List.of(), Map.of()));
        assertEquals("json", ConfigLoader.earlyValue("log-format", List.of("--config", file.toString()), Map.of()));
        assertEquals("text", ConfigLoader.earlyValue("log-format", List.of("--config", file.toString()),
                Map.of("KVFALLBACK_LOG_FORMAT", "text")));
        assertEquals("json", ConfigLoader.earlyValue("log-format", List.of("--log-format=json", "--bogus"),
                Map.of("KVFALLBACK_LOG_FORMAT", "text")), "a later mistake does not hide the flag");
        assertEquals("json", ConfigLoader.earlyValue("log-format", List.of("--config", "/no/such/file",
                "--log-format", "json"), Map.of()));
        ConfigLoader.load(List.of("--log-format", "JSON"), Map.of());
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class,
                () -> ConfigLoader.load(List.of(), Map.of("KVFALLBACK_LOG_FORMAT", "xml")));
        assertEquals("log-format must be text or json, got 'xml'", e.getMessage());
    }

    @Test
    void usersComeFromTheFileWithTheirAccessAndNoPasswordIsEverEchoed() throws Exception {
        Path file = Files.createTempFile("kvf", ".yaml");
        Files.writeString(file, """
                users:
                  - name: app
                    password: app-secret
                  - name: reports
                    password-sha256: 6c904c5190e8b45c2f0af062eefdb2f5b41ce3809b0e6b5bc50aafdd60b290d8
                    access: read-only
                """);
        ProxyConfig c = ConfigLoader.load(List.of("--config", file.toString()), Map.of());
        assertEquals(List.of("app", "reports"), c.users().stream().map(dev.kvfallback.config.UserAccount::name).toList());
        assertEquals(dev.kvfallback.config.UserAccount.Access.READ_WRITE, c.users().get(0).access());
        dev.kvfallback.command.Users users = new dev.kvfallback.command.Users(null, c.users());
        assertTrue(users.required(), "named users without requirepass disable the password-less default user");
        assertEquals("reports", users.authenticate("reports".getBytes(), "app-secret".getBytes()).name(),
                "the digest given is app-secret's");
        assertEquals(null, users.authenticate("app".getBytes(), "app-secre".getBytes()));
        assertEquals(null, users.authenticate(null, "app-secret".getBytes()), "no default user here");
        assertEquals(2, users.failures());

        Files.writeString(file, """
                users:
                  - name: has space
                    password: x
                  - name: bad
                    password: hunter2-secret
                    password-sha256: abc
                  - name: worse
                    access: everything
                    password: hunter2-secret
                  - name: odd
                    password-sha256: not-hex
                    colour: blue
                """);
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class,
                () -> ConfigLoader.load(List.of("--config", file.toString()), Map.of()));
        assertEquals(List.of(
                "users: a name must be 1 to 128 printable characters without spaces, got 'has space'",
                "users: bad: give exactly one of password and password-sha256",
                "users: worse: access must be all, read-write or read-only",
                "users: unknown field 'colour'",
                "users: odd: password-sha256 must be 64 hex digits"), List.of(e.getMessage().split("\n")));
        assertTrue(!e.getMessage().contains("hunter2"));
    }

    @Test
    void clientLimitsTakeRedisUnitsAndSyntax() throws Exception {
        ProxyConfig d = ConfigLoader.load(List.of(), Map.of());
        assertEquals(new ProxyConfig.ClientLimits(10000, java.time.Duration.ZERO, 512 << 20, Integer.MAX_VALUE,
                64 << 10, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8), 4096,
                Runtime.getRuntime().maxMemory() / 2, new ProxyConfig.OutputLimit(1L << 30, 256L << 20, 60),
                new ProxyConfig.OutputLimit(32L << 20, 8L << 20, 60)), d.clients());
        assertEquals(null, d.tls());
        ProxyConfig c = ConfigLoader.load(List.of("--proto-max-bulk-len", "1k", "--client-query-buffer-limit", "2MB",
                "--client-output-buffer-limit", "pubsub 0 0 0", "--timeout", "300"), Map.of());
        assertEquals(1000, c.clients().maxBulkLength());
        assertEquals(2L << 20, c.clients().queryBufferLimit());
        assertEquals(ProxyConfig.OutputLimit.NONE, c.clients().pubsubOutput());
        assertEquals(new ProxyConfig.OutputLimit(1L << 30, 256L << 20, 60), c.clients().normalOutput(),
                "a class not named keeps its default");
        assertEquals(java.time.Duration.ofMinutes(5), c.clients().idleTimeout());
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--proto-max-bulk-len", "3gb", "--client-output-buffer-limit", "replica 1 2 3",
                        "--maxclients", "0", "--tls-cert-file", "/no/cert", "--tls-auth-clients", "yes"), Map.of()));
        assertEquals(List.of(
                "tls-cert-file /no/cert is not a readable file",
                "tls-cert-file and tls-key-file go together",
                "tls-auth-clients yes needs tls-ca-cert-file",
                "maxclients must be between 1 and 1000000, got 0",
                "proto-max-bulk-len must be between 1 and 2147483639 bytes, got 3gb",
                "client-output-buffer-limit: the classes are normal and pubsub, got 'replica'"),
                List.of(e.getMessage().split("\n")));
    }

    @Test
    void settingsThatWouldBeSilentlyIgnoredOrMisreadAreRefused() throws Exception {
        Path file = Files.createTempFile("kvf", ".yaml");
        Files.writeString(file, """
                requirepass: 0123
                users:
                  - name: app
                    password: yes
                """);
        Path ca = Files.createTempFile("kvf", ".pem");
        ConfigLoader.ConfigException e = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
                List.of("--config", file.toString(), "--tls-ca-cert-file", ca.toString(), "--metrics-require-key", "yes"),
                Map.of()));
        assertEquals(List.of(
                "requirepass in " + file + " must be a quoted string",
                "users: app: password must be a quoted string (YAML reads 0123 as 83, yes as true)",
                "metrics-require-key needs admin-key",
                "tls-ca-cert-file and tls-auth-clients need tls-cert-file and tls-key-file"),
                List.of(e.getMessage().split("\n")));
    }

    /** The documented example names every setting, and loads as it stands. */
    @Test
    void theExampleFileDocumentsEverySetting() throws Exception {
        Path example = Path.of("../config/kvfallback.yaml");
        String text = Files.readString(example);
        for (ConfigLoader.Option o : ConfigLoader.OPTIONS) {
            assertTrue(text.contains("\n" + o.key() + ":") || text.contains("# " + o.key() + ":"),
                    "config/kvfallback.yaml does not mention " + o.key());
            assertTrue(text.contains(o.flag()), "config/kvfallback.yaml does not name the flag " + o.flag());
        }
        assertTrue(text.contains("# " + ConfigLoader.USERS + ":"), "config/kvfallback.yaml does not show users");
        ConfigLoader.load(List.of("--config", example.toString()), Map.of());
    }
}
