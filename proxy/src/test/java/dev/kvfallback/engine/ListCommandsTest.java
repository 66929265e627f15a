package dev.kvfallback.engine;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * List commands meeting a key of another type, on the engine alone: a string is stored straight
 * into the keyspace, so these hold whatever the string family serves. The conformance table has
 * the same checks against real Redis.
 */
class ListCommandsTest {

    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    private Engine engine;

    @BeforeEach
    void engineWithAStringAtS() throws Exception {
        InMemoryKeyspace keyspace = new InMemoryKeyspace();
        keyspace.write(0, List.of(new Write(bytes("s"), 0, new StringValue(bytes("v")), 0, false)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        engine = new Engine(keyspace, CommandTable.load(), System::currentTimeMillis, new Random(1), 16, true);
        assertEquals(":2\r\n", run("RPUSH", "l", "a", "b"));
    }

    @Test
    void moveToAKeyOfAnotherTypePopsNothing() throws Exception {
        assertEquals(WRONGTYPE, run("LMOVE", "l", "s", "LEFT", "RIGHT"));
        assertEquals(WRONGTYPE, run("RPOPLPUSH", "l", "s"));
        assertEquals(WRONGTYPE, run("RPOPLPUSH", "s", "l"));
        assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", run("LRANGE", "l", "0", "-1"));
        assertEquals("$1\r\nv\r\n", run("GET", "s"));
    }

    @Test
    void moveFromAMissingKeyIsNullWhateverTheDestination() throws Exception {
        assertEquals("$-1\r\n", run("LMOVE", "nokey", "s", "LEFT", "LEFT"));
        assertEquals("$-1\r\n", run("RPOPLPUSH", "nokey", "s"));
    }

    @Test
    void lmpopStopsAtAKeyOfAnotherTypeOnlyIfNoListCameFirst() throws Exception {
        assertEquals(WRONGTYPE, run("LMPOP", "3", "nokey", "s", "l", "LEFT"));
        assertEquals("*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n", run("LMPOP", "2", "l", "s", "LEFT"));
    }

    @Test
    void everyListCommandRefusesAString() throws Exception {
        String[][] commands = {
                {"LPUSH", "s", "x"}, {"RPUSHX", "s", "x"}, {"LPOP", "s", "0"}, {"RPOP", "s"}, {"LLEN", "s"},
                {"LRANGE", "s", "0", "-1"}, {"LINDEX", "s", "0"}, {"LSET", "s", "0", "x"}, {"LREM", "s", "0", "x"},
                {"LTRIM", "s", "0", "1"}, {"LINSERT", "s", "BEFORE", "a", "x"}, {"LPOS", "s", "a"},
        };
        for (String[] command : commands) {
            assertEquals(WRONGTYPE, run(command), String.join(" ", command));
        }
        assertEquals("$1\r\nv\r\n", run("GET", "s"));
    }

    private String run(String... command) throws Exception {
        return new String(RespEncoder.toBytes(engine.execute(0, 2, RespRequest.of(command)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS), 2), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
