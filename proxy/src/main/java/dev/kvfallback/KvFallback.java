package dev.kvfallback;

import dev.kvfallback.admin.AdminServer;
import dev.kvfallback.admin.ProxyAdmin;
import dev.kvfallback.command.CommandTable;
import dev.kvfallback.command.LocalCommands;
import dev.kvfallback.command.Users;
import dev.kvfallback.config.ProxyConfig;
import dev.kvfallback.config.Secrets;
import dev.kvfallback.logging.RedactingEncoder;
import dev.kvfallback.engine.CachingKeyspace;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.Keyspace;
import dev.kvfallback.failover.Backends;
import dev.kvfallback.failover.Failover;
import dev.kvfallback.failover.Recovery;
import dev.kvfallback.metrics.ProxyMetrics;
import dev.kvfallback.mongo.MongoStore;
import dev.kvfallback.protocol.RespLimits;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.replay.Replayer;
import dev.kvfallback.server.ClientTls;
import dev.kvfallback.server.ProxyInfo;
import dev.kvfallback.server.RespServer;
import dev.kvfallback.tee.Tee;
import dev.kvfallback.tee.Verifier;
import dev.kvfallback.upstream.LettuceUpstream;
import dev.kvfallback.upstream.RedisUrls;
import dev.kvfallback.upstream.UpstreamSource;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy: the composition of every part, built by {@link #start} with {@code new} and
 * closed in reverse order. Tests start it in-process; {@link Main} starts it from the command line.
 */
public final class KvFallback implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvFallback.class);
    /** How often expired keys are removed from MongoDB (divergent ones never). */
    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);
    /** The write-back: keys per batch (one MongoDB read, one pipelined Redis call, one bulk write), at most this many a second. */
    private static final int REPLAY_BATCH = 1000;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(5);
    /** How long a switch to MongoDB waits for writes in flight to Redis to land and reach MongoDB. */
    private static final Duration SWITCH_SETTLE = Duration.ofSeconds(30);
    /** The fallback's cache of keys, when this proxy writes its MongoDB database alone. */
    private static final int CACHE_ENTRIES = 200_000;
    private static final long CACHE_BYTES = 128L << 20;
    /** How long a stop waits for connected clients to get the replies to what they sent. */
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(10);

    private final EventLoopGroup group;
    private final LettuceUpstream upstream;
    private final MongoStore store;
    private final RespServer server;
    private final InetSocketAddress address;
    private final Tee tee;
    private final UpstreamSource source;
    private final AdminServer admin;
    private final InetSocketAddress adminAddress;
    private final Backends backends;
    private final ProxyMetrics metrics;
    private final Failover failover;
    private final Recovery recovery;
    private final UpstreamSource writeBack;

    private KvFallback(EventLoopGroup group, LettuceUpstream upstream, MongoStore store, RespServer server,
                       InetSocketAddress address, Tee tee, UpstreamSource source, AdminServer admin,
                       InetSocketAddress adminAddress, Backends backends, ProxyMetrics metrics, Failover failover,
                       Recovery recovery, UpstreamSource writeBack) {
        this.recovery = recovery;
        this.writeBack = writeBack;
        this.group = group;
        this.upstream = upstream;
        this.store = store;
        this.server = server;
        this.address = address;
        this.tee = tee;
        this.source = source;
        this.admin = admin;
        this.adminAddress = adminAddress;
        this.backends = backends;
        this.metrics = metrics;
        this.failover = failover;
    }

    public static KvFallback start(ProxyConfig config) throws InterruptedException {
        RedactingEncoder.use(Secrets.of(config));
        // Lettuce reads this once, when its Transports class loads: io_uring would need a loop type
        // of its own, and the server pairs with epoll or NIO. Set before anything touches Lettuce.
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
        RedisURI uri = RedisUrls.parse(config.redisUrl());
        if (!config.redisUrl().toLowerCase(Locale.ROOT).contains("timeout=")) {
            // The latency budget: a command past it is served from MongoDB (Upstash throttles late).
            uri.setTimeout(config.failover().commandTimeout());
        }
        // The server's loops and Lettuce's connections must share one transport: take Lettuce's.
        boolean epoll = Transports.socketChannelClass().getSimpleName().startsWith("Epoll");
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, io);
        LettuceUpstream upstream = new LettuceUpstream(uri, RedisUrls.redact(config.redisUrl()), group,
                config.redisCaCert() == null ? null : config.redisCaCert().toFile(), !config.forceFallback());
        MongoStore store = null;
        Tee tee = null;
        UpstreamSource writeBack = null;
        Replayer replayer = null;
        Recovery recovery = null;
        AdminServer admin = null;
        Backends backends = null;
        ProxyMetrics metrics = new ProxyMetrics();
        try {
            store = MongoStore.open(config.mongodbUri(), config.mongodbDb(), config.dataDir(), SWEEP_INTERVAL,
                    config.mongodbExclusive());
            Keyspace keyspace = config.mongodbExclusive()
                    ? new CachingKeyspace(store.keyspace(), CACHE_ENTRIES, CACHE_BYTES) : store.keyspace();
            CommandTable table = CommandTable.load();
            Failover failover = new Failover(config.forceFallback());
            // Forced fallback must not touch Redis, not even to ask its version.
            String version = failover.forced() ? table.redisVersion() : upstreamVersion(group, upstream, table.redisVersion());
            Engine engine = new Engine(keyspace, table, System::currentTimeMillis, new Random(),
                    config.databases(), true);
            Users users = new Users(config.requirePass(), config.users());
            LocalCommands local = new LocalCommands(table, users, config.databases(), version);
            UpstreamSource source = failover.forced() ? null : new UpstreamSource(upstream, group.next());
            Verifier verifier = null;
            if (source != null && config.tee().enabled()) {
                Tee.Settings defaults = Tee.Settings.defaults();
                tee = new Tee(engine, keyspace, source, config.databases(), new Tee.Settings(config.tee().backlog(),
                        defaults.maxBacklogBytes(), defaults.maxCopyKeys(), config.tee().copyRate(),
                        defaults.copyConcurrency()), System::currentTimeMillis, failover::servingEpoch);
                verifier = new Verifier(tee, keyspace, source, System::currentTimeMillis);
            }
            Tee teeRef = tee;
            Backends watched = new Backends(source, store);
            backends = watched;
            if (source != null) {
                writeBack = new UpstreamSource(upstream, group.next(), true);
                replayer = new Replayer(engine, store.keyspace()::divergentKeys, writeBack, config.databases(),
                        REPLAY_BATCH, config.failover().replayRate(), REPLAY_TIMEOUT.toMillis(), System::currentTimeMillis);
                // Both waits start with a task on every event loop: a command routed by the old mode
                // just before the switch has then sent its write (or started on the engine).
                recovery = new Recovery(failover, writeBack, upstream.defaultDb(), replayer,
                        () -> afterLoops(group).thenCompose(passed -> teeRef == null
                                ? CompletableFuture.completedFuture(null) : teeRef.settled(SWITCH_SETTLE)),
                        () -> afterLoops(group).thenCompose(passed -> engine.idle()),
                        engine::writesServed, watched::divergent, new Recovery.Settings(config.failover().probeInterval(),
                                config.failover().probeBackoffMax(), config.failover().probeSuccesses(),
                                PROBE_TIMEOUT), !config.failover().rehydrate() ? null : new Recovery.Rehydration(
                                () -> anyLiveKey(keyspace, config.databases()),
                                (db, after, count) -> keyspace.scan(db, after, count, System.currentTimeMillis())));
            }
            ProxyInfo info = new ProxyInfo(Main.version(), upstream.redactedUrl(),
                    () -> failover.mode().name().toLowerCase(java.util.Locale.ROOT),
                    teeRef == null ? null : () -> prefixed("tee_", teeRef.stats()), users::failures, Secrets.of(config));
            ProxyConfig.ClientLimits clients = config.clients();
            RespLimits limits = RespLimits.defaults().withMaxBulkLength(clients.maxBulkLength())
                    .withMaxArrayLength(clients.maxMultibulkLength()).withMaxInlineLength(clients.maxInlineLength())
                    .withMaxRequestBytes(clients.queryBufferLimit());
            RespServer server = new RespServer(group, serverChannel, table, local, upstream, engine, failover, recovery,
                    tee, metrics, info, limits, clients, config.tls() == null ? null : ClientTls.context(config.tls()));
            register(metrics, failover, backends, info, tee, replayer);
            admin = new AdminServer(config.adminListen(), config.adminKey(), new ProxyAdmin(failover, recovery, replayer,
                    backends, store, upstream.redactedUrl(), tee, verifier, metrics), config.metricsRequireKey(),
                    Secrets.of(config));
            // The admin endpoint last: a readiness check that sees it answer finds the port open too.
            InetSocketAddress bound = server.start(config.listen());
            InetSocketAddress adminBound;
            try {
                adminBound = startAdmin(admin);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            log.info("[Database] kvfallback {} listening on {} ({} transport, {} threads), upstream {} (Redis {}), "
                            + "MongoDB {}", Main.version(), bound, epoll ? "epoll" : "nio", threads,
                    upstream.redactedUrl(), version, store.description());
            if (tee == null && !failover.forced()) {
                log.warn("[Database] the backup tee is off: MongoDB does not follow Redis's writes");
            } else if (tee != null && config.tee().backfillAtStart()) {
                tee.copier().startBackfill();
            }
            return new KvFallback(group, upstream, store, server, bound, tee, source, admin, adminBound, backends,
                    metrics, failover, recovery, writeBack);
        } catch (RuntimeException | InterruptedException e) {
            if (recovery != null) {
                recovery.close();
            }
            if (admin != null) {
                admin.close();
            }
            if (backends != null) {
                backends.close();
            }
            metrics.close();
            if (tee != null) {
                tee.close();
            }
            if (store != null) {
                store.close();
            }
            upstream.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Whether any db of the keyspace holds a live key. */
    private static CompletionStage<Boolean> anyLiveKey(Keyspace keyspace, int databases) {
        long now = System.currentTimeMillis();
        List<CompletableFuture<Long>> sizes = new ArrayList<>();
        for (int db = 0; db < databases; db++) {
            sizes.add(keyspace.size(db, now).toCompletableFuture());
        }
        return CompletableFuture.allOf(sizes.toArray(CompletableFuture[]::new))
                .thenApply(all -> sizes.stream().anyMatch(size -> size.join() > 0));
    }

    /** Completes once every event loop has run a task submitted now (so has finished what it was doing). */
    private static CompletableFuture<Void> afterLoops(EventLoopGroup group) {
        List<CompletableFuture<Void>> passed = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> done.complete(null));
            passed.add(done);
        }
        return CompletableFuture.allOf(passed.toArray(CompletableFuture[]::new));
    }

    /** The gauges and counters read from the parts at each scrape. */
    private static void register(ProxyMetrics metrics, Failover failover, Backends backends, ProxyInfo info, Tee tee,
                                 Replayer replayer) {
        for (Failover.Mode mode : Failover.Mode.values()) {
            String name = mode.name().toLowerCase(Locale.ROOT);
            metrics.gauge(ProxyMetrics.MODE, "1 for the mode the proxy serves in", () -> failover.mode() == mode ? 1 : 0,
                    "mode", name);
            metrics.counter(ProxyMetrics.MODE_CHANGES, "Changes of mode, by the mode entered", failover,
                    f -> f.changesTo(mode), "to", name);
        }
        metrics.gauge(ProxyMetrics.BACKEND_UP, "1 if the backend answered its last probe", () -> backends.redis().up() ? 1 : 0,
                "backend", "redis");
        metrics.gauge(ProxyMetrics.BACKEND_UP, "1 if the backend answered its last probe", () -> backends.mongo().up() ? 1 : 0,
                "backend", "mongodb");
        metrics.gauge(ProxyMetrics.CLIENT_CONNECTIONS, "Clients connected", info::connectedClients);
        metrics.counter(ProxyMetrics.CLIENTS_REJECTED, "Connections refused at maxclients", info,
                ProxyInfo::rejectedConnections);
        for (ProxyInfo.Closed reason : ProxyInfo.Closed.values()) {
            metrics.counter(ProxyMetrics.CLIENTS_CLOSED, "Clients the proxy closed, by reason", info,
                    i -> i.closed(reason), "reason", reason.label());
        }
        metrics.counter(ProxyMetrics.AUTH_FAILURES, "AUTH and HELLO AUTH attempts refused", info, ProxyInfo::authFailures);
        metrics.gauge(ProxyMetrics.DIVERGENT_KEYS, "Keys written while serving from MongoDB, not yet in Redis",
                () -> backends.divergent() < 0 ? Double.NaN : backends.divergent());
        metrics.gauge(ProxyMetrics.REPLAY_LEFT, "Divergent keys left to write back to Redis",
                () -> backends.divergent() < 0 ? Double.NaN : backends.divergent());
        metrics.counter(ProxyMetrics.REPLAY_DONE, "Divergent keys written back to Redis", failover,
                f -> replayer == null ? 0 : replayer.keysDone());
        if (tee != null) {
            metrics.gauge("kvfallback.tee.backlog", "Writes waiting to be applied to MongoDB", tee::backlogSize);
            metrics.gauge("kvfallback.tee.backlog.age.seconds", "How long the oldest write in the backlog has waited",
                    tee::backlogAgeSeconds);
            metrics.counter("kvfallback.tee.effects.applied", "Writes applied to MongoDB", tee, Tee::effectsApplied);
            metrics.counter("kvfallback.tee.effects.diverted", "Writes whose keys went to re-copy instead of the backlog",
                    tee, Tee::effectsDiverted);
            metrics.counter("kvfallback.tee.self.check.mismatches", "Writes whose reply MongoDB's copy did not predict",
                    tee, Tee::selfCheckMismatches);
            metrics.counter("kvfallback.tee.copies", "Keys re-copied from Redis into MongoDB", tee,
                    t -> t.copier().copiesDone());
            metrics.gauge("kvfallback.tee.copy.pending", "Keys waiting to be re-copied from Redis",
                    () -> tee.copier().pending());
        }
    }

    private static InetSocketAddress startAdmin(AdminServer admin) {
        try {
            return admin.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for admin HTTP: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> prefixed(String prefix, Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    /** The upstream's version for HELLO, asked once at start; the table's if Redis does not answer soon. */
    private static String upstreamVersion(EventLoopGroup group, LettuceUpstream upstream, String fallback) {
        CompletableFuture<String> version = new CompletableFuture<>();
        EventLoop loop = group.next();
        loop.execute(() -> {
            upstream.send(loop, 2, RespRequest.of("INFO", "server"), reply -> {
                String found = fallback;
                if (reply instanceof RespValue.Bulk bulk) {
                    for (String line : new String(bulk.bytes(), StandardCharsets.UTF_8).split("\r\n")) {
                        if (line.startsWith("redis_version:")) {
                            found = line.substring("redis_version:".length()).trim();
                        }
                    }
                } else {
                    log.warn("[Database] KV unavailable at start: {}", reply);
                }
                version.complete(found);
            });
            upstream.flush(loop);
        });
        try {
            return version.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("[Database] KV did not answer INFO within 5s; reporting version {}", fallback);
            return fallback;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Where the admin HTTP endpoint listens. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The backup tee, or null when it is off. */
    public Tee tee() {
        return tee;
    }

    /** The mode switch, for tests and the admin endpoint. */
    public Failover failover() {
        return failover;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * Stops gracefully: stops accepting clients, answers what the connected ones have sent (up to
     * {@code CLIENT_GRACE}), drains the tee into MongoDB (up to 10 s), then closes everything.
     */
    @Override
    public void close() {
        server.close(CLIENT_GRACE);
        admin.close();
        backends.close();
        if (recovery != null) {
            recovery.close();
        }
        if (writeBack != null) {
            writeBack.close();
        }
        if (tee != null) {
            tee.close();
        }
        if (source != null) {
            source.close();
        }
        upstream.close();
        store.close();
        metrics.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("[Database] kvfallback stopped");
    }
}
