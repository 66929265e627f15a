package dev.kvfallback.engine;

import dev.kvfallback.command.CommandFlag;
import dev.kvfallback.concurrent.Idle;
import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.command.CommandTable;
import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Redis's data commands over a {@link Keyspace}: what kvfallback answers with when Redis cannot.
 *
 * <p>How a command runs: its keys (from the command table's key specs) are taken in
 * {@link KeyLocks}, so commands on one key run in arrival order; the keys are loaded; the command
 * runs synchronously on them ({@link Txn}) and computes its reply; the keys it changed are written
 * back, each guarded by the version it was loaded at. A write that meets another version (another
 * writer got there first) reruns the command on fresh data. The reply is released only after the
 * writes are stored. Commands without keys (DBSIZE, SCAN, FLUSHDB, ...) work on the keyspace
 * directly.
 *
 * <p>Threads: no locks are held while waiting; a command's body runs on whichever thread completed
 * its load (the caller's for an in-memory keyspace, the driver's for MongoDB). Nothing blocks.
 */
public final class Engine {

    /** A command over loaded keys: computes its reply and changes keys through {@link Call#txn()}. */
    @FunctionalInterface
    public interface Command {
        RespValue run(Call call);
    }

    /** A command over the whole keyspace rather than declared keys. */
    @FunctionalInterface
    public interface KeylessCommand {
        CompletionStage<RespValue> run(Scope scope);
    }

    /** What a keyless command works on. */
    public record Scope(Keyspace keyspace, int db, int databases, int protocol, RespRequest request,
                        long now, RandomGenerator random, boolean divergent) {

        /** Argument {@code i}; see {@link Call#arg}. */
        public byte[] arg(int i) {
            return request.arg(i);
        }

        public int argc() {
            return request.size();
        }

        /** Whether argument {@code i} is {@code option}, ignoring ASCII case. */
        public boolean is(int i, String option) {
            return new String(request.arg(i), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .toLowerCase(Locale.ROOT).equals(option);
        }
    }

    /** One write Redis has acknowledged, for {@link #applyAll}. */
    public sealed interface Step {

        /** A command to run as Redis ran it, at {@code at} (Unix ms): relative expiries count from it. */
        record Run(RespRequest request, int protocol, long at) implements Step {
        }

        /** A key's whole value as read from Redis; value null: the key does not exist. */
        record Put(byte[] key, RedisValue value, long expireAt) implements Step {
        }
    }

    /**
     * What {@link #applyAll} did.
     *
     * @param replies each step's reply as computed here; null for a {@link Step.Put}, and for a
     *                step not run because one of its keys is divergent (MongoDB holds a write Redis
     *                has not seen: that value wins, and its write-back makes Redis match it)
     * @param absent  per step, those of its keys that were absent (or expired) before it ran
     * @param stored  false if a key met another writer's version: nothing can be said of the
     *                group's keys then, and the caller re-copies them
     * @param tooLarge keys whose value grew past what one MongoDB document holds: not written
     *                 (MongoDB keeps what it had), the rest of the group is
     */
    public record Applied(List<RespValue> replies, List<List<byte[]>> absent, boolean stored,
                          List<byte[]> tooLarge) {
    }

    /** MongoDB's 16 MB document limit, less room for the document's other fields. */
    public static final long MAX_VALUE_WEIGHT = 16L * 1024 * 1024 - 64 * 1024;
    private static final int MAX_ATTEMPTS = 16;

    private record DbKey(int db, Bytes key) {
    }

    private final Keyspace keyspace;
    private final CommandTable table;
    private final LongSupplier clock;
    private final RandomGenerator random;
    private final int databases;
    private final boolean divergent;
    private final KeyLocks locks = new KeyLocks();
    private final Map<String, Command> commands = new HashMap<>();
    private final Map<String, KeylessCommand> keyless = new HashMap<>();

    /**
     * @param clock     Unix milliseconds
     * @param databases the number of logical dbs (FLUSHALL clears them all)
     * @param divergent whether writes mark their keys divergent (fallback writes Redis has not seen)
     */
    /** Commands given to {@link #execute} and not finished. */
    /** Commands given through {@link #execute} and not yet answered. */
    private final Idle running = new Idle();
    private final java.util.concurrent.atomic.AtomicLong writesServed = new java.util.concurrent.atomic.AtomicLong();

    public Engine(Keyspace keyspace, CommandTable table, LongSupplier clock, RandomGenerator random,
                  int databases, boolean divergent) {
        this.keyspace = keyspace;
        this.table = table;
        this.clock = clock;
        this.random = random;
        this.databases = databases;
        this.divergent = divergent;
        StringCommands.register(this);
        KeyCommands.register(this);
        HashCommands.register(this);
        ListCommands.register(this);
        SetCommands.register(this);
        ZSetCommands.register(this);
    }

    void add(String name, Command command) {
        commands.put(name, command);
    }

    void addKeyless(String name, KeylessCommand command) {
        keyless.put(name, command);
    }

    /** Whether the engine computes this command (lower-case name; {@code object|freq} for a subcommand). */
    public boolean serves(String name) {
        return commands.containsKey(name) || keyless.containsKey(name);
    }

    /** Runs one command in db {@code db} for a client speaking RESP {@code protocol}. Never fails: errors are replies. */
    public CompletionStage<RespValue> execute(int db, int protocol, RespRequest request) {
        String name = request.name();
        CommandSpec spec = table.get(name);
        Command command = commands.get(name);
        KeylessCommand whole = keyless.get(name);
        if (spec == null || (command == null && whole == null)) {
            return done(EngineErrors.unavailable(request.argText(0).toUpperCase(Locale.ROOT)));
        }
        if (!spec.arityAccepts(request.size())) {
            return done(Errors.wrongArity(spec.name()));
        }
        // Counted before it starts, so idle() never completes while it runs, whichever thread started it.
        running.enter();
        CompletionStage<RespValue> result;
        try {
            result = whole != null
                    ? runKeyless(whole, new Scope(keyspace, db, databases, protocol, request, clock.getAsLong(),
                            random, divergent))
                    : runLocked(db, protocol, request, command, keysOf(spec, request));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        boolean write = spec.has(CommandFlag.WRITE);
        return result.exceptionally(Engine::failure).whenComplete((reply, error) -> {
            running.exit();
            if (write && reply != null && !(reply instanceof RespValue.Error)) {
                writesServed.incrementAndGet();
            }
        });
    }

    /** Write commands answered without an error (so stored) since start. */
    public long writesServed() {
        return writesServed.get();
    }

    /**
     * Completes once no command the engine was given through {@link #execute} is still running:
     * the return to Redis waits for it before its last write-back pass.
     */
    public CompletionStage<Void> idle() {
        return running.whenIdle();
    }

    /**
     * Applies writes Redis has acknowledged, in order, as one group: every key of the group is
     * taken in {@link KeyLocks} (so the group is ordered with every other command on its keys),
     * loaded once, changed by each step in turn and written once, not divergent. This is the
     * tee's group commit: a thousand INCRs of one key are one load and one write.
     *
     * <p>Commands must check their arguments before changing a value in place (as every engine
     * command does): a step's error leaves the state for the next step untouched.
     *
     * <p>A step on a key MongoDB holds divergent is not run (its reply is null): that key was
     * written while serving from MongoDB, after whatever Redis acknowledged, and the write-back
     * makes Redis match it.
     */
    public CompletionStage<Applied> applyAll(int db, List<Step> steps) {
        return applyAll(db, steps, applied -> { });
    }

    /**
     * {@link #applyAll(int, List)}, calling {@code whileHeld} with the result while the group's
     * keys are still taken: what it records about them (a key found stale, say) is in place before
     * any later command on those keys runs.
     */
    public CompletionStage<Applied> applyAll(int db, List<Step> steps, java.util.function.Consumer<Applied> whileHeld) {
        List<List<byte[]>> stepKeys = new ArrayList<>(steps.size());
        LinkedHashSet<Bytes> unique = new LinkedHashSet<>();
        for (Step step : steps) {
            List<byte[]> keys = keysOf(step);
            stepKeys.add(keys);
            for (byte[] key : keys) {
                unique.add(Bytes.wrap(key));
            }
        }
        List<byte[]> keys = new ArrayList<>(unique.size());
        List<DbKey> lockKeys = new ArrayList<>(unique.size());
        for (Bytes key : unique) {
            keys.add(key.bytes());
            lockKeys.add(new DbKey(db, key));
        }
        KeyLocks.Held held = locks.acquire(lockKeys);
        CompletableFuture<Applied> result = held.ready
                .thenCompose(ignored -> keyspace.load(db, keys))
                .thenCompose(loaded -> applyLoaded(db, steps, stepKeys, loaded))
                .thenApply(applied -> {
                    whileHeld.accept(applied);
                    return applied;
                });
        return result.whenComplete((applied, error) -> locks.release(held));
    }

    /**
     * Runs {@code work} over the stored values of {@code keys} while those keys are taken in the
     * key locks, then stores the writes it returns: the write-back's way to write keys to Redis and
     * clear their marks with no command changing them in between (a command on one of them waits
     * for its write-back). Completes with whether the writes were all stored.
     */
    public CompletionStage<Boolean> withKeys(int db, List<byte[]> keys,
                                             java.util.function.Function<List<Stored>, CompletionStage<List<Write>>> work) {
        List<DbKey> lockKeys = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            lockKeys.add(new DbKey(db, Bytes.wrap(key)));
        }
        KeyLocks.Held held = locks.acquire(lockKeys);
        CompletableFuture<Boolean> result = held.ready
                .thenCompose(ignored -> keyspace.load(db, keys))
                .thenCompose(work)
                .thenCompose(writes -> writes.isEmpty() ? CompletableFuture.completedFuture(true)
                        : keyspace.write(db, writes));
        return result.whenComplete((stored, error) -> locks.release(held));
    }

    private List<byte[]> keysOf(Step step) {
        if (step instanceof Step.Put put) {
            return List.of(put.key());
        }
        RespRequest request = ((Step.Run) step).request();
        CommandSpec spec = table.get(request.name());
        if (spec == null || !commands.containsKey(request.name()) || !spec.arityAccepts(request.size())) {
            return List.of();
        }
        return keysOf(spec, request);
    }

    private CompletionStage<Applied> applyLoaded(int db, List<Step> steps, List<List<byte[]>> stepKeys,
                                                 List<Stored> loaded) {
        Map<Bytes, Stored> state = new HashMap<>();
        for (Stored s : loaded) {
            state.put(Bytes.wrap(s.key()), s);
        }
        LinkedHashSet<Bytes> changed = new LinkedHashSet<>();
        List<RespValue> replies = new ArrayList<>(steps.size());
        List<List<byte[]>> absent = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            List<byte[]> keys = stepKeys.get(i);
            Step step = steps.get(i);
            long at = step instanceof Step.Run run ? run.at() : clock.getAsLong();
            List<Stored> before = new ArrayList<>(keys.size());
            List<byte[]> missing = new ArrayList<>(0);
            for (byte[] key : keys) {
                Stored s = state.get(Bytes.wrap(key));
                before.add(s);
                if (!s.liveAt(at)) {
                    missing.add(key);
                }
            }
            absent.add(missing);
            if (touchesDivergent(before)) {
                // Written while serving from MongoDB and not in Redis yet: MongoDB's value is the
                // newer one, and the write-back will make Redis match it.
                replies.add(null);
                continue;
            }
            Txn txn = new Txn(before, at);
            replies.add(runStep(step, txn));
            for (Stored after : txn.changed()) {
                Bytes key = Bytes.wrap(after.key());
                state.put(key, after);
                changed.add(key);
            }
        }
        List<Write> writes = new ArrayList<>(changed.size());
        List<byte[]> tooLarge = new ArrayList<>(0);
        for (Stored s : loaded) {
            Bytes key = Bytes.wrap(s.key());
            Stored now = state.get(key);
            if (!changed.contains(key) || now.value() == null && s.version() == 0) {
                continue;
            }
            if (now.value() != null && now.value().weight() > MAX_VALUE_WEIGHT) {
                tooLarge.add(s.key());
            } else {
                writes.add(new Write(s.key(), s.version(), now.value(), now.expireAt(), false));
            }
        }
        if (writes.isEmpty()) {
            return CompletableFuture.completedFuture(new Applied(replies, absent, true, tooLarge));
        }
        return keyspace.write(db, writes).thenApply(stored -> new Applied(replies, absent, stored, tooLarge));
    }

    /** One step over its keys; errors are replies and change nothing. */
    private RespValue runStep(Step step, Txn txn) {
        if (step instanceof Step.Put put) {
            if (put.value() == null) {
                txn.delete(put.key());
            } else {
                txn.set(put.key(), put.value(), put.expireAt());
            }
            return null;
        }
        Step.Run run = (Step.Run) step;
        Command command = commands.get(run.request().name());
        CommandSpec spec = table.get(run.request().name());
        if (command == null || spec == null) {
            return EngineErrors.unavailable(run.request().argText(0).toUpperCase(Locale.ROOT));
        }
        if (!spec.arityAccepts(run.request().size())) {
            return Errors.wrongArity(spec.name());
        }
        try {
            return command.run(new Call(run.request(), txn, run.protocol(), random));
        } catch (CommandError e) {
            return e.reply();
        } catch (Txn.MissingKey e) {
            return new RespValue.Error("ERR kvfallback: " + spec.name() + " touched a key it does not declare");
        }
    }

    private static CompletionStage<RespValue> runKeyless(KeylessCommand command, Scope scope) {
        try {
            return command.run(scope);
        } catch (CommandError e) {
            return done(e.reply());
        }
    }

    private static boolean touchesDivergent(List<Stored> keys) {
        for (Stored s : keys) {
            if (s.divergent()) {
                return true;
            }
        }
        return false;
    }

    private static List<byte[]> keysOf(CommandSpec spec, RespRequest request) {
        return spec.keys(request.args());
    }

    private CompletionStage<RespValue> runLocked(int db, int protocol, RespRequest request, Command command,
                                                 List<byte[]> keys) {
        List<DbKey> lockKeys = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            lockKeys.add(new DbKey(db, Bytes.wrap(key)));
        }
        KeyLocks.Held held = locks.acquire(lockKeys);
        CompletableFuture<RespValue> result = held.ready
                .thenCompose(ignored -> attempt(db, protocol, request, command, keys, 1));
        return result.whenComplete((reply, error) -> locks.release(held));
    }

    private CompletableFuture<RespValue> attempt(int db, int protocol, RespRequest request, Command command,
                                                 List<byte[]> keys, int attempt) {
        return keyspace.load(db, keys).toCompletableFuture().thenCompose(stored -> {
            Txn txn = new Txn(stored, clock.getAsLong());
            RespValue reply;
            try {
                reply = command.run(new Call(request, txn, protocol, random));
            } catch (CommandError e) {
                return done(e.reply());
            } catch (Txn.MissingKey missing) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IllegalStateException("command keeps touching undeclared keys: " + request.name());
                }
                List<byte[]> more = new ArrayList<>(keys);
                more.add(missing.key);
                return attempt(db, protocol, request, command, more, attempt + 1);
            }
            List<Write> writes = txn.writes(divergent);
            if (writes.isEmpty()) {
                return done(reply);
            }
            for (Write w : writes) {
                if (w.value() != null && w.value().weight() > MAX_VALUE_WEIGHT) {
                    return done(EngineErrors.tooLarge(MAX_VALUE_WEIGHT + 64 * 1024));
                }
            }
            return keyspace.write(db, writes).toCompletableFuture().thenCompose(applied -> {
                if (applied) {
                    return done(reply);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    return done(new RespValue.Error("ERR kvfallback: the key kept changing under the command, try again"));
                }
                return attempt(db, protocol, request, command, keys, attempt + 1);
            });
        });
    }

    private static RespValue failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CommandError e) {
            return e.reply();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new RespValue.Error("ERR kvfallback: MongoDB unavailable (" + message.replace('\r', ' ').replace('\n', ' ') + ")");
    }

    private static CompletableFuture<RespValue> done(RespValue value) {
        return CompletableFuture.completedFuture(value);
    }
}
