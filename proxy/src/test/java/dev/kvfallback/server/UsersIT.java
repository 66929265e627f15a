package dev.kvfallback.server;

import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's users from the config file: who gets in, and what a read-only or read-write user
 * may run. The replies are checked against a real redis-server given the same users through
 * ACL SETUSER: a client must not be able to tell the proxy's refusals from Redis's.
 */
class UsersIT {

    private static final String KEY = "users-admin-key";

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.with(new String[0], "redis://127.0.0.1:%d",
            "--config", configFile().toString(), "--requirepass", "admin-pass", "--admin-key", KEY);

    /** ro (read-only, given as a SHA-256 digest) and app (read-write) beside the requirepass default user. */
    private static Path configFile() {
        try {
            Path file = Files.createTempFile("kvf-users", ".yaml");
            Files.writeString(file, """
                    users:
                      - name: ro
                        password-sha256: %s
                        access: read-only
                      - name: app
                        password: app-pass
                    """.formatted(sha256("ro-pass")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aReadOnlyUserReadsAndIsRefusedWritesAsRedisRefusesThem() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RawClient direct = new RawClient(redis.port());
             RawClient viaProxy = new RawClient(STACK.proxy().port())) {
            direct.call("ACL", "SETUSER", "ro", "on", ">ro-pass", "~*", "&*", "+@all", "-@write", "-@admin");
            direct.call("SET", "users:k", "v");
            try (RawClient admin = new RawClient(STACK.proxy().port())) {
                admin.call("AUTH", "admin-pass");
                admin.call("SET", "users:k", "v");
            }
            List<String[]> script = List.of(
                    new String[] {"GET", "users:k"},
                    new String[] {"AUTH", "ro", "wrong"},
                    new String[] {"AUTH", "nobody", "ro-pass"},
                    new String[] {"GET", "users:k"},
                    new String[] {"AUTH", "ro", "ro-pass"},
                    new String[] {"ACL", "WHOAMI"},
                    new String[] {"GET", "users:k"},
                    new String[] {"SET", "users:k", "w"},
                    new String[] {"DEL", "users:k"},
                    new String[] {"CONFIG", "GET", "maxmemory"},
                    new String[] {"MULTI"},
                    new String[] {"GET", "users:k"},
                    new String[] {"INCR", "users:n"},
                    new String[] {"EXEC"},
                    new String[] {"GET", "users:k"},
                    new String[] {"EXISTS", "users:n"});
            // Redis's default user needs no password: turn it off so a new connection starts unauthenticated, as here.
            direct.call("ACL", "SETUSER", "default", "off");
            List<String> fromRedis = new ArrayList<>();
            List<String> fromProxy = new ArrayList<>();
            try (RawClient redisClient = new RawClient(redis.port())) {
                for (String[] command : script) {
                    fromRedis.add(show(redisClient.call(command)));
                    fromProxy.add(show(viaProxy.call(command)));
                }
            }
            assertEquals(fromRedis, fromProxy);
            assertTrue(fromProxy.contains("-NOPERM this user has no permissions to run the 'set' command\\r\\n"),
                    fromProxy.toString());
            assertTrue(fromProxy.contains("-EXECABORT Transaction discarded because of previous errors.\\r\\n"),
                    fromProxy.toString());
        }
    }

    @Test
    void helloAuthenticatesAUserAndClientInfoNamesIt() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            String hello = show(c.call("HELLO", "3", "AUTH", "app", "app-pass"));
            assertTrue(hello.startsWith("%7\\r\\n$6\\r\\nserver"), hello);
            assertEquals("$3\\r\\napp\\r\\n", show(c.call("ACL", "WHOAMI")));
            assertTrue(show(c.call("CLIENT", "INFO")).contains(" user=app "));
            assertEquals("+OK\\r\\n", show(c.call("SET", "users:app", "1")));
            assertEquals("-NOPERM this user has no permissions to run the 'config|get' command\\r\\n",
                    show(c.call("CONFIG", "GET", "maxmemory")));
            assertEquals("-NOPERM this user has no permissions to run the 'client|list' command\\r\\n",
                    show(c.call("CLIENT", "LIST")));
            // A command the proxy's table does not know is not sent on for a user with limited rights.
            assertTrue(show(c.call("NOSUCHCOMMAND", "x")).startsWith("-ERR unknown command 'NOSUCHCOMMAND'"));
        }
    }

    @Test
    void helloChecksItsOptionsBeforeTheCredentialsAndMultiCannotCarryThemToRedis() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            assertEquals("-ERR Syntax error in HELLO option 'BOGUS'\\r\\n",
                    show(c.call("HELLO", "3", "AUTH", "app", "app-pass", "BOGUS")));
            assertEquals("-NOAUTH Authentication required.\\r\\n", show(c.call("GET", "users:app")),
                    "a HELLO that failed logged the client in");
            assertEquals("+OK\\r\\n", show(c.call("AUTH", "admin-pass")));
            assertEquals("+OK\\r\\n", show(c.call("MULTI")));
            assertEquals("-ERR kvfallback: AUTH inside MULTI is not supported through the proxy\\r\\n",
                    show(c.call("AUTH", "guess")));
            assertEquals("-ERR kvfallback: CONFIG GET inside MULTI is not supported through the proxy\\r\\n",
                    show(c.call("CONFIG", "GET", "requirepass")));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\\r\\n", show(c.call("EXEC")));
            assertEquals("-ERR kvfallback: SCRIPT DEBUG is not supported through the proxy\\r\\n",
                    show(c.call("SCRIPT", "DEBUG", "YES")));
        }
    }

    @Test
    void resetLogsTheUserOutAndFailuresAreCounted() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            long before = authFailures();
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\\r\\n",
                    show(c.call("AUTH", "app", "nope")));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\\r\\n",
                    show(c.call("HELLO", "3", "AUTH", "ghost", "nope")));
            assertEquals(before + 2, authFailures());
            assertEquals("+OK\\r\\n", show(c.call("AUTH", "app", "app-pass")));
            assertEquals("+RESET\\r\\n", show(c.call("RESET")));
            assertEquals("-NOAUTH Authentication required.\\r\\n", show(c.call("GET", "users:app")));
        }
    }

    @Test
    void theReadOnlyUserCannotWriteWhileServedFromMongoDb() throws Exception {
        try (RawClient admin = new RawClient(STACK.proxy().port()); RawClient ro = new RawClient(STACK.proxy().port())) {
            admin.call("AUTH", "admin-pass");
            admin.call("SET", "users:fb", "before");
            ro.call("AUTH", "ro", "ro-pass");
            Backups.post(STACK.proxy(), "/api/admin/mode?mode=fallback", KEY);
            try {
                assertEquals("$6\\r\\nbefore\\r\\n", show(ro.call("GET", "users:fb")));
                assertEquals("-NOPERM this user has no permissions to run the 'set' command\\r\\n",
                        show(ro.call("SET", "users:fb", "after")));
                assertEquals("+OK\\r\\n", show(ro.call("MULTI")));
                assertEquals("-NOPERM this user has no permissions to run the 'del' command\\r\\n",
                        show(ro.call("DEL", "users:fb")));
                assertEquals("-EXECABORT Transaction discarded because of previous errors.\\r\\n", show(ro.call("EXEC")));
                assertEquals("$6\\r\\nbefore\\r\\n", show(admin.call("GET", "users:fb")));
            } finally {
                Backups.post(STACK.proxy(), "/api/admin/mode?mode=auto", KEY);
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (STACK.proxy().failover().mode() != dev.kvfallback.failover.Failover.Mode.PRIMARY
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
        }
    }

    private static long authFailures() throws IOException {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.call("AUTH", "admin-pass");
            return c.infoNumber("kvfallback_auth_failures");
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
