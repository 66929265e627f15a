package dev.kvfallback.engine;

import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Redis's commands on lists, with Redis 7.0's replies and errors.
 *
 * <p>Each command follows {@code t_list.c} step for step, because the order of its checks is
 * visible: some parse their numbers before looking the key up (LRANGE, LTRIM, LREM), others after
 * (LINDEX, LSET), so {@code LINDEX nokey x} is a null while {@code LRANGE nokey x 1} is an error.
 * Nothing changes before every check has passed. Counts and ranks are {@code long}s wrapping as C's
 * do, so even {@code LPOS ... RANK -9223372036854775808} answers as Redis does.
 */
final class ListCommands {

    private static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, "
            + "2 from the second ... or use negative to start from the end of the list";
    private static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    private static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    private static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    private static final String COUNT_NOT_POSITIVE = "ERR count should be greater than 0";

    private ListCommands() {
    }

    static void register(Engine engine) {
        engine.add("lpush", c -> push(c, true, false));
        engine.add("rpush", c -> push(c, false, false));
        engine.add("lpushx", c -> push(c, true, true));
        engine.add("rpushx", c -> push(c, false, true));
        engine.add("lpop", c -> pop(c, true));
        engine.add("rpop", c -> pop(c, false));
        engine.add("llen", ListCommands::llen);
        engine.add("lrange", ListCommands::lrange);
        engine.add("lindex", ListCommands::lindex);
        engine.add("lset", ListCommands::lset);
        engine.add("lrem", ListCommands::lrem);
        engine.add("ltrim", ListCommands::ltrim);
        engine.add("linsert", ListCommands::linsert);
        engine.add("lpos", ListCommands::lpos);
        engine.add("lmove", ListCommands::lmove);
        engine.add("rpoplpush", c -> move(c, false, true));
        engine.add("lmpop", ListCommands::lmpop);
    }

    // LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
    private static RespValue push(Call c, boolean head, boolean onlyIfExists) {
        ListValue list = c.txn().modify(c.arg(1), ListValue.class, onlyIfExists ? null : ListValue::new);
        if (list == null) {
            return RespValue.Int.ZERO;
        }
        List<byte[]> elements = c.argsFrom(2);
        if (head) {
            // Each element goes to the head in turn: the last one given ends up first.
            List<byte[]> reversed = new ArrayList<>(elements);
            Collections.reverse(reversed);
            list.elements().addAll(0, reversed);
        } else {
            list.elements().addAll(elements);
        }
        return Call.integer(list.elements().size());
    }

    // LPOP/RPOP key [count]
    private static RespValue pop(Call c, boolean head) {
        if (c.argc() > 3) {
            return Errors.wrongArity(c.name());
        }
        boolean hasCount = c.argc() == 3;
        long count = hasCount ? positive(c.arg(2), EngineErrors.NOT_POSITIVE.text()) : 1;
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return hasCount ? RespValue.Null.ARRAY : RespValue.Null.BULK;
        }
        if (hasCount && count == 0) {
            return RespValue.Array.EMPTY;
        }
        List<byte[]> popped = take(c.txn().modify(c.arg(1), ListValue.class, null).elements(), head, count);
        return hasCount ? array(popped) : Call.bulk(popped.get(0));
    }

    // LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
    private static RespValue lmpop(Call c) {
        long numkeys = positive(c.arg(1), NUMKEYS_NOT_POSITIVE);
        if (numkeys == 0) {
            throw new CommandError(NUMKEYS_NOT_POSITIVE);
        }
        if (numkeys > c.argc() - 3) {
            // The keys would run into LEFT|RIGHT's place or past the end.
            throw new CommandError(EngineErrors.SYNTAX);
        }
        int where = 2 + (int) numkeys;
        boolean head = side(c, where);
        long count = -1;
        for (int j = where + 1; j < c.argc(); j++) {
            if (count == -1 && c.is(j, "count") && j + 1 < c.argc()) {
                count = positive(c.arg(++j), COUNT_NOT_POSITIVE);
                if (count == 0) {
                    throw new CommandError(COUNT_NOT_POSITIVE);
                }
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        for (int k = 2; k < where; k++) {
            ListValue list = c.txn().modify(c.arg(k), ListValue.class, null);
            if (list == null) {
                continue;
            }
            List<byte[]> popped = take(list.elements(), head, count == -1 ? 1 : count);
            return new RespValue.Array(List.of(Call.bulk(c.arg(k)), array(popped)));
        }
        return RespValue.Null.ARRAY;
    }

    // LLEN key
    private static RespValue llen(Call c) {
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        return Call.integer(list == null ? 0 : list.elements().size());
    }

    // LRANGE key start stop
    private static RespValue lrange(Call c) {
        long start = c.longArg(2);
        long stop = c.longArg(3);
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return RespValue.Array.EMPTY;
        }
        int[] range = range(start, stop, list.elements().size());
        return range == null ? RespValue.Array.EMPTY : array(list.elements().subList(range[0], range[1] + 1));
    }

    // LINDEX key index
    private static RespValue lindex(Call c) {
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return RespValue.Null.BULK;
        }
        int at = position(c.longArg(2), list.elements().size());
        return at < 0 ? RespValue.Null.BULK : Call.bulk(list.elements().get(at));
    }

    // LSET key index element
    private static RespValue lset(Call c) {
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            throw new CommandError(EngineErrors.NO_SUCH_KEY);
        }
        int at = position(c.longArg(2), list.elements().size());
        if (at < 0) {
            throw new CommandError(EngineErrors.OUT_OF_RANGE);
        }
        c.txn().modify(c.arg(1), ListValue.class, null).elements().set(at, c.arg(3));
        return RespValue.Simple.OK;
    }

    // LREM key count element: count > 0 from the head, < 0 from the tail, 0 all.
    private static RespValue lrem(Call c) {
        long toRemove = c.longArg(2);
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return RespValue.Int.ZERO;
        }
        byte[] element = c.arg(3);
        List<byte[]> elements = list.elements();
        boolean fromTail = toRemove < 0;
        // -Long.MIN_VALUE stays negative, never met by the removed count: all go, as in Redis.
        toRemove = fromTail ? -toRemove : toRemove;
        List<byte[]> kept = new ArrayList<>(elements.size());
        long removed = 0;
        for (int k = 0; k < elements.size(); k++) {
            int i = fromTail ? elements.size() - 1 - k : k;
            boolean done = toRemove != 0 && removed == toRemove;
            if (!done && Arrays.equals(elements.get(i), element)) {
                removed++;
            } else {
                kept.add(elements.get(i));
            }
        }
        if (removed > 0) {
            if (fromTail) {
                Collections.reverse(kept);
            }
            ListValue changed = c.txn().modify(c.arg(1), ListValue.class, null);
            changed.elements().clear();
            changed.elements().addAll(kept);
        }
        return Call.integer(removed);
    }

    // LTRIM key start stop
    private static RespValue ltrim(Call c) {
        long start = c.longArg(2);
        long stop = c.longArg(3);
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return RespValue.Simple.OK;
        }
        int size = list.elements().size();
        int[] range = range(start, stop, size);
        if (range == null) {
            c.txn().delete(c.arg(1));
        } else if (range[0] > 0 || range[1] < size - 1) {
            List<byte[]> elements = c.txn().modify(c.arg(1), ListValue.class, null).elements();
            elements.subList(range[1] + 1, size).clear();
            elements.subList(0, range[0]).clear();
        }
        return RespValue.Simple.OK;
    }

    // LINSERT key BEFORE|AFTER pivot element
    private static RespValue linsert(Call c) {
        boolean after;
        if (c.is(2, "after")) {
            after = true;
        } else if (c.is(2, "before")) {
            after = false;
        } else {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return RespValue.Int.ZERO;
        }
        int pivot = indexOf(list.elements(), c.arg(3));
        if (pivot < 0) {
            return Call.integer(-1);
        }
        List<byte[]> elements = c.txn().modify(c.arg(1), ListValue.class, null).elements();
        elements.add(after ? pivot + 1 : pivot, c.arg(4));
        return Call.integer(elements.size());
    }

    // LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
    private static RespValue lpos(Call c) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean more = j + 1 < c.argc();
            if (c.is(j, "rank") && more) {
                rank = c.longArg(++j);
                if (rank == 0) {
                    throw new CommandError(RANK_ZERO);
                }
            } else if (c.is(j, "count") && more) {
                count = positive(c.arg(++j), COUNT_NEGATIVE);
            } else if (c.is(j, "maxlen") && more) {
                maxlen = positive(c.arg(++j), MAXLEN_NEGATIVE);
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        ListValue list = c.txn().read(c.arg(1), ListValue.class);
        if (list == null) {
            return count != -1 ? RespValue.Array.EMPTY : RespValue.Null.BULK;
        }
        return positions(list.elements(), c.arg(2), rank, count, maxlen);
    }

    /** LPOS's scan, as {@code lposCommand} does it, wrapping arithmetic included. */
    private static RespValue positions(List<byte[]> elements, byte[] element, long rank, long count, long maxlen) {
        boolean fromTail = rank < 0;
        if (fromTail) {
            rank = -rank;
        }
        int size = elements.size();
        List<RespValue> found = new ArrayList<>();
        long matches = 0;
        long index = 0;
        for (; index < size && (maxlen == 0 || index < maxlen); index++) {
            int i = (int) (fromTail ? size - 1 - index : index);
            if (!Arrays.equals(elements.get(i), element)) {
                continue;
            }
            matches++;
            if (matches >= rank) {
                if (count == -1) {
                    return Call.integer(i);
                }
                found.add(Call.integer(i));
                if (count != 0 && matches - rank + 1 >= count) {
                    break;
                }
            }
        }
        return count == -1 ? RespValue.Null.BULK : new RespValue.Array(found);
    }

    // LMOVE source destination LEFT|RIGHT LEFT|RIGHT
    private static RespValue lmove(Call c) {
        boolean fromHead = side(c, 3);
        boolean toHead = side(c, 4);
        return move(c, fromHead, toHead);
    }

    /** LMOVE and RPOPLPUSH: a destination of another type is refused before the source is touched. */
    private static RespValue move(Call c, boolean fromHead, boolean toHead) {
        byte[] source = c.arg(1);
        byte[] destination = c.arg(2);
        if (c.txn().read(source, ListValue.class) == null) {
            return RespValue.Null.BULK;
        }
        c.txn().read(destination, ListValue.class);
        List<byte[]> from = c.txn().modify(source, ListValue.class, null).elements();
        byte[] element = from.remove(fromHead ? 0 : from.size() - 1);
        List<byte[]> to = c.txn().modify(destination, ListValue.class, ListValue::new).elements();
        to.add(toHead ? 0 : to.size(), element);
        return Call.bulk(element);
    }

    /** LEFT (true) or RIGHT (false) at argument {@code i}, else a syntax error. */
    private static boolean side(Call c, int i) {
        if (c.is(i, "left")) {
            return true;
        }
        if (c.is(i, "right")) {
            return false;
        }
        throw new CommandError(EngineErrors.SYNTAX);
    }

    /** Removes and returns up to {@code count} elements from one end, in pop order. */
    private static List<byte[]> take(ArrayList<byte[]> elements, boolean head, long count) {
        int n = (int) Math.min(count, elements.size());
        List<byte[]> end = head ? elements.subList(0, n) : elements.subList(elements.size() - n, elements.size());
        List<byte[]> popped = new ArrayList<>(end);
        end.clear();
        if (!head) {
            Collections.reverse(popped);
        }
        return popped;
    }

    /**
     * Redis's {@code getPositiveLongFromObjectOrReply} with a message: an integer {@code >= 0}, or
     * {@code message} whether the argument is negative or no integer at all.
     */
    private static long positive(byte[] arg, String message) {
        Long v = Numbers.parseLong(arg);
        if (v == null || v < 0) {
            throw new CommandError(message);
        }
        return v;
    }

    /** LRANGE/LTRIM's clamping: inclusive {@code [from, to]} within {@code size}, or null if empty. */
    private static int[] range(long start, long stop, int size) {
        if (start < 0) {
            start += size;
        }
        if (stop < 0) {
            stop += size;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            return null;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        return new int[] {(int) start, (int) stop};
    }

    /** A Redis index (negative from the tail) as a list position, or -1 if out of range. */
    private static int position(long index, int size) {
        if (index < 0) {
            index += size;
        }
        return index < 0 || index >= size ? -1 : (int) index;
    }

    private static int indexOf(List<byte[]> elements, byte[] element) {
        for (int i = 0; i < elements.size(); i++) {
            if (Arrays.equals(elements.get(i), element)) {
                return i;
            }
        }
        return -1;
    }

    private static RespValue array(List<byte[]> elements) {
        return new RespValue.Array(Call.bulks(elements));
    }
}
