package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link Upstream} on Lettuce.
 *
 * <p>Design: one {@link RedisClient} per server event loop, whose connections are registered on
 * that very loop (its {@link EventLoopGroupProvider} hands Lettuce the loop itself). A client's
 * command, its upstream write, Redis's reply and the client's reply all run on one thread: no
 * hand-off, no locks. Commands for a shared connection wait in the link; the server asks for a
 * flush once per read batch and the link hands them to Lettuce once per loop round, after the
 * round's reads, so commands from many clients on a loop leave in one write. Pinned connections
 * (one session's MULTI, blocking commands, another db, pub/sub) do not reconnect: the session's
 * server-side state would be gone, so the session is closed instead.
 */
public final class LettuceUpstream implements Upstream {

    /** Commands that may wait for a connection being made; more fail at once rather than pile up. */
    private static final int MAX_WAITING = 10_000;
    private static final long RETRY_MILLIS = 1_000;
    /** How often shared connections look for timed-out commands; a timeout fires at most this late. */
    private static final long SWEEP_MILLIS = 100;
    /** For the control connections: what runs there never holds Redis itself. */
    private static final Scripts NO_SCRIPTS = new Scripts(0);

    private final RedisURI uri;
    private final String redacted;
    private final File caCert;
    private final EventExecutorGroup computation = new DefaultEventExecutorGroup(1);
    private final HashedWheelTimer timer = new HashedWheelTimer();
    private final Map<EventLoop, Link> links = new HashMap<>();
    private final Scripts scripts;
    /** The URL's user and password for re-authenticating a recycled connection; null without a password. */
    private final String[] credentials;

    /**
     * @param uri    the upstream URL ({@code redis://}, {@code rediss://}, with user, password and db)
     * @param loops  the server's event loops; each gets its own Lettuce client bound to it
     * @param caCert a PEM file of CA certificates to trust for {@code rediss://}, or null for the JDK's
     * @param connectAhead whether to open each loop's control connection at start (not when Redis is never used)
     */
    public LettuceUpstream(RedisURI uri, String redactedUrl, Iterable<EventExecutor> loops, File caCert,
                           boolean connectAhead) {
        this.uri = uri;
        this.redacted = redactedUrl;
        this.caCert = caCert;
        this.scripts = new Scripts(uri.getTimeout().toNanos());
        this.credentials = credentials(uri);
        for (EventExecutor executor : loops) {
            EventLoop loop = (EventLoop) executor;
            links.put(loop, new Link(loop, connectAhead));
        }
    }

    @Override
    public void send(EventLoop loop, int protocol, RespRequest request, Consumer<RespValue> reply) {
        Link link = link(loop);
        RawCommand command = command(loop, protocol, request, reply);
        link.deadlines[protocol].track(command);
        link.pending[protocol].add(command);
    }

    /** The URL's static credentials, resolved once at start: user (or {@code default}) and password. */
    private static String[] credentials(RedisURI uri) {
        if (uri.getCredentialsProvider() == null) {
            return null;
        }
        RedisCredentials c = uri.getCredentialsProvider().resolveCredentials().block();
        if (c == null || !c.hasPassword()) {
            return null;
        }
        return new String[] {c.hasUsername() ? c.getUsername() : "default", new String(c.getPassword())};
    }

    @Override
    public void sendAlone(EventLoop loop, RespRequest request, Consumer<RespValue> reply) {
        link(loop).sendAlone(request, reply);
    }

    @Override
    public boolean excusesBusy() {
        return scripts.excuseBusy();
    }

    /** A command for Redis; a script is counted while it runs ({@link Scripts}). */
    private RawCommand command(EventLoop loop, int protocol, RespRequest request, Consumer<RespValue> reply) {
        RawCommand command = new RawCommand(loop, protocol, request, reply);
        if (Scripts.isScript(request)) {
            scripts.started();
            command.onComplete((value, error) -> scripts.ended());
        }
        return command;
    }

    @Override
    public void flush(EventLoop loop) {
        link(loop).scheduleFlush();
    }

    @Override
    public Pinned pin(EventLoop loop, int protocol, int db, Consumer<RespValue> pushes, Runnable onClosed) {
        return new PinnedConnection(link(loop), protocol, db, pushes, onClosed);
    }

    @Override
    public Subscriber subscriber(EventLoop loop, Consumer<PubSubEvent> events, Runnable onClosed) {
        return new PubSubConnection(link(loop), events, onClosed);
    }

    @Override
    public int defaultDb() {
        return uri.getDatabase();
    }

    @Override
    public String redactedUrl() {
        return redacted;
    }

    @Override
    public void close() {
        for (Link link : links.values()) {
            link.close();
        }
        timer.stop();
        computation.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Link link(EventLoop loop) {
        Link link = links.get(loop);
        if (link == null) {
            throw new IllegalStateException("not a server event loop: " + loop);
        }
        return link;
    }

    private ClientOptions options(int protocol, boolean pinned) {
        ClientOptions.Builder b = ClientOptions.builder()
                .protocolVersion(protocol == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
                .autoReconnect(!pinned)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(MAX_WAITING * 10)
                .publishOnScheduler(false)
                // A plain deque for the commands awaiting replies: the hash index (on by default)
                // only speeds up removing cancelled commands, and costs a map entry and an identity
                // hash per command (~5-8% of the proxy's CPU per request).
                .useHashIndexQueue(false);
        // Shared connections time commands out themselves, far cheaper (see Deadlines). Pinned
        // connections carry blocking commands (BLPOP key 0 waits for ever in Redis), so no
        // command timeout may cut them short.
        b.timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build());
        if (uri.isSsl() && caCert != null) {
            b.sslOptions(SslOptions.builder().trustManager(caCert).build());
        }
        return b.build();
    }

    private RedisURI uriFor(int db) {
        RedisURI copy = RedisURI.builder(uri).withDatabase(db).build();
        copy.setCredentialsProvider(uri.getCredentialsProvider());
        return copy;
    }

    /**
     * Puts a {@link ShapeRecorder} and a {@link WriteCoalescer} right before Lettuce's command
     * handler (after TLS, if any).
     */
    private static void installReplyHandlers(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext ctx = pipeline.context(CommandHandler.class);
        if (ctx == null) {
            throw new IllegalStateException("Lettuce pipeline has no CommandHandler: " + pipeline.names());
        }
        if (!(ctx.handler() instanceof io.lettuce.core.pubsub.PubSubCommandHandler)) {
            pipeline.addBefore(ctx.name(), "kvfallback-shapes", new ShapeRecorder(((CommandHandler) ctx.handler())::getStack));
            pipeline.addBefore(ctx.name(), "kvfallback-coalescer", new WriteCoalescer());
        }
    }

    /** Runs a command on a connection once it is up. */
    private record Dispatch<C extends StatefulRedisConnection<byte[], byte[]>>(RawCommand command)
            implements Connector.Work<C> {
        @Override
        public void run(C connection) {
            connection.dispatch(command);
        }

        @Override
        public void fail(Throwable cause) {
            command.completeExceptionally(cause);
        }
    }

    /** Everything bound to one server event loop: its Lettuce client and its shared connections. */
    private final class Link {
        final EventLoop loop;
        final ClientResources resources;
        /** One client per option set: Lettuce reads a client's options while connecting, asynchronously. */
        final Map<String, RedisClient> clients = new HashMap<>();
        @SuppressWarnings("unchecked")
        final Connector<StatefulRedisConnection<byte[], byte[]>>[] shared = new Connector[4];
        /** Per shared connection, by protocol as {@link #shared}. */
        final Deadlines[] deadlines = new Deadlines[4];
        /**
         * A connection of its own for the commands Redis runs while a script holds it (SCRIPT KILL,
         * FUNCTION KILL...): on a shared connection they would wait behind the very script. RESP3:
         * its replies are written to RESP2 clients by the encoder's downgrade, which is exact for
         * these replies (maps, nulls). Opened at start, since Redis refuses a new connection's
         * handshake while a script holds it.
         */
        final Connector<StatefulRedisConnection<byte[], byte[]>> alone;
        final Deadlines aloneDeadlines;
        /** Pinned connections opened ahead of need. */
        final WarmConnections warm;
        final ScheduledFuture<?> sweep;
        /** Commands sent since the last flush, by protocol as {@link #shared}. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        final ArrayList<RawCommand>[] pending = new ArrayList[4];
        private final Runnable flushTask = this::flushNow;
        private boolean flushScheduled;

        Link(EventLoop loop, boolean connectAhead) {
            this.loop = loop;
            long timeout = uri.getTimeout().toNanos();
            for (int protocol = 2; protocol <= 3; protocol++) {
                deadlines[protocol] = new Deadlines(timeout, scripts);
                pending[protocol] = new ArrayList<>();
            }
            this.sweep = loop.scheduleAtFixedRate(this::expire, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            this.resources = DefaultClientResources.builder()
                    .eventLoopGroupProvider(new SingleLoopProvider(loop))
                    .eventExecutorGroup(computation)
                    .timer(timer)
                    .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                    .nettyCustomizer(new NettyCustomizer() {
                        @Override
                        public void afterChannelInitialized(Channel channel) {
                            installReplyHandlers(channel);
                        }
                    })
                    .build();
            this.aloneDeadlines = new Deadlines(timeout, NO_SCRIPTS);
            this.alone = connector(3, "Redis control");
            RedisURI target = uriFor(uri.getDatabase());
            this.warm = new WarmConnections(loop,
                    protocol -> client(protocol, true).connectAsync(ByteArrayCodec.INSTANCE, target), uri, credentials);
            if (connectAhead) {
                loop.execute(() -> {
                    alone.open();
                    warm.fill(2);
                });
            }
        }

        RedisClient client(int protocol, boolean pinned) {
            return clients.computeIfAbsent(protocol + (pinned ? "p" : "s"), k -> {
                RedisClient c = RedisClient.create(resources);
                c.setOptions(options(protocol, pinned));
                return c;
            });
        }

        Connector<StatefulRedisConnection<byte[], byte[]>> shared(int protocol) {
            if (shared[protocol] == null) {
                shared[protocol] = connector(protocol, "Redis");
            }
            return shared[protocol];
        }

        void sendAlone(RespRequest request, Consumer<RespValue> reply) {
            RawCommand command = command(loop, 3, request, reply);
            aloneDeadlines.track(command);
            alone.submit(new Dispatch<>(command));
        }

        private Connector<StatefulRedisConnection<byte[], byte[]>> connector(int protocol, String what) {
            RedisURI target = uriFor(uri.getDatabase());
            RedisClient client = client(protocol, false);
            return new Connector<>(loop, what, () -> client.connectAsync(ByteArrayCodec.INSTANCE, target),
                    MAX_WAITING, RETRY_MILLIS, conn -> { });
        }

        /**
         * Flushes once the loop has handled the I/O at hand: every client read in this round then
         * leaves in one upstream write instead of one write (a syscall) per client.
         */
        void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                loop.execute(flushTask);
            }
        }

        /**
         * Hands each protocol's pending commands to Lettuce as one collection: its endpoint takes
         * its writer lock once per batch instead of once per command, and (auto-flush being on)
         * writes and flushes them in one go.
         */
        private void flushNow() {
            flushScheduled = false;
            for (int protocol = 2; protocol <= 3; protocol++) {
                ArrayList<RawCommand> batch = pending[protocol];
                if (batch.isEmpty()) {
                    continue;
                }
                pending[protocol] = new ArrayList<>(batch.size());
                Connector<StatefulRedisConnection<byte[], byte[]>> connector = shared(protocol);
                var connection = connector.connection();
                if (connection != null) {
                    connection.dispatch(batch);
                } else {
                    // Not connected yet: queue each command, within the connector's bound.
                    for (RawCommand command : batch) {
                        connector.submit(new Dispatch<>(command));
                    }
                }
            }
        }

        void expire() {
            long now = System.nanoTime();
            for (int protocol = 2; protocol <= 3; protocol++) {
                deadlines[protocol].expire(now);
            }
            aloneDeadlines.expire(now);
            if (scripts.probeNow(now)) {
                sendAlone(RespRequest.of("PING"), scripts::replied);
            }
        }

        /**
         * Closes the connections on their loop (connectors are loop-confined), then waits for the
         * clients to shut down while the loop still runs: Lettuce's shutdown notifies listeners on
         * it, and a loop shut down first would reject them. Called off the loop.
         */
        void close() {
            loop.submit(() -> {
                sweep.cancel(false);
                for (Connector<?> c : shared) {
                    if (c != null) {
                        c.close();
                    }
                }
                alone.close();
                warm.close();
            }).awaitUninterruptibly(2, TimeUnit.SECONDS);
            CompletableFuture<?>[] shutdowns = clients.values().stream()
                    .map(c -> c.shutdownAsync(0, 1, TimeUnit.SECONDS))
                    .toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.allOf(shutdowns).get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Shutting down regardless: a connection that would not close in time is dropped with its loop.
            }
            resources.shutdown(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * A session's own connection: MULTI/EXEC, WATCH, blocking commands, another db, tracking. Taken
     * warm from the loop's pool when one is ready (then a SELECT goes first for another db), else
     * opened now.
     */
    private final class PinnedConnection implements Pinned {
        private final Link link;
        private final Connector<StatefulRedisConnection<byte[], byte[]>> connector;
        private final int protocol;
        /** Redis's client id of the connection: the warm one's, or asked when it was opened. */
        private final WarmConnections.Warm identity;
        private final PushListener pushListener;
        private final ClosedListener closedListener;
        /** Commands sent and not yet answered: a connection with none may go back to the pool. */
        private int inflight;

        PinnedConnection(Link link, int protocol, int db, Consumer<RespValue> pushes, Runnable onClosed) {
            this.link = link;
            this.protocol = protocol;
            this.pushListener = message -> pushes.accept(PushValues.toResp(message));
            this.closedListener = new ClosedListener(link.loop, onClosed);
            WarmConnections.Warm ready = link.warm.take(protocol);
            RedisURI target = uriFor(db);
            RedisClient client = link.client(protocol, true);
            this.connector = new Connector<>(link.loop, "pinned Redis",
                    () -> client.connectAsync(ByteArrayCodec.INSTANCE, target), MAX_WAITING, Long.MAX_VALUE, conn -> {
                conn.addListener(pushListener);
                conn.addListener(closedListener);
            });
            if (ready != null) {
                identity = ready;
                connector.adopt(ready.connection);
                if (db != uri.getDatabase()) {
                    send(RespRequest.of("SELECT", Integer.toString(db)), ignored -> { });
                }
            } else {
                identity = new WarmConnections.Warm(null);
                send(RespRequest.of("CLIENT", "ID"), identity::identified);
            }
        }

        @Override
        public long id() {
            return identity.id;
        }

        @Override
        public void send(RespRequest request, Consumer<RespValue> reply) {
            inflight++;
            connector.submit(new Dispatch<>(command(link.loop, protocol, request, value -> {
                inflight--;
                reply.accept(value);
            })));
        }

        /**
         * Ends the session's use: a connection with nothing in flight goes back to the loop's pool
         * (reset there); one with a command in flight (a blocked BLPOP) is closed at once, so
         * nothing of a departed client still runs in Redis.
         */
        @Override
        public void close() {
            StatefulRedisConnection<byte[], byte[]> c = connector.connection();
            if (c == null || inflight > 0 || !c.isOpen() || !link.warm.hasRoom(protocol)) {
                connector.close();
                return;
            }
            c.removeListener(pushListener);
            c.removeListener(closedListener);
            connector.detach();
            link.warm.recycle(protocol, c, identity.id);
        }
    }

    /** A session's pub/sub connection, driven through Lettuce's pub/sub API. */
    private final class PubSubConnection implements Subscriber {
        private final Connector<StatefulRedisPubSubConnection<byte[], byte[]>> connector;
        private final Consumer<PubSubEvent> events;

        PubSubConnection(Link link, Consumer<PubSubEvent> events, Runnable onClosed) {
            this.events = events;
            RedisURI target = uriFor(uri.getDatabase());
            RedisClient client = link.client(2, true);
            this.connector = new Connector<>(link.loop, "pub/sub Redis",
                    () -> client.connectPubSubAsync(ByteArrayCodec.INSTANCE, target), MAX_WAITING, Long.MAX_VALUE, conn -> {
                conn.addListener(new Relay(events));
                conn.addListener(new ClosedListener(link.loop, onClosed));
            });
        }

        @Override
        public void send(String command, byte[][] names) {
            connector.submit(new Connector.Work<>() {
                @Override
                public void run(StatefulRedisPubSubConnection<byte[], byte[]> c) {
                    var async = c.async();
                    switch (command) {
                        case "subscribe" -> async.subscribe(names);
                        case "psubscribe" -> async.psubscribe(names);
                        case "ssubscribe" -> async.ssubscribe(names);
                        case "unsubscribe" -> async.unsubscribe(names);
                        case "punsubscribe" -> async.punsubscribe(names);
                        case "sunsubscribe" -> async.sunsubscribe(names);
                        default -> throw new IllegalArgumentException(command);
                    }
                }

                @Override
                public void fail(Throwable cause) {
                    events.accept(new PubSubEvent("error", null, UpstreamErrors.describe(cause).getBytes(), null, 0));
                }
            });
        }

        @Override
        public void close() {
            connector.close();
        }
    }

    /** Turns Lettuce's pub/sub callbacks back into the frames Redis sent. */
    private record Relay(Consumer<PubSubEvent> events) implements io.lettuce.core.pubsub.RedisPubSubListener<byte[], byte[]> {
        @Override public void message(byte[] channel, byte[] message) {
            events.accept(new PubSubEvent("message", null, channel, message, 0));
        }
        @Override public void message(byte[] pattern, byte[] channel, byte[] message) {
            events.accept(new PubSubEvent("pmessage", pattern, channel, message, 0));
        }
        @Override public void smessage(byte[] channel, byte[] message) {
            events.accept(new PubSubEvent("smessage", null, channel, message, 0));
        }
        @Override public void subscribed(byte[] channel, long count) {
            events.accept(new PubSubEvent("subscribe", null, channel, null, count));
        }
        @Override public void psubscribed(byte[] pattern, long count) {
            events.accept(new PubSubEvent("psubscribe", null, pattern, null, count));
        }
        @Override public void ssubscribed(byte[] channel, long count) {
            events.accept(new PubSubEvent("ssubscribe", null, channel, null, count));
        }
        @Override public void unsubscribed(byte[] channel, long count) {
            events.accept(new PubSubEvent("unsubscribe", null, channel, null, count));
        }
        @Override public void punsubscribed(byte[] pattern, long count) {
            events.accept(new PubSubEvent("punsubscribe", null, pattern, null, count));
        }
        @Override public void sunsubscribed(byte[] channel, long count) {
            events.accept(new PubSubEvent("sunsubscribe", null, channel, null, count));
        }
    }

    /** Tells the session its pinned connection is gone, on the session's loop. */
    private record ClosedListener(EventLoop loop, Runnable onClosed) implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            loop.execute(onClosed);
        }
    }

    /**
     * Hands Lettuce one event loop as its "group", so every connection of that client is
     * registered on the server loop that uses it. The loop belongs to the server: never shut down here.
     */
    private record SingleLoopProvider(EventLoop loop) implements EventLoopGroupProvider {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quiet, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quiet, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
