package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.netty.channel.EventLoop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;

/**
 * One event loop's pinned connections opened ahead of need, by protocol: a session that needs its
 * own connection (BLPOP, MULTI, another db) takes one and its command leaves at once, in the order
 * the proxy read it, instead of after a connect that later commands of other clients would
 * overtake. A protocol's pool starts with its first use (RESP2's at start), is refilled as it is
 * taken from ({@link #WARM}), takes back sessions' connections with nothing in flight once Redis
 * has reset them (up to {@link #MAX}), and drops one closed while idle.
 *
 * <p>Confined to its event loop.
 */
final class WarmConnections {

    /** Connections opened ahead of need, per protocol in use. */
    static final int WARM = 2;
    /** Connections kept for reuse when sessions give theirs back, per protocol. */
    static final int MAX = 4;

    /** A warm connection, and its Redis client id once CLIENT ID has answered. */
    static final class Warm {
        final StatefulRedisConnection<byte[], byte[]> connection;
        long id;

        Warm(StatefulRedisConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        void identified(RespValue reply) {
            if (reply instanceof RespValue.Int n) {
                id = n.value();
            }
        }
    }

    private final EventLoop loop;
    private final IntFunction<CompletionStage<StatefulRedisConnection<byte[], byte[]>>> connect;
    private final int defaultDb;
    /** The URL's user and password, to authenticate a reset connection again; null without a password. */
    private final String[] credentials;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Warm>[] ready = new ArrayDeque[4];
    private final int[] opening = new int[4];
    private boolean closed;

    /**
     * @param connect opens a pinned connection of a protocol on the URL's db
     */
    WarmConnections(EventLoop loop, IntFunction<CompletionStage<StatefulRedisConnection<byte[], byte[]>>> connect,
                    RedisURI uri, String[] credentials) {
        this.loop = loop;
        this.connect = connect;
        this.defaultDb = uri.getDatabase();
        this.credentials = credentials;
        for (int protocol = 2; protocol <= 3; protocol++) {
            ready[protocol] = new ArrayDeque<>();
        }
    }

    /** A warm connection of {@code protocol}, or null if none is ready; the pool is refilled afterwards. */
    Warm take(int protocol) {
        Warm taken = ready[protocol].poll();
        while (taken != null && !taken.connection.isOpen()) {
            taken = ready[protocol].poll(); // closed while idle (Redis's idle timeout): dropped
        }
        // Refilled after the taker's command has left: a connect's setup must not delay it.
        loop.execute(() -> fill(protocol));
        return taken;
    }

    /** Whether the pool of {@code protocol} would take a connection back. */
    boolean hasRoom(int protocol) {
        return !closed && ready[protocol].size() + opening[protocol] < MAX;
    }

    /**
     * Takes a session's connection back once Redis has reset it as a new connection: RESET (which
     * also ends a MULTI, WATCH, tracking and a SELECT), then the handshake's protocol and
     * credentials and the URL's db again. Closed if any step fails.
     */
    void recycle(int protocol, StatefulRedisConnection<byte[], byte[]> c, long id) {
        opening[protocol]++;
        List<RespRequest> steps = new ArrayList<>(List.of(RespRequest.of("RESET")));
        if (protocol == 3) {
            steps.add(credentials == null ? RespRequest.of("HELLO", "3")
                    : RespRequest.of("HELLO", "3", "AUTH", credentials[0], credentials[1]));
        } else if (credentials != null) {
            steps.add(RespRequest.of("AUTH", credentials[0], credentials[1]));
        }
        if (defaultDb != 0) {
            steps.add(RespRequest.of("SELECT", Integer.toString(defaultDb)));
        }
        boolean[] failed = new boolean[1];
        for (int i = 0; i < steps.size(); i++) {
            boolean last = i == steps.size() - 1;
            c.dispatch(new RawCommand(loop, protocol, steps.get(i), reply -> {
                failed[0] |= reply instanceof RespValue.Error;
                if (!last) {
                    return;
                }
                opening[protocol]--;
                if (failed[0] || closed || !c.isOpen()) {
                    c.closeAsync();
                    return;
                }
                Warm w = new Warm(c);
                w.id = id;
                ready[protocol].add(w);
            }));
        }
    }

    /** Opens connections until {@link #WARM} are ready or opening; a failure waits for the next take. */
    void fill(int protocol) {
        while (!closed && ready[protocol].size() + opening[protocol] < WARM) {
            opening[protocol]++;
            connect.apply(protocol).whenComplete((c, error) -> loop.execute(() -> {
                opening[protocol]--;
                if (c == null) {
                    return;
                }
                if (closed) {
                    c.closeAsync();
                    return;
                }
                Warm w = new Warm(c);
                c.dispatch(new RawCommand(loop, protocol, RespRequest.of("CLIENT", "ID"), w::identified));
                ready[protocol].add(w);
            }));
        }
    }

    /** Closes every idle connection; none is opened or taken back after. */
    void close() {
        closed = true;
        for (ArrayDeque<Warm> pool : ready) {
            if (pool != null) {
                pool.forEach(w -> w.connection.closeAsync());
                pool.clear();
            }
        }
    }
}
