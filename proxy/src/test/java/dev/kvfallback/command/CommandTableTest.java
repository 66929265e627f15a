package dev.kvfallback.command;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTableTest {

    private final CommandTable table = CommandTable.load();

    @Test
    void theGeneratedTableDescribesRedisSevenZero() {
        assertEquals("7.0.15", table.redisVersion());
        assertEquals(240, table.size());
        CommandSpec get = table.get("get");
        assertEquals(2, get.arity());
        assertTrue(get.has(CommandFlag.READONLY) && get.has(CommandFlag.FAST));
        assertEquals(List.of(1, 1, 1), List.of(get.firstKey(), get.lastKey(), get.step()));
        assertTrue(table.get("blpop").has(CommandFlag.BLOCKING));
        assertTrue(table.get("subscribe").has(CommandFlag.PUBSUB));
        assertTrue(table.get("auth").has(CommandFlag.NO_AUTH));
        assertEquals("config|get", table.get("config").subcommands().get("get").name());
    }

    @Test
    void keySpecsFindKeysAsRedisDoes() {
        CommandSpec zunion = table.get("zunionstore");
        assertEquals(List.of(1, 3, 4), KeySpec.positions(zunion.keySpecs(),
                args("zunionstore", "dst", "2", "a", "b", "WEIGHTS", "1", "2"), zunion.arity()));
        CommandSpec xread = table.get("xread");
        assertEquals(List.of(4, 5), KeySpec.positions(xread.keySpecs(),
                args("xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"), xread.arity()));
        CommandSpec mset = table.get("mset");
        assertEquals(List.of(1, 3), KeySpec.positions(mset.keySpecs(), args("mset", "a", "1", "b", "2"), mset.arity()));
    }

    private static List<byte[]> args(String... a) {
        return java.util.Arrays.stream(a).map(String::getBytes).toList();
    }
}
