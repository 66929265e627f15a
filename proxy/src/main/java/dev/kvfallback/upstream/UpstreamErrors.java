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
        return Secrets.none().redact(message.replace('\r', ' ').replace('\n', ' '));
    }
}
