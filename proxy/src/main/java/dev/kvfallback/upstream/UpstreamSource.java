package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Redis as the tee, the probes and the write-back use it, over the proxy's own upstream: the
 * default db on one event loop's shared RESP2 connection (or, with {@code ownConnections}, a
 * connection of its own), any other db on a connection pinned to it (opened once, on that loop,
 * and again after it lost Redis).
 *
 * <p>Threads: callers hop onto the loop; replies complete there. Failures arrive as error replies.
 */
public final class UpstreamSource implements RedisSource {

    private final Upstream upstream;
    private final EventLoop loop;
    private final boolean ownConnections;
    /** Connections to dbs other than the default; touched on {@link #loop} only. */
    private final Map<Integer, Upstream.Pinned> pinned = new HashMap<>();

    public UpstreamSource(Upstream upstream, EventLoop loop) {
        this(upstream, loop, false);
    }

    /**
     * @param ownConnections every db on a connection of this source's own, the default db too: for
     *                       the write-back, whose MULTI blocks must not share a connection with clients
     */
    public UpstreamSource(Upstream upstream, EventLoop loop, boolean ownConnections) {
        this.upstream = upstream;
        this.loop = loop;
        this.ownConnections = ownConnections;
    }

    @Override
    public CompletionStage<List<RespValue>> call(int db, List<RespRequest> commands) {
        CompletableFuture<List<RespValue>> done = new CompletableFuture<>();
        loop.execute(() -> {
            List<RespValue> replies = new ArrayList<>(commands.size());
            for (RespRequest command : commands) {
                send(db, command, reply -> {
                    replies.add(reply);
                    if (replies.size() == commands.size()) {
                        done.complete(replies);
                    }
                });
            }
            upstream.flush(loop);
        });
        return done;
    }

    private void send(int db, RespRequest command, java.util.function.Consumer<RespValue> reply) {
        if (db == upstream.defaultDb() && !ownConnections) {
            upstream.send(loop, 2, command, reply);
            return;
        }
        Upstream.Pinned connection = pinned.computeIfAbsent(db, d ->
                upstream.pin(loop, 2, d, ignored -> { }, () -> loop.execute(() -> pinned.remove(d))));
        connection.send(command, answer -> {
            if (answer instanceof RespValue.Error e && ErrorClassifier.classify(e.bytes()) == ErrorClassifier.Kind.UNAVAILABLE
                    && pinned.remove(db, connection)) {
                // A pinned connection does not reconnect by itself: the next call opens a new one.
                connection.close();
            }
            reply.accept(answer);
        });
    }

    /** Closes the pinned connections. */
    public void close() {
        loop.execute(() -> {
            pinned.values().forEach(Upstream.Pinned::close);
            pinned.clear();
        });
    }
}
