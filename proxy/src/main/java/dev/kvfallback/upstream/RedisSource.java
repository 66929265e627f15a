package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The upstream Redis as the tee reads it: commands on a logical db, in RESP2, off any client's
 * connection. Replies in order per call; errors (a Redis error, or Redis unreachable) are
 * {@link RespValue.Error} replies, never a failed stage.
 */
public interface RedisSource {

    /** Sends the commands in order on one connection selected to {@code db}; completes with their replies. */
    CompletionStage<List<RespValue>> call(int db, List<RespRequest> commands);
}
