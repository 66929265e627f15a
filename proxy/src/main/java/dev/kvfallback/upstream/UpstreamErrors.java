package dev.kvfallback.upstream;

import dev.kvfallback.config.Secrets;
import dev.kvfallback.protocol.RespValue;

/**
 * Error replies for an upstream that could not answer: they name the cause and never the URL's secrets.
 */
public final class UpstreamErrors {

    private UpstreamErrors() {
    }

    /** {@code ERR kvfallback: Redis unavailable (cause)}. */
    public static RespValue.Error unavailable(Throwable cause) {
        return new RespValue.Error("ERR kvfallback: Redis unavailable (" + describe(cause) + ")");
    }

    /**
     * The error reply for a round trip that ended in {@code cause}: {@link #unavailable} when Redis
     * or the way to it failed (no connection, closed, timed out); when the proxy itself failed to
     * read a reply (a decoder's limit, a bug), an ordinary command error, which switches no mode:
     * {@code ERR kvfallback: could not read Redis's reply (cause)}.
     */
    public static RespValue.Error of(Throwable cause) {
        String refusal = redisRefusal(cause);
        if (refusal != null) {
            return new RespValue.Error(refusal);
        }
        if (!isInternal(cause)) {
            return unavailable(cause);
        }
        return new RespValue.Error("ERR kvfallback: could not read Redis's reply (" + describe(cause) + ")");
    }

    /**
     * Redis's own error reply behind {@code cause}, if Redis refused the connection's handshake
     * ({@code BUSY} while a script holds it, {@code LOADING}, {@code NOAUTH}...): the client gets
     * that error, as it would from Redis, and it is classified as what it is.
     */
    private static String redisRefusal(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.lettuce.core.RedisCommandExecutionException && t.getMessage() != null
                    && !t.getMessage().isBlank()) {
                return oneLine(t.getMessage());
            }
        }
        return null;
    }

    /**
     * Whether {@code cause} is the proxy's own failure: a protocol error of Lettuce's decoder, or an
     * exception other than Lettuce's connection and timeout ones and the connector's closed state.
     */
    static boolean isInternal(Throwable cause) {
        return cause instanceof io.lettuce.core.protocol.RedisProtocolException
                || cause instanceof Error
                || cause instanceof RuntimeException && !(cause instanceof io.lettuce.core.RedisException)
                        && !(cause instanceof IllegalStateException);
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "command cancelled";
        }
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        // A driver's message may quote a URI: its password never reaches a client.
        return oneLine(message);
    }

    /** {@code message} fit for a client's error reply: one line, no secret of the URL's. */
    private static String oneLine(String message) {
        return Secrets.none().redact(message.replace('\r', ' ').replace('\n', ' '));
    }
}
