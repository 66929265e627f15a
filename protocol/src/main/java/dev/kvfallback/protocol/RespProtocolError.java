package dev.kvfallback.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A client broke the RESP request protocol. {@link RespRequestDecoder} emits this once, after every
 * command that preceded the bad bytes, and then ignores the rest of the connection's input; the
 * session replies {@link #reply()} after the earlier replies, flushes and closes, as Redis does.
 *
 * @param message Redis's text without the {@code ERR } code, e.g.
 *        {@code Protocol error: invalid bulk length}. Each char stands for one byte (ISO-8859-1),
 *        because {@code expected '$', got 'X'} quotes a raw byte of the client's input.
 * @param replied whether Redis answers it before closing; a client past its query buffer limit is
 *        closed without a word (Redis only logs it), and so is this one
 */
public record RespProtocolError(String message, boolean replied) {

    /** A protocol error Redis answers with {@code -ERR message} before closing. */
    public RespProtocolError(String message) {
        this(message, true);
    }

    /** The error reply Redis sends: {@code -ERR <message>}, byte for byte. */
    public RespValue.Error reply() {
        return new RespValue.Error(("ERR " + message).getBytes(StandardCharsets.ISO_8859_1));
    }
}
