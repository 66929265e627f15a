package dev.kvfallback.failover;

import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.ErrorClassifier;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a command's client gets when Redis cannot serve it, decided in one place and without a
 * socket: whether Redis's error reply means Redis cannot serve ({@link #fallsBack}); then the
 * switch to MongoDB and the command run again there ({@link #rerun}); and MongoDB's reply as the
 * client gets it, a failure there naming both causes while Redis is down too ({@link #onMongo}).
 *
 * <p>Threads: any. The returned stages complete on whichever thread MongoDB's work completes on;
 * a session hops back to its own loop.
 */
public final class FailoverBackend {

    /** Somewhere a command can run: its reply, an error reply, or a failed stage. */
    public interface Backend {
        CompletionStage<RespValue> execute(int db, int protocol, RespRequest request);
    }

    private final Backend mongo;
    private final Consumer<String> trip;
    private final Supplier<String> redisDown;

    /**
     * @param mongo     the engine over MongoDB, once the mode may serve from it
     * @param trip      switches to MongoDB, given Redis's error's text (nothing when Redis is never used)
     * @param redisDown why Redis cannot serve now, or null while it can (or is never used)
     */
    public FailoverBackend(Backend mongo, Consumer<String> trip, Supplier<String> redisDown) {
        this.mongo = mongo;
        this.trip = trip;
        this.redisDown = redisDown;
    }

    /**
     * Whether Redis's error reply to a command ({@code write} or not) means Redis cannot serve it
     * ({@link ErrorClassifier}). A {@code BUSY} that a script of the proxy's own clients causes
     * ({@code busyExcused}) is Redis working as asked, not failing.
     */
    public static boolean fallsBack(RespValue.Error error, boolean write, boolean busyExcused) {
        if (busyExcused && error.code().equals("BUSY")) {
            return false;
        }
        return ErrorClassifier.fallsBack(error.bytes(), write);
    }

    /** Redis answered {@code redisError} and cannot serve: switches to MongoDB and runs the command there. */
    public CompletionStage<RespValue> rerun(RespValue.Error redisError, int db, int protocol, RespRequest request) {
        trip.accept(Errors.text(redisError));
        return onMongo(db, protocol, request);
    }

    /** Runs the command on MongoDB; the reply as its client gets it. */
    public CompletionStage<RespValue> onMongo(int db, int protocol, RespRequest request) {
        return mongo.execute(db, protocol, request).handle(this::asClientGetsIt);
    }

    /**
     * MongoDB's reply, or its failure, as the client gets it: a failure is an error reply, and while
     * Redis is down too the error names both causes, never a hang.
     */
    public RespValue asClientGetsIt(RespValue value, Throwable error) {
        RespValue reply = value != null ? value
                : new RespValue.Error(("ERR kvfallback: " + error).replace('\r', ' ').replace('\n', ' '));
        String down = redisDown.get();
        return reply instanceof RespValue.Error e && down != null ? Errors.bothDown(down, e) : reply;
    }
}
