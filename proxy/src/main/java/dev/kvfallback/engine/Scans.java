package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share: Redis's cursor parsing, the MATCH/COUNT options, the
 * reply, and paging of a large collection by a stable hash (see {@link #page}).
 */
final class Scans {

    private static final long DEFAULT_COUNT = 10;

    private Scans() {
    }


    /** The options after a collection SCAN's cursor. */
    record Args(byte[] pattern, long count) {
        boolean matches(Bytes item) {
            return pattern == null || Glob.matches(pattern, item.bytes());
        }
    }


    /** One page of a collection: its items, and the cursor to continue from (0: done). */
    record Page<T>(List<T> items, long next) {
    }


    /**
     * A cursor as Redis's {@code parseScanCursorOrReply} reads one: {@code strtoul}, so a sign is
     * allowed (a minus wraps around), an empty string is 0, and leading whitespace, trailing junk
     * and values past 2^64-1 are {@code ERR invalid cursor}.
     */
    static long parseCursor(byte[] s) {
        int end = 0;
        while (end < s.length && s[end] != 0) {
            end++;
        }
        if (end == 0) {
            return 0;
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '+' || s[0] == '-') {
            negative = s[0] == '-';
            i++;
        }
        if (i == end) {
            throw new CommandError(EngineErrors.INVALID_CURSOR);
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = s[i] - '0';
            if (digit < 0 || digit > 9
                    || Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0) {
                throw new CommandError(EngineErrors.INVALID_CURSOR);
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }


    /** MATCH and COUNT after a key and cursor, as Redis's {@code scanGenericCommand} reads them. */
    static Args args(Call c) {
        byte[] pattern = null;
        long count = DEFAULT_COUNT;
        for (int i = 3; i < c.argc(); i += 2) {
            boolean hasValue = i + 1 < c.argc();
            if (c.is(i, "count") && hasValue) {
                count = c.longArg(i + 1);
                if (count < 1) {
                    throw new CommandError(EngineErrors.SYNTAX);
                }
            } else if (c.is(i, "match") && hasValue) {
                byte[] p = c.arg(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        return new Args(pattern, count);
    }


    static RespValue reply(long cursor, List<RespValue> items) {
        return new RespValue.Array(List.of(
                new RespValue.Bulk(Long.toUnsignedString(cursor).getBytes(StandardCharsets.US_ASCII)),
                new RespValue.Array(items)));
    }


    /**
     * About {@code count} items of a large collection, from {@code cursor} on. Items are ordered by a
     * stable 63-bit hash of their bytes and the cursor is the hash to resume at, so SCAN's guarantee
     * holds across changes between calls: an item present for the whole iteration is returned (and
     * items sharing a hash are never split across pages). Cost: one pass, O(n log count).
     */
    static Page<Bytes> page(Collection<Bytes> all, long cursor, long count) {
        int want = (int) Math.min(count, Integer.MAX_VALUE - 1);
        // The want smallest eligible hashes, largest on top.
        PriorityQueue<Long> smallest = new PriorityQueue<>(Comparator.reverseOrder());
        for (Bytes item : all) {
            long h = hash(item);
            if (Long.compareUnsigned(h, cursor) >= 0) {
                if (smallest.size() < want) {
                    smallest.add(h);
                } else if (h < smallest.peek()) {
                    smallest.poll();
                    smallest.add(h);
                }
            }
        }
        if (smallest.isEmpty()) {
            return new Page<>(List.of(), 0);
        }
        long last = smallest.peek();
        record Hashed(long hash, Bytes item) {
        }
        List<Hashed> page = new ArrayList<>();
        long next = 0;
        for (Bytes item : all) {
            long h = hash(item);
            if (Long.compareUnsigned(h, cursor) < 0) {
                continue;
            }
            if (h <= last) {
                page.add(new Hashed(h, item));
            } else if (next == 0 || h < next) {
                next = h;
            }
        }
        page.sort(Comparator.comparingLong(Hashed::hash));
        List<Bytes> items = new ArrayList<>(page.size());
        for (Hashed p : page) {
            items.add(p.item());
        }
        return new Page<>(items, next);
    }


    /** FNV-1a with a murmur3 finish, in 1..2^63-1 (0 is the start cursor): stable across processes. */
    static long hash(Bytes item) {
        long h = 0xcbf29ce484222325L;
        for (byte b : item.bytes()) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        h >>>= 1;
        return h == 0 ? 1 : h;
    }
}
