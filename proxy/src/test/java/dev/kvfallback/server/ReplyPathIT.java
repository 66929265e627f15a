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
import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replies that are legal but unusual reach the client byte for byte, and never switch the proxy to
 * MongoDB: nested past the upstream decoder's depth (a Lua table thousands of levels deep), RESP3
 * attributes, every reply type of {@code DEBUG PROTOCOL}; pipelined among ordinary replies.
 */
class ReplyPathIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.with(
            new String[] {"--enable-debug-command", "yes"}, "redis://127.0.0.1:%d");

    private static final String NESTED_40 =
            "local a = {} local b = a for i=1,40 do local t = {} b[1]=t b=t end return a";
    /** Redis converts a self-containing table until Lua's stack runs out: about 8000 levels, then an error. */
    private static final String RECURSIVE = "local a = {} a[1]=a return a";
    private static final String DEEP_MAP = "redis.setresp(3) local a = {} local b = a "
            + "for i=1,30 do local t = {'x', 1.5} b[1]=t b=t end b[3] = redis.call('HGETALL', KEYS[1]) return a";

    @AfterEach
    void stillOnRedis() {
        assertEquals(Failover.Mode.PRIMARY, STACK.proxy().failover().mode(), "a legal reply switched the mode");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aReplyNestedPastTheDecodersDepthArrivesWhole(int protocol) throws Exception {
        for (String script : List.of(NESTED_40, RECURSIVE)) {
            assertSameReplies(protocol, List.<String[]>of(new String[] {"EVAL", script, "0"}));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void deepRepliesPipelinedAmongOthersStayInOrder(int protocol) throws Exception {
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"HSET", "h", "f", "v", "g", "w"});
        for (int i = 0; i < 5; i++) {
            commands.add(new String[] {"EVAL", NESTED_40, "0"});
            commands.add(new String[] {"INCR", "n"});
            commands.add(new String[] {"EVAL", DEEP_MAP, "1", "h"});
            commands.add(new String[] {"GET", "n"});
        }
        commands.add(new String[] {"DEL", "n", "h"});
        assertSameReplies(protocol, commands);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyReplyTypeOfDebugProtocolArrivesAsRedisSentIt(int protocol) throws Exception {
        List<String[]> commands = new ArrayList<>();
        for (String type : List.of("string", "integer", "double", "bignum", "null", "array", "set", "map",
                "attrib", "verbatim", "true", "false")) {
            commands.add(new String[] {"DEBUG", "PROTOCOL", type});
            commands.add(new String[] {"PING"});
        }
        assertSameReplies(protocol, commands);
    }

    @Test
    void anotherClientIsServedWhileADeepReplyIsRead() throws Exception {
        try (RawClient deep = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            deep.send("EVAL", RECURSIVE, "0");
            assertEquals("+OK\\r\\n", show(other.call("SET", "k", "v")));
            byte[] reply = deep.readReply();
            assertEquals("-ERR reached lua stack limit\\r\\n", show(java.util.Arrays.copyOfRange(
                    reply, reply.length - 30, reply.length)));
            assertEquals("$1\\r\\nv\\r\\n", show(other.call("GET", "k")));
        }
    }

    /** Sends {@code commands} pipelined, in one write, to Redis and to the proxy; the bytes must match. */
    private static void assertSameReplies(int protocol, List<String[]> commands) throws IOException {
        assertEquals(transcript(STACK.redis().port(), protocol, commands),
                transcript(STACK.proxy().port(), protocol, commands));
    }

    private static String transcript(int port, int protocol, List<String[]> commands) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.call("HELLO", Integer.toString(protocol));
            for (String[] command : commands) {
                c.send(command);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String[] command : commands) {
                out.write((String.join(" ", command).substring(0, Math.min(40, String.join(" ", command).length()))
                        + " -> ").getBytes());
                out.write(c.readReply());
                out.write('\n');
            }
            return show(out.toByteArray());
        }
    }
}
