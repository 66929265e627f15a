package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * Redis's commands on keys and the keyspace, with Redis 7.0's replies and errors.
 *
 * <p>Commands on named keys (DEL, EXPIRE, RENAME, COPY, ...) run over a {@link Txn} like every
 * other family. Commands on the whole keyspace (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL)
 * page through {@link Keyspace#scan}, which orders keys by name: a SCAN cursor is a random number
 * standing for "after this key", kept in a bounded table ({@link ScanCursors}). A cursor the table
 * no longer knows restarts the iteration, which SCAN's contract allows (keys may repeat, none is
 * missed).
 */
final class KeyCommands {

    private static final RespValue.Error NX_AND_OTHERS =
            new RespValue.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    private static final RespValue.Error GT_AND_LT =
            new RespValue.Error("ERR GT and LT options at the same time are not compatible");
    private static final RespValue.Error SAME_OBJECT =
            new RespValue.Error("ERR source and destination objects are the same");
    private static final RespValue.Error DB_OUT_OF_RANGE = new RespValue.Error("ERR DB index is out of range");
    private static final RespValue.Error NOT_INT32 =
            new RespValue.Error("ERR value is out of range, value must between -2147483648 and 2147483647");

    /** EXPIRE's option flags. */
    private static final int NX = 1;
    private static final int XX = 2;
    private static final int GT = 4;
    private static final int LT = 8;

    /** Redis's default {@code databases}: COPY ... DB checks its index against it. */
    private static final int REDIS_DATABASES = 16;
    /** Keys per keyspace page for KEYS and RANDOMKEY. */
    private static final int PAGE = 1000;
    /** The most keys one SCAN call reads, whatever COUNT asks (COUNT is a hint). */
    private static final int MAX_SCAN_COUNT = 100_000;
    /** SCAN cursors remembered; older ones restart their iteration. */
    private static final int CURSORS = 4096;

    private KeyCommands() {
    }

    static void register(Engine engine) {
        engine.add("del", KeyCommands::del);
        engine.add("unlink", KeyCommands::del);
        engine.add("exists", KeyCommands::exists);
        engine.add("touch", KeyCommands::exists);
        engine.add("type", KeyCommands::type);
        engine.add("expire", c -> expire(c, 1000, false));
        engine.add("pexpire", c -> expire(c, 1, false));
        engine.add("expireat", c -> expire(c, 1000, true));
        engine.add("pexpireat", c -> expire(c, 1, true));
        engine.add("persist", KeyCommands::persist);
        engine.add("ttl", c -> ttl(c, false, false));
        engine.add("pttl", c -> ttl(c, true, false));
        engine.add("expiretime", c -> ttl(c, false, true));
        engine.add("pexpiretime", c -> ttl(c, true, true));
        engine.add("rename", c -> rename(c, false));
        engine.add("renamenx", c -> rename(c, true));
        engine.add("copy", KeyCommands::copy);
        ScanCursors cursors = new ScanCursors(CURSORS);
        engine.addKeyless("keys", KeyCommands::keys);
        engine.addKeyless("scan", scope -> scan(scope, cursors));
        engine.addKeyless("randomkey", KeyCommands::randomKey);
        engine.addKeyless("dbsize", scope -> scope.keyspace().size(scope.db(), scope.now())
                .thenApply(Call::integer));
        engine.addKeyless("flushdb", scope -> flush(scope, false));
        engine.addKeyless("flushall", scope -> flush(scope, true));
    }

    // Keys by name.

    private static RespValue del(Call c) {
        long deleted = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.txn().delete(c.arg(i))) {
                deleted++;
            }
        }
        return Call.integer(deleted);
    }

    /** EXISTS and TOUCH: a key named twice counts twice. */
    private static RespValue exists(Call c) {
        long found = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.txn().exists(c.arg(i))) {
                found++;
            }
        }
        return Call.integer(found);
    }

    private static RespValue type(Call c) {
        RedisValue value = c.txn().get(c.arg(1));
        return new RespValue.Simple(value == null ? "none" : value.type());
    }

    /**
     * EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT, as Redis's {@code expireGenericCommand}: options,
     * then the time (with its overflow checks), then the key.
     *
     * @param unit     milliseconds per unit of the argument
     * @param absolute whether the time is a Unix time rather than relative to now
     */
    private static RespValue expire(Call c, long unit, boolean absolute) {
        int flags = expireFlags(c);
        long when = c.longArg(2);
        if (unit == 1000) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw invalidExpireTime(c);
            }
            when *= 1000;
        }
        long base = absolute ? 0 : c.now();
        if (when > Long.MAX_VALUE - base) {
            throw invalidExpireTime(c);
        }
        when += base;
        byte[] key = c.arg(1);
        if (!c.txn().exists(key)) {
            return RespValue.Int.ZERO;
        }
        long current = c.txn().expireAt(key) == 0 ? -1 : c.txn().expireAt(key);
        if ((flags & NX) != 0 && current != -1
                || (flags & XX) != 0 && current == -1
                || (flags & GT) != 0 && (current == -1 || when <= current)
                || (flags & LT) != 0 && current != -1 && when >= current) {
            return RespValue.Int.ZERO;
        }
        if (when <= c.now()) {
            c.txn().delete(key);
        } else {
            c.txn().setExpireAt(key, when);
        }
        return RespValue.Int.ONE;
    }

    private static int expireFlags(Call c) {
        int flags = 0;
        for (int i = 3; i < c.argc(); i++) {
            if (c.is(i, "nx")) {
                flags |= NX;
            } else if (c.is(i, "xx")) {
                flags |= XX;
            } else if (c.is(i, "gt")) {
                flags |= GT;
            } else if (c.is(i, "lt")) {
                flags |= LT;
            } else {
                throw new CommandError(formatError("Unsupported option ", c.arg(i)));
            }
        }
        if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
            throw new CommandError(NX_AND_OTHERS);
        }
        if ((flags & (GT | LT)) == (GT | LT)) {
            throw new CommandError(GT_AND_LT);
        }
        return flags;
    }

    private static CommandError invalidExpireTime(Call c) {
        return new CommandError("ERR invalid expire time in '" + c.name() + "' command");
    }

    private static RespValue persist(Call c) {
        byte[] key = c.arg(1);
        if (!c.txn().exists(key) || c.txn().expireAt(key) == 0) {
            return RespValue.Int.ZERO;
        }
        c.txn().setExpireAt(key, 0);
        return RespValue.Int.ONE;
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no expiry; seconds round to nearest. */
    private static RespValue ttl(Call c, boolean millis, boolean absolute) {
        byte[] key = c.arg(1);
        if (!c.txn().exists(key)) {
            return Call.integer(-2);
        }
        long expireAt = c.txn().expireAt(key);
        if (expireAt == 0) {
            return Call.integer(-1);
        }
        long ttl = Math.max(0, absolute ? expireAt : expireAt - c.now());
        // Redis computes (ttl + 500) / 1000 without overflowing near LLONG_MAX: unsigned here.
        return Call.integer(millis ? ttl : Long.divideUnsigned(ttl + 500, 1000));
    }

    private static RespValue rename(Call c, boolean nx) {
        byte[] source = c.arg(1);
        byte[] target = c.arg(2);
        RedisValue value = c.txn().get(source);
        if (value == null) {
            throw new CommandError(EngineErrors.NO_SUCH_KEY);
        }
        if (Arrays.equals(source, target)) {
            return nx ? RespValue.Int.ZERO : RespValue.Simple.OK;
        }
        if (nx && c.txn().exists(target)) {
            return RespValue.Int.ZERO;
        }
        long expireAt = c.txn().expireAt(source);
        c.txn().delete(source);
        c.txn().set(target, value, expireAt);
        return nx ? RespValue.Int.ONE : RespValue.Simple.OK;
    }

    /**
     * COPY source destination [DB n] [REPLACE]. A command's {@link Txn} holds keys of one db, so a
     * copy into another db is refused once its options are valid.
     */
    private static RespValue copy(Call c) {
        boolean replace = false;
        boolean otherDb = false;
        for (int i = 3; i < c.argc(); i++) {
            if (c.is(i, "replace")) {
                replace = true;
            } else if (c.is(i, "db") && i + 1 < c.argc()) {
                long db = c.longArg(i + 1);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    throw new CommandError(NOT_INT32);
                }
                if (db < 0 || db >= REDIS_DATABASES) {
                    throw new CommandError(DB_OUT_OF_RANGE);
                }
                otherDb = true;
                i++;
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        if (otherDb) {
            throw new CommandError(EngineErrors.unavailable("COPY ... DB"));
        }
        byte[] source = c.arg(1);
        byte[] target = c.arg(2);
        if (Arrays.equals(source, target)) {
            throw new CommandError(SAME_OBJECT);
        }
        RedisValue value = c.txn().get(source);
        if (value == null || c.txn().exists(target) && !replace) {
            return RespValue.Int.ZERO;
        }
        c.txn().set(target, value.copy(), c.txn().expireAt(source));
        return RespValue.Int.ONE;
    }

    // The whole keyspace.

    private static CompletionStage<RespValue> keys(Engine.Scope s) {
        byte[] pattern = s.arg(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        List<RespValue> found = new ArrayList<>();
        return collectKeys(s, null, all ? null : pattern, found).thenApply(ignored -> new RespValue.Array(found));
    }

    private static CompletionStage<Void> collectKeys(Engine.Scope s, byte[] after, byte[] pattern,
                                                     List<RespValue> found) {
        return s.keyspace().scan(s.db(), after, PAGE, s.now()).thenCompose(page -> {
            for (byte[] key : page) {
                if (pattern == null || Glob.matches(pattern, key)) {
                    found.add(new RespValue.Bulk(key));
                }
            }
            if (page.size() < PAGE) {
                return CompletableFuture.completedFuture(null);
            }
            return collectKeys(s, page.get(page.size() - 1), pattern, found);
        });
    }

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. */
    private static CompletionStage<RespValue> scan(Engine.Scope s, ScanCursors cursors) {
        long cursor = Scans.parseCursor(s.arg(1));
        long count = 10;
        byte[] pattern = null;
        byte[] type = null;
        for (int i = 2; i < s.argc(); i += 2) {
            boolean hasValue = i + 1 < s.argc();
            if (s.is(i, "count") && hasValue) {
                count = Numbers.longOrError(s.arg(i + 1));
                if (count < 1) {
                    throw new CommandError(EngineErrors.SYNTAX);
                }
            } else if (s.is(i, "match") && hasValue) {
                pattern = s.arg(i + 1);
            } else if (s.is(i, "type") && hasValue) {
                type = s.arg(i + 1);
            } else {
                throw new CommandError(EngineErrors.SYNTAX);
            }
        }
        byte[] after = cursor == 0 ? null : cursors.resume(cursor, s.db());
        int fetch = (int) Math.min(count, MAX_SCAN_COUNT);
        byte[] match = pattern;
        byte[] typeName = type;
        Keyspace keyspace = s.keyspace();
        return keyspace.scan(s.db(), after, fetch, s.now()).thenCompose(page -> {
            List<byte[]> keys = new ArrayList<>(page.size());
            for (byte[] key : page) {
                if (match == null || Glob.matches(match, key)) {
                    keys.add(key);
                }
            }
            CompletionStage<List<byte[]>> typed = typeName == null || keys.isEmpty()
                    ? CompletableFuture.completedFuture(keys)
                    : keyspace.load(s.db(), keys).thenApply(stored -> ofType(stored, typeName, s.now()));
            long next = page.size() < fetch ? 0 : cursors.save(s.db(), page.get(page.size() - 1), s.random());
            return typed.thenApply(found -> Scans.reply(next, Call.bulks(found)));
        });
    }

    private static List<byte[]> ofType(List<Stored> stored, byte[] type, long now) {
        List<byte[]> keys = new ArrayList<>(stored.size());
        for (Stored s : stored) {
            if (s.liveAt(now) && equalsIgnoreAsciiCase(type, s.value().type())) {
                keys.add(s.key());
            }
        }
        return keys;
    }

    private static CompletionStage<RespValue> randomKey(Engine.Scope s) {
        return s.keyspace().size(s.db(), s.now()).thenCompose(size -> {
            if (size == 0) {
                return CompletableFuture.completedFuture(RespValue.Null.BULK);
            }
            return keyAt(s, null, s.random().nextLong(size)).thenApply(Call::bulk);
        });
    }

    /**
     * The key {@code index} places after {@code after}; if the keyspace shrank meanwhile, the
     * last key there is, or null if none.
     */
    private static CompletionStage<byte[]> keyAt(Engine.Scope s, byte[] after, long index) {
        int want = (int) Math.min(PAGE, index + 1);
        return s.keyspace().scan(s.db(), after, want, s.now()).thenCompose(page -> {
            if (page.size() > index) {
                return CompletableFuture.completedFuture(page.get((int) index));
            }
            if (page.size() < want) {
                return CompletableFuture.completedFuture(page.isEmpty() ? after : page.get(page.size() - 1));
            }
            return keyAt(s, page.get(page.size() - 1), index - page.size());
        });
    }

    /** FLUSHDB and FLUSHALL [ASYNC|SYNC]: both modes clear before replying. */
    private static CompletionStage<RespValue> flush(Engine.Scope s, boolean all) {
        if (s.argc() > 2 || s.argc() == 2 && !s.is(1, "sync") && !s.is(1, "async")) {
            throw new CommandError(EngineErrors.SYNTAX);
        }
        if (!all) {
            return s.keyspace().clear(s.db(), s.divergent()).thenApply(ignored -> RespValue.Simple.OK);
        }
        CompletableFuture<Void> cleared = CompletableFuture.completedFuture(null);
        for (int db = 0; db < s.databases(); db++) {
            int each = db;
            cleared = cleared.thenCompose(ignored -> s.keyspace().clear(each, s.divergent()));
        }
        return cleared.thenApply(ignored -> RespValue.Simple.OK);
    }

    // Helpers.

    /**
     * An error built as Redis's {@code addReplyErrorFormat} builds one around a client's bytes:
     * cut at the first NUL ({@code %s}), trimmed of CR/LF at both ends, inner CR/LF as spaces.
     */
    private static RespValue.Error formatError(String prefix, byte[] arg) {
        int end = 0;
        while (end < arg.length && arg[end] != 0) {
            end++;
        }
        byte[] head = ("ERR " + prefix).getBytes(StandardCharsets.US_ASCII);
        byte[] text = Arrays.copyOf(head, head.length + end);
        System.arraycopy(arg, 0, text, head.length, end);
        int to = text.length;
        while (to > 0 && (text[to - 1] == '\r' || text[to - 1] == '\n')) {
            to--;
        }
        text = Arrays.copyOf(text, to);
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\r' || text[i] == '\n') {
                text[i] = ' ';
            }
        }
        return new RespValue.Error(text);
    }

    /** Whether {@code a} is {@code b} (lower case, as TYPE names are) ignoring ASCII case. */
    private static boolean equalsIgnoreAsciiCase(byte[] a, String b) {
        if (a.length != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            int x = a[i];
            int y = b.charAt(i);
            if (x != y && !(x >= 'A' && x <= 'Z' && x + ('a' - 'A') == y)) {
                return false;
            }
        }
        return true;
    }

    /**
     * SCAN cursors: a random nonzero number per position handed out, standing for the last key
     * that call read. Least recently used ones are forgotten past the capacity. Thread-safe.
     */
    static final class ScanCursors {

        private record Position(int db, byte[] lastKey) {
        }

        private final Map<Long, Position> positions;

        ScanCursors(int capacity) {
            positions = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Position> eldest) {
                    return size() > capacity;
                }
            };
        }

        /** The key to continue after, or null to start over (unknown cursor, or another db's). */
        synchronized byte[] resume(long cursor, int db) {
            Position p = positions.get(cursor);
            return p == null || p.db != db ? null : p.lastKey;
        }

        /** A new cursor for continuing after {@code lastKey}. */
        synchronized long save(int db, byte[] lastKey, RandomGenerator random) {
            long cursor;
            do {
                cursor = random.nextLong();
            } while (cursor == 0 || positions.containsKey(cursor));
            positions.put(cursor, new Position(db, lastKey));
            return cursor;
        }
    }
}
