package dev.kvfallback.command;

import dev.kvfallback.protocol.RespValue;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One row of the command table, as Redis's {@code COMMAND INFO} describes the command.
 *
 * @param name        lower-case name; a subcommand is {@code container|sub}, as Redis names it
 * @param arity       Redis arity: exact argument count including the name, or -N for "at least N"
 * @param flags       Redis flags ({@code write}, {@code readonly}, {@code blocking}, {@code pubsub}, ...)
 * @param categories  ACL categories ({@code @write}, {@code @admin}, {@code @scripting}, ...)
 * @param firstKey    legacy first key position (0: no keys)
 * @param lastKey     legacy last key position (-1: the last argument)
 * @param step        legacy key step
 * @param keySpecs    Redis 7 key specs, used for {@code COMMAND GETKEYS}
 * @param subcommands subcommands by lower-case sub-name ({@code get} for {@code config|get})
 * @param info        the exact {@code COMMAND INFO} entry, replayed to clients
 * @param docs        the exact {@code COMMAND DOCS} entry (a map), or null
 */
public record CommandSpec(String name, int arity, Set<CommandFlag> flags, Set<AclCategory> categories,
                          int firstKey, int lastKey, int step,
                          List<KeySpec> keySpecs, Map<String, CommandSpec> subcommands,
                          RespValue info, RespValue docs) {

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    public boolean in(AclCategory category) {
        return categories.contains(category);
    }

    /** Whether {@code argc} arguments (name included) satisfy the arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /**
     * Where the keys of a call of this command are in {@code argv} (the command name first), in
     * order: by the key specs, or SORT's own rule (its STORE key has none; SORT_RO has a plain spec),
     * as {@code COMMAND GETKEYS} lists them.
     */
    public List<Integer> keyPositions(List<byte[]> argv) {
        return name.equals("sort") ? KeySpec.sortPositions(argv) : KeySpec.positions(keySpecs, argv, arity);
    }

    /**
     * The keys a call of this command names ({@code argv} with the command name first), each once,
     * in the order they appear: by the key specs, or SORT's own rule (its STORE key has none). The
     * one answer the engine, the tee and the write-back share.
     */
    public List<byte[]> keys(List<byte[]> argv) {
        List<Integer> positions = keyPositions(argv);
        List<byte[]> keys = new java.util.ArrayList<>(positions.size());
        for (int p : positions) {
            byte[] key = argv.get(p);
            if (!contains(keys, key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static boolean contains(List<byte[]> keys, byte[] key) {
        for (byte[] k : keys) {
            if (java.util.Arrays.equals(k, key)) {
                return true;
            }
        }
        return false;
    }
}
