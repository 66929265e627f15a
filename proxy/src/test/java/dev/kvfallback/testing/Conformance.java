package dev.kvfallback.testing;

import dev.kvfallback.engine.Engine;
import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import org.junit.jupiter.params.provider.Arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The conformance table's machinery: a case is a sequence of commands; its transcript (each
 * command and the exact reply bytes) from real Redis is the specification the proxy and the engine
 * must reproduce byte for byte, in RESP2 and RESP3.
 */
public final class Conformance {

    /** A named sequence of commands, run on an empty server. */
    public record Case(String name, List<String[]> commands) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Conformance() {
    }

    public static String[] c(String... args) {
        return args;
    }

    public static Case of(String name, String[]... commands) {
        return new Case(name, List.of(commands));
    }

    /** Every case in RESP2 and in RESP3, as JUnit arguments {@code (case, protocol)}. */
    @SafeVarargs
    public static Stream<Arguments> inBothProtocols(List<Case>... tables) {
        List<Arguments> args = new ArrayList<>();
        for (List<Case> table : tables) {
            for (Case c : table) {
                args.add(Arguments.of(c, 2));
                args.add(Arguments.of(c, 3));
            }
        }
        return args.stream();
    }

    /** The transcript of the case run on the server at {@code port}, after FLUSHALL. */
    public static String transcript(int port, Case c, int protocol) throws IOException {
        try (RawClient client = new RawClient(port)) {
            if (protocol == 3) {
                client.call("HELLO", "3");
            }
            client.call("FLUSHALL");
            ByteArrayOutputStream replies = new ByteArrayOutputStream();
            for (String[] command : c.commands()) {
                line(replies, command, client.call(command));
            }
            return RawClient.show(replies.toByteArray());
        }
    }

    /**
     * The transcript of the case run on the engine in db 0 (after FLUSHALL through the engine).
     * {@code SELECT n} switches the db, as a client session would.
     */
    public static String transcript(Engine engine, Case c, int protocol) throws Exception {
        engine.execute(0, protocol, RespRequest.of("FLUSHALL")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        int db = 0;
        for (String[] command : c.commands()) {
            RespValue reply;
            if (command[0].equalsIgnoreCase("select")) {
                db = Integer.parseInt(command[1]);
                reply = RespValue.Simple.OK;
            } else {
                reply = engine.execute(db, protocol, RespRequest.of(command)).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
            }
            line(replies, command, RespEncoder.toBytes(reply, protocol));
        }
        return RawClient.show(replies.toByteArray());
    }

    private static void line(ByteArrayOutputStream out, String[] command, byte[] reply) throws IOException {
        out.write((String.join(" ", command).replaceAll("x{50,}", "x...") + " -> ").getBytes());
        out.write(reply);
        out.write('\n');
    }
}
