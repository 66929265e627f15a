package dev.kvfallback.server;

import dev.kvfallback.failover.Failover;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLIENT commands act on the proxy's own clients, as Redis's act on Redis's: never on the
 * proxy's upstream connections, whose loss would look like Redis failing.
 */
class ClientCommandsIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.plain();

    @AfterEach
    void stillOnRedis() {
        assertEquals(Failover.Mode.PRIMARY, STACK.proxy().failover().mode(), "a client's command switched the mode");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void clientReplyOffAndSkipSilenceRepliesAsInRedis(int protocol) throws Exception {
        List<String[]> commands = List.of(
                c("CLIENT", "REPLY", "SKIP"), c("SET", "a", "1"), c("GET", "a"),
                c("CLIENT", "REPLY", "OFF"), c("SET", "a", "2"), c("NOSUCH"), c("CLIENT", "REPLY", "SKIP"),
                c("CLIENT", "REPLY", "ON"), c("GET", "a"), c("CLIENT", "REPLY", "X"),
                c("CLIENT", "REPLY", "SKIP"), c("CLIENT", "REPLY", "SKIP"), c("INCR", "n"), c("INCR", "n"),
                c("CLIENT", "REPLY", "SKIP"), c("CLIENT", "REPLY", "ON"), c("BLPOP", "none", "0.01"),
                c("CLIENT", "REPLY", "OFF"), c("RESET"), c("DEL", "a", "n"), c("PING", "end"));
        assertEquals(untilEnd(STACK.redis().port(), protocol, commands), untilEnd(STACK.proxy().port(), protocol, commands));
    }

    @Test
    void aSubscriberWithRepliesOffStillGetsItsMessages() throws Exception {
        try (RawClient sub = new RawClient(STACK.proxy().port()); RawClient pub = new RawClient(STACK.proxy().port())) {
            sub.call("HELLO", "3");
            assertEquals(">3\\r\\n$9\\r\\nsubscribe\\r\\n$2\\r\\nch\\r\\n:1\\r\\n", show(sub.call("SUBSCRIBE", "ch")));
            sub.send("CLIENT", "REPLY", "OFF");
            assertTrue(sub.silentFor(200), "CLIENT REPLY OFF was answered");
            pub.call("PUBLISH", "ch", "hello");
            assertEquals(">3\\r\\n$7\\r\\nmessage\\r\\n$2\\r\\nch\\r\\n$5\\r\\nhello\\r\\n", show(sub.readReply()));
        }
    }

    @Test
    void clientInfoDescribesTheClientsConnectionToTheProxyInRedissFields() throws Exception {
        String direct = infoAfterSetup(STACK.redis().port());
        String proxied = infoAfterSetup(STACK.proxy().port());
        assertEquals(keys(direct), keys(proxied), "the fields, in Redis's order");
        for (String field : List.of("name", "flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "argv-mem",
                "cmd", "user", "redir", "resp")) {
            assertEquals(field(direct, field), field(proxied, field), field + " in " + proxied);
        }
    }

    private static String infoAfterSetup(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.call("SELECT", "5");
            c.call("CLIENT", "SETNAME", "worker-1");
            c.call("HELLO", "3");
            return new String(c.readValueOf("CLIENT", "INFO"), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void clientListShowsTheProxysClientsNotItsUpstreamConnections() throws Exception {
        try (RawClient a = new RawClient(STACK.proxy().port()); RawClient b = new RawClient(STACK.proxy().port())) {
            a.call("CLIENT", "SETNAME", "alpha");
            a.call("SUBSCRIBE", "news");
            long idB = number(b.call("CLIENT", "ID"));
            String list = new String(b.readValueOf("CLIENT", "LIST"), java.nio.charset.StandardCharsets.UTF_8);
            String alpha = lineNamed(list, "alpha");
            assertEquals("P", field(alpha, "flags"));
            assertEquals("1", field(alpha, "sub"));
            assertEquals("subscribe", field(alpha, "cmd"));
            String self = lineWithId(list, idB);
            assertEquals("client|list", field(self, "cmd"));
            assertEquals("N", field(self, "flags"));
            assertEquals(keys(lineWithId(rawList(STACK.redis().port()), -1)), keys(self), "Redis's fields, in its order");
            String pubsubOnly = new String(b.readValueOf("CLIENT", "LIST", "TYPE", "pubsub"),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, pubsubOnly.lines().count(), pubsubOnly);
            String byId = new String(b.readValueOf("CLIENT", "LIST", "ID", Long.toString(idB)),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, byId.lines().count(), byId);
        }
    }

    @Test
    void clientKillClosesTheProxysClientsAndNeverItsUpstreamConnections() throws Exception {
        try (RawClient a = new RawClient(STACK.proxy().port()); RawClient b = new RawClient(STACK.proxy().port());
             RawClient killer = new RawClient(STACK.proxy().port())) {
            a.call("SET", "k", "v");
            long upstream = redisClients();
            long idA = number(a.call("CLIENT", "ID"));
            assertEquals(":1\\r\\n", show(killer.call("CLIENT", "KILL", "ID", Long.toString(idA))));
            assertTrue(a.closedByPeer(2000), "the killed client is closed");
            String addrB = field(lineWithId(new String(b.readValueOf("CLIENT", "INFO"),
                    java.nio.charset.StandardCharsets.UTF_8), -1), "addr");
            assertEquals("+OK\\r\\n", show(killer.call("CLIENT", "KILL", addrB)));
            assertTrue(b.closedByPeer(2000), "the client killed by address is closed");
            assertEquals(":0\\r\\n", show(killer.call("CLIENT", "KILL", "TYPE", "normal")), "only itself is left, spared");
            assertEquals(":0\\r\\n", show(killer.call("CLIENT", "KILL", "ADDR", field(rawList(STACK.redis().port())
                    .lines().findFirst().orElseThrow(), "addr"))), "Redis's connections are no client of the proxy");
            assertEquals("$1\\r\\nv\\r\\n", show(killer.call("GET", "k")));
            assertEquals(upstream, redisClients(), "no upstream connection was killed");
            killer.send("CLIENT", "KILL", "SKIPME", "no");
            assertEquals(":1\\r\\n", show(killer.readReply()));
            assertTrue(killer.closedByPeer(2000), "SKIPME no kills the caller after its reply");
        }
        try (RawClient after = new RawClient(STACK.proxy().port())) {
            assertEquals("+PONG\\r\\n", show(after.call("PING")));
        }
    }

    @Test
    void clientPauseHoldsTheProxysWritersUntilItEndsOrIsLifted() throws Exception {
        try (RawClient admin = new RawClient(STACK.proxy().port()); RawClient app = new RawClient(STACK.proxy().port())) {
            assertEquals("+OK\\r\\n", show(admin.call("CLIENT", "PAUSE", "400", "WRITE")));
            long start = System.nanoTime();
            assertEquals("$-1\\r\\n", show(app.call("GET", "paused-key")), "reads run during a WRITE pause");
            assertTrue(millisSince(start) < 300, "a read waited for the pause");
            app.send("SET", "paused-key", "v");
            assertTrue(app.silentFor(200), "a write ran during the pause");
            assertEquals("+OK\\r\\n", show(app.readReply()));
            assertTrue(millisSince(start) >= 380, "the write ran before the pause ended: " + millisSince(start));

            assertEquals("+OK\\r\\n", show(admin.call("CLIENT", "PAUSE", "60000", "WRITE")));
            app.send("DEL", "paused-key");
            assertTrue(app.silentFor(200), "a write ran during the pause");
            assertEquals("+OK\\r\\n", show(admin.call("CLIENT", "UNPAUSE")));
            assertEquals(":1\\r\\n", show(app.readReply()), "UNPAUSE lets the held write run");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TIMEOUT", "ERROR"})
    void clientUnblockEndsAProxyClientsBlockingCommand(String reason) throws Exception {
        try (RawClient blocked = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            long id = number(blocked.call("CLIENT", "ID"));
            assertEquals(":0\\r\\n", show(other.call("CLIENT", "UNBLOCK", Long.toString(id))), "not blocked yet");
            blocked.send("BLPOP", "never", "0");
            assertTrue(blocked.silentFor(300), "BLPOP returned with nothing pushed");
            assertEquals(":1\\r\\n", show(other.call("CLIENT", "UNBLOCK", Long.toString(id), reason)));
            assertEquals(reason.equals("TIMEOUT") ? "*-1\\r\\n" : "-UNBLOCKED client unblocked via CLIENT UNBLOCK\\r\\n",
                    show(blocked.readReply()));
            assertEquals("+PONG\\r\\n", show(blocked.call("PING")));
        }
    }

    @Test
    void noEvictIsTheProxysFlagAndOpensNoUpstreamConnection() throws Exception {
        long upstream = redisClients();
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            assertEquals("+OK\\r\\n", show(c.call("CLIENT", "NO-EVICT", "on")));
            assertEquals("e", field(new String(c.readValueOf("CLIENT", "INFO"), java.nio.charset.StandardCharsets.UTF_8),
                    "flags"));
            assertEquals(upstream, redisClients());
        }
    }

    @Test
    void newerClientSubcommandsActOnTheProxysClientNeverOnASharedConnection() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port()); RawClient direct = new RawClient(STACK.redis().port())) {
            assertEquals("+OK\\r\\n", show(c.call("CLIENT", "NO-TOUCH", "on")));
            assertEquals("+OK\\r\\n", show(c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py")));
            assertEquals("-ERR Unrecognized option 'LIB-X'\\r\\n", show(c.call("CLIENT", "SETINFO", "LIB-X", "1")));
            assertEquals("-ERR syntax error\\r\\n", show(c.call("CLIENT", "NO-TOUCH", "maybe")));
            assertEquals("T", field(new String(c.readValueOf("CLIENT", "INFO"), java.nio.charset.StandardCharsets.UTF_8),
                    "flags"));
            assertEquals(show(direct.call("CLIENT", "NOSUCH")), show(c.call("CLIENT", "NOSUCH")));
        }
    }

    @Test
    void infoCountsTheProxysClients() throws Exception {
        try (RawClient a = new RawClient(STACK.proxy().port()); RawClient blocked = new RawClient(STACK.proxy().port())) {
            blocked.send("BLPOP", "never-pushed", "0");
            assertTrue(blocked.silentFor(200));
            String info = new String(a.readValueOf("INFO", "clients"), java.nio.charset.StandardCharsets.UTF_8);
            long proxyClients = a.infoNumber("kvfallback_connected_clients");
            assertTrue(info.contains("connected_clients:" + proxyClients + "\r\n"), info);
            assertTrue(info.contains("blocked_clients:1\r\n"), info);
            assertTrue(info.contains("maxclients:10000\r\n"), info);
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long redisClients() throws IOException {
        return rawList(STACK.redis().port()).lines().count() - 1;
    }

    /** Redis's own CLIENT LIST, asked directly. */
    private static String rawList(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            return new String(c.readValueOf("CLIENT", "LIST"), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static long number(byte[] reply) {
        String text = new String(reply, java.nio.charset.StandardCharsets.US_ASCII);
        return Long.parseLong(text.substring(1, text.length() - 2));
    }

    private static String lineNamed(String list, String name) {
        return list.lines().filter(l -> field(l, "name").equals(name)).findFirst().orElseThrow(() ->
                new AssertionError("no client named " + name + " in " + list));
    }

    /** The line with {@code id}; -1: the last line (CLIENT INFO's only one, or the caller of a LIST). */
    private static String lineWithId(String list, long id) {
        List<String> lines = list.lines().toList();
        return id < 0 ? lines.get(lines.size() - 1) : lines.stream().filter(l -> field(l, "id").equals(Long.toString(id)))
                .findFirst().orElseThrow(() -> new AssertionError("no client " + id + " in " + list));
    }

    private static List<String> keys(String line) {
        return Arrays.stream(line.trim().split(" ")).map(kv -> kv.substring(0, kv.indexOf('='))).toList();
    }

    private static String field(String line, String key) {
        for (String kv : line.trim().split(" ")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }

    static String[] c(String... args) {
        return args;
    }

    /** Sends {@code commands} in one write; everything read until the final {@code PING end}'s reply. */
    static String untilEnd(int port, int protocol, List<String[]> commands) throws IOException {
        try (RawClient client = new RawClient(port)) {
            client.call("HELLO", Integer.toString(protocol));
            for (String[] command : commands) {
                client.send(command);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] end = "$3\r\nend\r\n".getBytes();
            byte[] reply;
            do {
                reply = client.readReply();
                out.write(reply);
            } while (!Arrays.equals(reply, end));
            return show(out.toByteArray());
        }
    }
}
