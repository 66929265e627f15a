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
