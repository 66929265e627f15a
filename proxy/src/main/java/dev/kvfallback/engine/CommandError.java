package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespValue;

/**
 * Thrown by a command to reply with an error. Commands check everything before they change
 * anything, as Redis's do, so an error never leaves half a write behind.
 */
public final class CommandError extends RuntimeException {

    private final RespValue.Error reply;

    public CommandError(RespValue.Error reply) {
        super(reply.text(), null, false, false);
        this.reply = reply;
    }

    public CommandError(String text) {
        this(new RespValue.Error(text));
    }

    public RespValue.Error reply() {
        return reply;
    }
}
