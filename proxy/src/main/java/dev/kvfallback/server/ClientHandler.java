package dev.kvfallback.server;

import dev.kvfallback.command.CommandFlag;
import dev.kvfallback.command.CommandPolicy;
import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.command.CommandTable;
import dev.kvfallback.command.Errors;
import dev.kvfallback.command.LocalCommands;
import dev.kvfallback.command.Route;
import dev.kvfallback.command.Router;
import dev.kvfallback.command.RoutingState;
import dev.kvfallback.command.SessionState;
import dev.kvfallback.command.Users;
import dev.kvfallback.config.ProxyConfig;
import dev.kvfallback.config.UserAccount;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.EngineErrors;
import dev.kvfallback.failover.Failover;
import dev.kvfallback.failover.FailoverBackend;
import dev.kvfallback.failover.Recovery;
import dev.kvfallback.metrics.ProxyMetrics;
import dev.kvfallback.protocol.RespEncoder;
import dev.kvfallback.protocol.RespProtocolError;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.session.Dispatcher.Target;
import dev.kvfallback.session.Dispatcher;
import dev.kvfallback.tee.Tee;
import dev.kvfallback.upstream.ErrorClassifier;
import dev.kvfallback.upstream.Upstream;
import dev.kvfallback.upstream.UpstreamErrors;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One client connection: checks each command as Redis does (exists, arity, auth, state), routes
 * it (answered here, the shared upstream connection, or the session's pinned one) and writes the
 * replies in request order.
 *
 * <p>Threads: everything runs on the channel's event loop, upstream replies included (the
 * upstream connections live on the same loop). Ordering: replies queue in {@link Reply} slots
 * created on arrival. Execution order across upstream connections is kept by a barrier: a command
 * bound for another connection than the one with commands in flight waits (is parked) until those
 * have answered, as Redis itself would have run them one after another. Backpressure: at most
 * {@link Dispatcher#MAX_INFLIGHT} commands are in flight per client and none is sent while the channel is
 * not writable (replies past the high water mark); reading pauses while replies and parked
 * commands exceed {@code max-pipeline} or the channel is not writable. Replies the client does not
 * read are bounded by {@code client-output-buffer-limit}: past it the client is closed, as Redis does.
 *
 * <p>Fallback: while the {@link Failover} serves from MongoDB, data commands run on the
 * {@link Engine}, whose replies hop back to this loop. The engine orders commands per key; a
 * command without keys (DBSIZE, SCAN, FLUSHDB) or an EXEC runs alone ({@code ENGINE_SERIAL}), so
 * it sees every earlier command of this client and later ones see it. MULTI is queued here and
 * EXEC runs the queue in order; isolation from other clients is weaker than Redis's.
 *
 * <p>The tee: each write sent to Redis carries a {@link Tee.Landing}, departed when it is sent
 * (naming the connection it travels on) and landed with Redis's reply, before the client's
 * reply is released. Writes inside a MULTI land with EXEC's reply, all together.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements RoutingState {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    /** Redis settings whose values are credentials: masked in CONFIG GET replies. */
    private static final java.util.regex.Pattern SECRET_CONFIG =
            java.util.regex.Pattern.compile("(?i)requirepass|masterauth|.*-pass|.*password.*");

    private final CommandTable table;
    private final LocalCommands local;
    private final Upstream upstream;
    private final Engine engine;
    private final Failover failover;
    /** Null when Redis is never used (--mode fallback): nothing to fall back from. */
    private final Recovery recovery;
    private final Tee tee;
    private final ProxyMetrics metrics;
    private final ProxyInfo info;
    private final SessionState session;
    private final Clients clients;
    private final int maxClients;
    /** Redis's failure under a command: the switch, the re-run on MongoDB, the both-down reply. */
    private final FailoverBackend backend;
    /** Requests read but not answered past which reading pauses ({@code max-pipeline}). */
    private final int maxPending;
    /**
     * Bytes of this client's requests read and not yet answered (a request's are given back when its
     * reply is written, and whatever is left when nothing is outstanding), past which reading pauses;
     * also counted in {@link #memory}, the budget of every client together.
     */
    private final long maxPendingBytes;
    private long pendingBytes;
    private final ClientMemory memory;
    /** Whether the request being processed has given its weight to a reply slot already. */
    private boolean weighed;
    /** Whether a wake-up is registered with {@link #memory}. */
    private boolean waitingForMemory;
    private final ProxyConfig.OutputLimit normalOutput;
    private final ProxyConfig.OutputLimit pubsubOutput;
    /** When unsent replies first went past the soft output limit, in ms; 0 while under it. */
    private long softLimitSince;
    private final ArrayDeque<Reply> replies = new ArrayDeque<>();
    /** The in-flight limit, the ordering barrier and what waits (parked), in arrival order. */
    private final Dispatcher dispatcher = new Dispatcher();
    private ChannelHandlerContext ctx;
    private EventLoop loop;
    private boolean drainScheduled;
    /** Whether a wake-up is registered for when the mode may serve again (see {@link #forward}). */
    private boolean waitingForMode;
    private boolean closing;
    /** Stopping gracefully: read nothing more, close once every command read has been answered. */
    private boolean draining;
    private Upstream.Pinned pinned;
    private Upstream.Subscriber subscriber;
    /** The commands of a MULTI served from MongoDB, queued here until EXEC; null outside one. */
    private List<RespRequest> queued;
    /** Whether a queued command was rejected: EXEC then aborts, as in Redis. */
    private boolean queuedAbort;
    /** The tee's tickets of a MULTI sent to Redis, one per queued command (null: not a write); null outside one. */
    private List<Tee.Ticket> multiTickets;
    /** The tee's identities of this loop's shared connections by protocol, and of the pinned one. */
    private final long[] sharedDomains = new long[4];
    private long pinnedDomain;
    /** The request being processed, for counting the replies answered here. */
    private RespRequest processing;
    /** {@code CLIENT REPLY OFF}: no reply is written until {@code CLIENT REPLY ON}. */
    private boolean replyOff;
    /** {@code CLIENT REPLY SKIP}: the next command's reply is not written. */
    private boolean skipNext;
    /** {@code CLIENT NO-EVICT on}: only shown in CLIENT LIST (the proxy pauses clients, it evicts none). */
    private boolean noEvict;
    /** {@code CLIENT NO-TOUCH on} (Redis 7.2): only shown in CLIENT LIST; the proxy's reads touch nothing. */
    private boolean noTouch;
    /** Whether a blocking command of this client is in flight on its pinned connection. */
    private boolean blocked;
    /** Whether the reply of the request being processed is not written. */
    private boolean silentRequest;

    ClientHandler(CommandTable table, LocalCommands local, Upstream upstream, Engine engine, Failover failover,
                  Recovery recovery, Tee tee, ProxyMetrics metrics, ProxyInfo info, SessionState session,
                  ProxyConfig.ClientLimits limits, ClientMemory memory, Clients clients, FailoverBackend backend) {
        this.table = table;
        this.local = local;
        this.upstream = upstream;
        this.engine = engine;
        this.failover = failover;
        this.recovery = recovery;
        this.tee = tee;
        this.metrics = metrics;
        this.info = info;
        this.session = session;
        this.clients = clients;
        this.backend = backend;
        this.maxPending = limits.maxPipeline();
        this.maxClients = limits.maxClients();
        this.maxPendingBytes = limits.queryBufferLimit();
        this.memory = memory;
        this.normalOutput = limits.normalOutput();
        this.pubsubOutput = limits.pubsubOutput();
    }

    boolean authenticated() {
        return session.authenticated;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
        if (tee != null) {
            sharedDomains[2] = tee.sharedDomain(loop, 2);
            sharedDomains[3] = tee.sharedDomain(loop, 3);
            pinnedDomain = tee.newDomain();
        }
        info.connectedClients.incrementAndGet();
        info.totalConnections.incrementAndGet();
        clients.add(session.id, this);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        info.connectedClients.decrementAndGet();
        clients.remove(session.id);
        blocked(false);
        releasePinned();
        replies.clear();
        dispatcher.clearParked();
        memory.give(pendingBytes);
        pendingBytes = 0;
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof RespProtocolError || msg instanceof RespRequest) {
                boolean room = true;
                if (msg instanceof RespRequest request) {
                    pendingBytes += request.weight();
                    room = memory.take(request.weight());
                }
                if (dispatcher.nothingParked() && canDispatch()) {
                    handle(msg);
                } else {
                    dispatcher.park(msg);
                }
                if (replies.size() + dispatcher.parkedCount() > maxPending || pendingBytes > maxPendingBytes || !room) {
                    // A pipeline of requests, or of large ones, is read no further until answered:
                    // a client holds at most about client-query-buffer-limit of them, whatever it
                    // sends, and all clients together at most maxmemory-clients.
                    ctx.channel().config().setAutoRead(false);
                    if (!room) {
                        waitForMemory();
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Graceful stop, on the loop: stop reading, answer what was read, then close. */
    void finishAndClose() {
        draining = true;
        if (ctx == null) {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        if (finished()) {
            ctx.close();
        }
    }

    private boolean finished() {
        return replies.isEmpty() && dispatcher.nothingParked() && dispatcher.inflight() == 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        upstream.flush(loop);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        // Redis's timeout spares subscribers and clients waiting for a reply (a blocked BLPOP).
        if (event instanceof IdleStateEvent && !closing && !session.subscribed() && finished()) {
            info.countClosed(ProxyInfo.Closed.IDLE_TIMEOUT);
            closing = true;
            ctx.close();
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        checkOutputLimit();
        unparkIfRoom();
        resumeReadingIfRoom();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} closed after error: {}", session.remoteAddress, cause.toString());
        ctx.close();
    }

    /** Runs a request, or answers a protocol error; false if the request was parked instead. */
    private boolean handle(Object msg) {
        if (msg instanceof RespProtocolError error) {
            if (!error.replied()) {
                info.countClosed(ProxyInfo.Closed.QUERY_BUFFER_LIMIT);
                log.warn("[Security] closing client {}: {}", session.remoteAddress, error.message());
                closing = true;
                dispatcher.clearParked();
                ctx.close();
                return true;
            }
            // Commands read before the malformed one have run; the error comes after their replies.
            info.countClosed(ProxyInfo.Closed.PROTOCOL_ERROR);
            Reply reply = Reply.of(Errors.protocol(error.message()), session.protocol);
            reply.closeAfter = true;
            closing = true;
            dispatcher.clearParked();
            replies.add(reply);
            scheduleDrain();
            return true;
        }
        return process((RespRequest) msg);
    }

    /**
     * Runs a request unless CLIENT PAUSE holds it; returns false if parked. A parked request is
     * processed again later, so what processing it consumed (a CLIENT REPLY SKIP) is put back.
     */
    private boolean process(RespRequest request) {
        if (clients.paused() && clients.pausedFor(table.resolve(request)) > 0) {
            dispatcher.park(request);
            waitForUnpause();
            return false;
        }
        boolean skip = skipNext;
        boolean done = check(request);
        if (!done) {
            skipNext = skip;
        }
        return done;
    }

    /** The Redis checklist: exists, arity, auth, state; then run or route. Returns false if parked. */
    private boolean check(RespRequest request) {
        info.commandsProcessed.incrementAndGet();
        processing = request;
        weighed = false;
        silentRequest = replyOff || skipNext;
        skipNext = false;
        session.lastCommandAtMillis = System.currentTimeMillis();
        if (queued != null && CommandPolicy.queuedInMulti(request.name())) {
            return queue(request);
        }
        if (session.inMulti && CommandPolicy.queuedInMulti(request.name())) {
            return queueOnPinned(request);
        }
        CommandSpec spec = table.resolve(request);
        if (spec == null) {
            if (request.name().equals("client")) {
                // Newer CLIENT subcommands act on the connection too: never forwarded to a shared one.
                return reply(session.authenticated ? clientNewer(request) : Errors.NOAUTH);
            }
            // Redis may know a command newer than the table; MongoDB cannot serve one, and only a
            // user with every right may run what the proxy cannot judge.
            return mayRunUnknown()
                    ? forward(target(Router.decideUnknown(request.name(), this).connection()), request, null)
                    : reply(table.unknown(request));
        }
        if (!spec.arityAccepts(request.size())) {
            return reply(Errors.wrongArity(spec.name()));
        }
        if (!session.authenticated && !spec.has(CommandFlag.NO_AUTH)) {
            return reply(Errors.NOAUTH);
        }
        if (session.authenticated && !session.permits(spec)) {
            return reply(Errors.noPerm(spec.name()));
        }
        if (session.inSubscribedMode() && !CommandPolicy.allowedWhenSubscribed(spec.name())) {
            return reply(Errors.subscribedContext(spec.name()));
        }
        session.lastCommand = spec.name();
        return route(spec, request);
    }

    /** Runs a checked command where {@link Router} sends it, with what the session does around each route. */
    private boolean route(CommandSpec spec, RespRequest request) {
        Route route = Router.decide(spec, this);
        if (route instanceof Route.Refuse refuse) {
            return reply(refuse.error());
        }
        if (route instanceof Route.Engine engine) {
            return spec.name().equals("exec") ? execOnEngine(request)
                    : forward(engine.serial() ? Target.ENGINE_SERIAL : Target.ENGINE, request, null);
        }
        if (route instanceof Route.Upstream upstreamRoute) {
            return upstream(spec, request, upstreamRoute.connection());
        }
        return local(spec, request);
    }

    /**
     * A command the proxy answers: QUIT, RESET, the CLIENT commands about its clients, the local
     * commands, and while serving from MongoDB a transaction's control, UNWATCH and INFO.
     */
    private boolean local(CommandSpec spec, RespRequest request) {
        String name = spec.name();
        switch (name) {
            case "quit" -> {
                Reply r = weigh(Reply.of(RespValue.Simple.OK, session.protocol));
                r.closeAfter = true;
                closing = true;
                replies.add(r);
                scheduleDrain();
                return true;
            }
            case "reset" -> {
                return reset();
            }
            case "multi" -> {
                if (queued != null) {
                    return reply(Errors.MULTI_NESTED);
                }
                queued = new ArrayList<>();
                queuedAbort = false;
                return reply(RespValue.Simple.OK);
            }
            case "discard" -> {
                if (queued == null) {
                    return reply(Errors.DISCARD_WITHOUT_MULTI);
                }
                queued = null;
                return reply(RespValue.Simple.OK);
            }
            case "watch" -> {
                return reply(queued != null ? Errors.WATCH_IN_MULTI : EngineErrors.unavailable("WATCH"));
            }
            case "unwatch" -> {
                return reply(RespValue.Simple.OK);
            }
            case "info" -> {
                return reply(new RespValue.Bulk(info.section().getBytes(StandardCharsets.UTF_8)));
            }
            default -> {
                if (CommandPolicy.of(name) == CommandPolicy.Kind.CLIENT) {
                    return client(name, request);
                }
                return runLocal(spec, request);
            }
        }
    }

    /** EXEC of a MULTI queued for the engine: Redis's checks, then the block runs alone. */
    private boolean execOnEngine(RespRequest request) {
        if (queued == null) {
            return reply(Errors.EXEC_WITHOUT_MULTI);
        }
        if (queuedAbort) {
            queued = null;
            return reply(Errors.EXECABORT);
        }
        return forward(Target.ENGINE_SERIAL, request, null);
    }

    /** A command for Redis on {@code connection}, with the session state it opens or ends and the tee's ticket. */
    private boolean upstream(CommandSpec spec, RespRequest request, Route.Connection connection) {
        String name = spec.name();
        Target target = target(connection);
        switch (name) {
            case "info" -> {
                return forward(target, request, this::withProxySection);
            }
            case "config|get" -> {
                return forward(target, request, ClientHandler::maskConfigSecrets);
            }
            case "multi" -> {
                boolean sent = forward(target, request, null);
                if (sent) {
                    session.inMulti = true;
                    multiTickets = tee == null ? null : new ArrayList<>();
                }
                return sent;
            }
            case "exec", "discard" -> {
                Tee.Landing block = name.equals("exec") && multiTickets != null ? tee.exec(multiTickets) : null;
                boolean sent = forward(target, request, null, block);
                if (sent) {
                    session.inMulti = false;
                    session.watching = false;
                    multiTickets = null;
                }
                return sent;
            }
            case "watch" -> {
                boolean sent = forward(target, request, null);
                if (sent) {
                    session.watching = true;
                }
                return sent;
            }
            case "client|tracking" -> {
                boolean sent = forward(target, request, null);
                if (sent) {
                    session.tracking = true;
                }
                return sent;
            }
            default -> {
                if (connection == Route.Connection.CONTROL) {
                    return forwardAlone(name, request);
                }
                if (connection == Route.Connection.SUBSCRIBER) {
                    return subscribe(name, request);
                }
                return forward(target, request, null, tee == null ? null : tee.ticket(spec, session.db, request));
            }
        }
    }

    // ---- what Router reads of this session (RoutingState) ----

    @Override
    public boolean redisUsed() {
        return recovery != null;
    }

    @Override
    public boolean servesFromMongo() {
        return failover.servesFromMongo();
    }

    @Override
    public boolean queuedForEngine() {
        return queued != null;
    }

    @Override
    public boolean inUpstreamMulti() {
        return session.inMulti;
    }

    @Override
    public boolean watching() {
        return session.watching;
    }

    @Override
    public boolean tracking() {
        return session.tracking;
    }

    @Override
    public boolean pinnedOpen() {
        return pinned != null;
    }

    @Override
    public int db() {
        return session.db;
    }

    @Override
    public int defaultDb() {
        return upstream.defaultDb();
    }

    /**
     * The CLIENT subcommands about the proxy's clients, answered here in every mode (never on an
     * upstream connection, which they would describe or kill instead).
     */
    private boolean client(String name, RespRequest request) {
        return switch (name) {
            case "client|reply" -> clientReply(request);
            case "client|info" -> reply(new RespValue.Verbatim("txt", (line(true) + "\n").getBytes(StandardCharsets.UTF_8)));
            case "client|list" -> clientList(request);
            case "client|kill" -> clientKill(request);
            case "client|pause" -> {
                RespValue.Error error = clients.pause(request);
                yield reply(error != null ? error : RespValue.Simple.OK);
            }
            case "client|unpause" -> {
                clients.unpause();
                yield reply(RespValue.Simple.OK);
            }
            case "client|no-evict" -> {
                Boolean on = onOff(request.arg(2));
                if (on != null) {
                    noEvict = on;
                }
                yield reply(on != null ? RespValue.Simple.OK : Errors.SYNTAX);
            }
            case "client|unblock" -> clientUnblock(request);
            case "client|trackinginfo" -> reply(notTracking());
            case "client|getredir" -> reply(new RespValue.Int(-1));
            default -> throw new IllegalArgumentException("not a CLIENT command of the proxy's: " + name);
        };
    }

    /**
     * CLIENT subcommands newer than the command table (Redis 7.2's NO-TOUCH and SETINFO, which
     * clients send at connect), answered as Redis 7.2 does; any other is Redis's unknown subcommand.
     */
    private RespValue clientNewer(RespRequest request) {
        String sub = new String(request.arg(1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "no-touch" -> {
                if (request.size() != 3) {
                    return Errors.wrongArity("client|no-touch");
                }
                Boolean on = onOff(request.arg(2));
                if (on == null) {
                    return Errors.SYNTAX;
                }
                noTouch = on;
                return RespValue.Simple.OK;
            }
            case "setinfo" -> {
                if (request.size() != 4) {
                    return Errors.wrongArity("client|setinfo");
                }
                String attribute = new String(request.arg(2), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                if (!attribute.equals("lib-name") && !attribute.equals("lib-ver")) {
                    return new RespValue.Error("ERR Unrecognized option '"
                            + new String(request.arg(2), StandardCharsets.UTF_8) + "'");
                }
                return LocalCommands.validName(request.arg(3)) ? RespValue.Simple.OK : new RespValue.Error("ERR "
                        + attribute + " cannot contain spaces, newlines or special characters.");
            }
            default -> {
                return Errors.unknownSubcommand("client", request.arg(1));
            }
        }
    }

    /** A CLIENT flag's {@code on} or {@code off}, in any case; null for anything else. */
    private static Boolean onOff(byte[] arg) {
        String text = new String(arg, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        return text.equals("on") ? Boolean.TRUE : text.equals("off") ? Boolean.FALSE : null;
    }

    /** CLIENT TRACKINGINFO of a client that does not track. */
    private static RespValue notTracking() {
        return new RespValue.Map(List.of(
                RespValue.Bulk.of("flags"), new RespValue.Set(List.of(RespValue.Bulk.of("off"))),
                RespValue.Bulk.of("redirect"), new RespValue.Int(-1),
                RespValue.Bulk.of("prefixes"), RespValue.Array.EMPTY));
    }

    /** {@code CLIENT LIST [TYPE t] [ID id ...]}: the proxy's clients, each described on its loop. */
    @SuppressWarnings("unchecked")
    private boolean clientList(RespRequest request) {
        Object filter = Clients.listFilter(request);
        if (filter instanceof RespValue.Error error) {
            return reply(error);
        }
        Predicate<Clients.View> wanted = (Predicate<Clients.View>) filter;
        String own = line(true); // this session's state is read here, on its loop; the rest on theirs
        return later(clients.views().thenApply(views -> {
            StringBuilder text = new StringBuilder();
            for (Clients.View v : views) {
                if (wanted.test(v)) {
                    text.append(v.id() == session.id ? own : v.line()).append('\n');
                }
            }
            return new RespValue.Verbatim("txt", text.toString().getBytes(StandardCharsets.UTF_8));
        }));
    }

    /** {@code CLIENT KILL addr} (OK or no such client) or {@code CLIENT KILL filter value ...} (a count). */
    @SuppressWarnings("unchecked")
    private boolean clientKill(RespRequest request) {
        Object filter = Clients.killFilter(request, session.id, local.users()::exists);
        if (filter instanceof RespValue.Error error) {
            return reply(error);
        }
        Predicate<Clients.View> wanted = (Predicate<Clients.View>) filter;
        boolean legacy = request.size() == 3;
        boolean killsItself = wanted.test(ownView()); // decided here, on this session's loop
        return later(clients.views().thenApply(views -> {
            List<Clients.View> killed = views.stream().filter(wanted).toList();
            clients.kill(killed, session.id);
            return legacy ? (killed.isEmpty() ? Errors.NO_SUCH_CLIENT : RespValue.Simple.OK)
                    : new RespValue.Int(killed.size());
        }), killsItself);
    }

    /**
     * {@code CLIENT UNBLOCK id [TIMEOUT|ERROR]}: a client of the proxy blocked on its pinned
     * connection is unblocked by Redis, which then answers its blocked command as it would
     * (nil, or the UNBLOCKED error); 0 when that client is not blocked or Redis cannot be reached.
     */
    private boolean clientUnblock(RespRequest request) {
        Long id = Clients.parseLong(request.arg(2));
        if (id == null) {
            return reply(Errors.NOT_INTEGER);
        }
        String reason = request.size() == 4 ? new String(request.arg(3), StandardCharsets.US_ASCII) : "TIMEOUT";
        if (!reason.equalsIgnoreCase("timeout") && !reason.equalsIgnoreCase("error")) {
            return reply(Errors.UNBLOCK_REASON);
        }
        ClientHandler target = clients.get(id);
        if (target == null || failover.servesFromMongo()) {
            return reply(RespValue.Int.ZERO);
        }
        int protocol = session.protocol;
        return later(target.blockedUpstreamId().thenCompose(upstreamId -> {
            CompletableFuture<RespValue> unblocked = new CompletableFuture<>();
            if (upstreamId <= 0) {
                unblocked.complete(RespValue.Int.ZERO);
                return unblocked;
            }
            loop.execute(() -> {
                upstream.send(loop, protocol, RespRequest.of("CLIENT", "UNBLOCK", Long.toString(upstreamId), reason),
                        reply -> unblocked.complete(reply instanceof RespValue.Int ? reply : RespValue.Int.ZERO));
                upstream.flush(loop);
            });
            return unblocked;
        }));
    }

    /** Redis's id of this client's pinned connection while a blocking command waits on it, else 0; on its loop. */
    CompletableFuture<Long> blockedUpstreamId() {
        return CompletableFuture.supplyAsync(() -> blocked && pinned != null ? pinned.id() : 0L, loop);
    }

    /**
     * Sends {@code request} on the control connection ({@link Upstream#sendAlone}). A kill that cannot
     * reach Redis gets NOTBUSY: no script of the proxy's runs where its clients are now served.
     */
    private boolean forwardAlone(String name, RespRequest request) {
        CompletableFuture<RespValue> reply = new CompletableFuture<>();
        upstream.sendAlone(loop, request, reply::complete);
        boolean kill = name.endsWith("|kill");
        return later(reply.thenApply(value -> kill && value instanceof RespValue.Error e
                && ErrorClassifier.classify(e.bytes()) != ErrorClassifier.Kind.COMMAND ? Errors.NOTBUSY : value));
    }

    /**
     * A reply the proxy computes asynchronously (from other clients' loops): a slot now, filled on
     * this loop when {@code work} completes.
     */
    private boolean later(CompletionStage<RespValue> work) {
        return later(work, false);
    }

    /** {@link #later(CompletionStage)}, closing the connection after the reply when {@code closeAfter}. */
    private boolean later(CompletionStage<RespValue> work, boolean closeAfter) {
        dispatcher.startedAside();
        Reply slot = weigh(new Reply(session.protocol));
        slot.closeAfter = closeAfter;
        replies.add(slot);
        work.whenComplete((value, error) -> loop.execute(() -> {
            if (closeAfter) {
                closing = true;
            }
            answered(slot, value != null ? value : UpstreamErrors.of(error));
        }));
        return true;
    }

    /** This client as CLIENT LIST describes it, taken on its own loop (null once it has closed). */
    CompletableFuture<Clients.View> view() {
        return CompletableFuture.supplyAsync(() -> closing ? null : ownView(), loop);
    }

    /** This client's view; on its loop. */
    private Clients.View ownView() {
        return new Clients.View(session.id, session.remoteAddress, session.localAddress, userName(),
                session.subscribed(), line(false));
    }

    /** Closes this client, on its loop (CLIENT KILL from another client). */
    void kill() {
        loop.execute(() -> {
            if (!closing) {
                closing = true;
                ctx.close();
            }
        });
    }

    /** CLIENT UNPAUSE: run what the pause held, on this client's loop. */
    void unpaused() {
        loop.execute(this::unparkIfRoom);
    }

    /** Wakes this client when the pause ends (or at an UNPAUSE, through {@link #unpaused}). */
    private void waitForUnpause() {
        long wait = clients.pausedFor(null);
        loop.schedule(this::unparkIfRoom, Math.max(wait, 1), TimeUnit.MILLISECONDS);
    }

    private String userName() {
        return session.user == null ? Users.DEFAULT_USER : session.user.name();
    }

    /**
     * This client's line of CLIENT LIST and CLIENT INFO, with Redis 7.0's fields: {@code qbuf} the
     * bytes of the requests read and not yet run (for the client asking ({@code self}), the one
     * running too, and {@code argv-mem} its arguments), {@code omem} the replies not yet sent, {@code cmd} the last command run.
     */
    private String line(boolean self) {
        long now = System.currentTimeMillis();
        long qbuf = 0;
        long argvMem = 0;
        RespRequest running = self ? processing : null;
        if (running != null) {
            qbuf += wireSize(running);
            for (byte[] arg : running.args()) {
                argvMem += arg.length;
            }
        }
        for (Object request : dispatcher.parkedRequests()) {
            if (request instanceof RespRequest r && r != running) {
                qbuf += wireSize(r);
            }
        }
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long omem = out == null ? 0 : out.totalPendingWriteBytes();
        StringBuilder flags = new StringBuilder();
        if (session.subscribed()) {
            flags.append('P');
        }
        if (session.inMulti || queued != null) {
            flags.append('x');
        }
        if (blocked) {
            flags.append('b');
        }
        if (session.tracking) {
            flags.append('t');
        }
        if (noEvict) {
            flags.append('e');
        }
        if (noTouch) {
            flags.append('T');
        }
        if (flags.length() == 0) {
            flags.append('N');
        }
        return "id=" + session.id
                + " addr=" + session.remoteAddress
                + " laddr=" + session.localAddress
                + " fd=" + fd()
                + " name=" + (session.name == null ? "" : new String(session.name, StandardCharsets.UTF_8))
                + " age=" + (now - session.createdAtMillis) / 1000
                + " idle=" + (now - session.lastCommandAtMillis) / 1000
                + " flags=" + flags
                + " db=" + session.db
                + " sub=" + session.channels.size()
                + " psub=" + session.patterns.size()
                + " ssub=" + session.shardChannels.size()
                + " multi=" + (queued != null ? queued.size() : multiTickets != null ? multiTickets.size()
                        : session.inMulti ? 0 : -1)
                + " qbuf=" + qbuf + " qbuf-free=0 argv-mem=" + argvMem + " multi-mem=0 rbs=0 rbp=0"
                + " obl=0 oll=0 omem=" + omem + " tot-mem=" + (qbuf + argvMem + omem + pendingBytes)
                + " events=r" + (omem > 0 ? "w" : "")
                + " cmd=" + session.lastCommand
                + " user=" + userName()
                + " redir=-1"
                + " resp=" + session.protocol;
    }

    /** The client socket's descriptor where the transport has one (epoll), else -1 as for Redis's fake clients. */
    private int fd() {
        return ctx.channel() instanceof io.netty.channel.epoll.EpollSocketChannel epoll ? epoll.fd().intValue() : -1;
    }

    /** The bytes {@code request} took on the wire: {@code *n} then a {@code $len} bulk per argument, or an inline line. */
    private static long wireSize(RespRequest request) {
        long size = 0;
        if (request.inline()) {
            for (byte[] arg : request.args()) {
                size += arg.length + 1;
            }
            return size + 1;
        }
        size += 3 + digits(request.size());
        for (byte[] arg : request.args()) {
            size += 5 + digits(arg.length) + arg.length;
        }
        return size;
    }

    private static int digits(long n) {
        return Long.toString(n).length();
    }

    /**
     * {@code CLIENT REPLY ON|OFF|SKIP}, kept here in every mode: the proxy simply does not write the
     * replies the client turned off (a reply to ON is written even after a SKIP, as in Redis).
     * Pushes (pub/sub messages, invalidations) are still written, as Redis 7.0 writes them.
     */
    private boolean clientReply(RespRequest request) {
        switch (new String(request.arg(2), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT)) {
            case "on" -> {
                replyOff = false;
                silentRequest = false;
            }
            case "off" -> {
                replyOff = true;
                silentRequest = true;
            }
            case "skip" -> {
                skipNext = !replyOff;
                silentRequest = true;
            }
            default -> {
                return reply(Errors.SYNTAX);
            }
        }
        return reply(RespValue.Simple.OK);
    }

    /**
     * Inside a MULTI sent to Redis: records, once Redis answers {@code +QUEUED}, the command's
     * ticket (null if the tee does not follow it), so EXEC's reply items can be matched to them.
     */
    private UnaryOperator<RespValue> queuedTicket(RespRequest request, CommandSpec spec) {
        Tee.Ticket ticket = spec == null || !spec.arityAccepts(request.size()) ? null
                : tee.ticket(spec, session.db, request);
        return reply -> {
            if (RespValue.Simple.QUEUED.equals(reply) && multiTickets != null) {
                multiTickets.add(ticket);
            }
            return reply;
        };
    }

    private boolean mayRunUnknown() {
        return session.authenticated && session.user.access() == UserAccount.Access.ALL && !failover.servesFromMongo();
    }

    /**
     * Inside a MULTI sent to Redis, Redis queues everything and the pinned connection decides,
     * except what this user may not run: that is refused here with NOPERM, and Redis is sent a
     * command that fails at queue time in its place (ECHO without an argument), so that Redis's
     * EXEC aborts the transaction with EXECABORT exactly as it does after a NOPERM of its own.
     */
    private boolean queueOnPinned(RespRequest request) {
        CommandSpec spec = table.resolve(request);
        if (spec != null && CommandPolicy.refusedInUpstreamMulti(spec.name())) {
            // Queued on Redis they would try Redis's passwords, uncounted, or hand out Redis's own.
            RespValue.Error error = Errors.unsupported(spec.name().toUpperCase(Locale.ROOT).replace('|', ' ')
                    + " inside MULTI");
            return forward(Target.PINNED, RespRequest.of("ECHO"), failed -> error, null);
        }
        boolean refused = spec == null ? session.user.access() != UserAccount.Access.ALL : !session.permits(spec);
        if (refused) {
            // Redis checks the arity before the user's rights: a refused command of the wrong arity gets that error.
            RespValue.Error error = spec == null ? Errors.noPerm(request.name())
                    : spec.arityAccepts(request.size()) ? Errors.noPerm(spec.name()) : Errors.wrongArity(spec.name());
            return forward(Target.PINNED, RespRequest.of("ECHO"), failed -> error, null);
        }
        return forward(Target.PINNED, request, multiTickets == null ? null : queuedTicket(request, spec), null);
    }

    /** Inside a MULTI served here: Redis's queue-time checks, then {@code +QUEUED}. */
    private boolean queue(RespRequest request) {
        CommandSpec spec = table.resolve(request);
        RespValue.Error rejected = spec == null ? table.unknown(request)
                : !spec.arityAccepts(request.size()) ? Errors.wrongArity(spec.name())
                : !session.authenticated && !spec.has(CommandFlag.NO_AUTH) ? Errors.NOAUTH
                : !session.permits(spec) ? Errors.noPerm(spec.name())
                : null;
        if (rejected != null) {
            queuedAbort = true;
            return reply(rejected);
        }
        queued.add(request);
        reply(RespValue.Simple.QUEUED);
        replies.peekLast().weight = 0; // the queued request is still held, until EXEC has run it
        return true;
    }

    /** Runs a queued block in order on this loop: local commands here, the rest on the engine. */
    private CompletionStage<RespValue> exec(List<RespRequest> block) {
        CompletableFuture<List<RespValue>> results = CompletableFuture.completedFuture(new ArrayList<>());
        for (RespRequest request : block) {
            results = results.thenComposeAsync(list -> runQueued(request).thenApply(reply -> {
                list.add(reply);
                return list;
            }), loop);
        }
        return results.thenApply(RespValue.Array::new);
    }

    private CompletionStage<RespValue> runQueued(RespRequest request) {
        CommandSpec spec = table.resolve(request); // checked when queued: never null here
        if (CommandPolicy.of(spec.name()) == CommandPolicy.Kind.LOCAL) {
            return CompletableFuture.completedFuture(local.run(spec, request, session));
        }
        return engine.execute(session.db, session.protocol, request);
    }

    /** Where a command for an upstream connection runs (the control connection is no target: it is sent aside). */
    private static Target target(Route.Connection connection) {
        return switch (connection) {
            case CONTROL -> null;
            case SUBSCRIBER -> Target.SUBSCRIBER;
            case PINNED -> Target.PINNED;
            case SHARED -> Target.SHARED;
        };
    }

    /** Marks this client blocked (a blocking command in flight) or not, counted for INFO's blocked_clients. */
    private void blocked(boolean now) {
        if (blocked != now) {
            blocked = now;
            clients.blockedChanged(now);
        }
    }

    /** Whether a command ({@code spec}, null when the table lacks it) may wait in Redis for others' writes (BLPOP, XREAD, WAIT...). */
    private static boolean blocks(CommandSpec spec, String name) {
        return spec != null ? CommandPolicy.waits(spec) : CommandPolicy.of(name) == CommandPolicy.Kind.WAITS;
    }

    /** A command's name for metrics: one the command table knows, else "unknown" (names stay few). */
    private String meterName(RespRequest request) {
        return table.get(request.name()) != null ? request.name() : "unknown";
    }

    private boolean runLocal(CommandSpec spec, RespRequest request) {
        int db = session.db;
        int protocol = session.protocol;
        RespValue value = local.run(spec, request, session);
        if (pinned != null && protocol != session.protocol && !session.watching && !session.tracking) {
            // The pinned connection speaks the old protocol; a stateless one is simply replaced.
            releasePinned();
        }
        if (pinned != null && db != session.db) {
            // Keep the pinned connection on the client's db; its OK is not the client's to see.
            pinned.send(RespRequest.of("SELECT", Integer.toString(session.db)), ignored -> { });
        }
        return reply(value);
    }

    private boolean reply(RespValue value) {
        if (processing != null) {
            metrics.command(meterName(processing), ProxyMetrics.Route.LOCAL).record(value instanceof RespValue.Error, -1);
        }
        replies.add(weigh(Reply.of(value, session.protocol)));
        scheduleDrain();
        return true;
    }

    /** Gives a reply slot the weight of the request it answers, once per request. */
    private Reply weigh(Reply slot) {
        if (processing != null && !weighed) {
            slot.weight = processing.weight();
            slot.silent = silentRequest;
            weighed = true;
        }
        return slot;
    }

    private boolean forward(Target target, RespRequest request, UnaryOperator<RespValue> transform) {
        return forward(target, request, transform, null);
    }

    /**
     * Sends to the target, or parks the request behind commands in flight elsewhere. A write
     * to Redis carries the tee's {@code landing}.
     */
    private boolean forward(Target target, RespRequest request, UnaryOperator<RespValue> transform,
                            Tee.Landing landing) {
        if (!dispatcher.mayStart(target, session.protocol)) {
            dispatcher.park(request);
            return false;
        }
        boolean upstreamBound = target != Target.ENGINE && target != Target.ENGINE_SERIAL;
        if (upstreamBound && !failover.isReady()) {
            // Returning to Redis: its last write-back pass is running. Hold until it is done.
            dispatcher.park(request);
            waitForMode();
            return false;
        }
        dispatcher.started(target, session.protocol);
        Reply slot = weigh(new Reply(session.protocol));
        replies.add(slot);
        int protocol = session.protocol;
        ProxyMetrics.CommandMeter meter = metrics.command(meterName(request),
                upstreamBound ? ProxyMetrics.Route.UPSTREAM : ProxyMetrics.Route.FALLBACK);
        long start = System.nanoTime();
        int db = session.db;
        boolean blocking = target == Target.PINNED && blocks(table.get(request.name()), request.name());
        if (blocking) {
            blocked(true);
        }
        Consumer<RespValue> callback = value -> {
            if (blocking) {
                blocked(false);
            }
            boolean failed = value instanceof RespValue.Error;
            meter.record(failed, System.nanoTime() - start);
            if (failed && upstreamBound) {
                metrics.upstreamError(ErrorClassifier.metricClass(((RespValue.Error) value).bytes()));
            }
            boolean rerun = failed && (target == Target.SHARED || target == Target.PINNED && pinnedOnlyForDb())
                    && fallsBack(request, (RespValue.Error) value);
            if (landing != null) {
                // A write run again on MongoDB leaves the tee nothing to do: MongoDB gets it from
                // that run, Redis from the write-back (even if Redis ran it before timing out).
                landing.land(protocol, rerun ? null : value);
            }
            if (rerun) {
                // Redis cannot serve: switch, and run this command on MongoDB so its client gets a normal reply.
                long failedAt = System.nanoTime();
                backend.rerun((RespValue.Error) value, db, protocol, request).thenAccept(again -> loop.execute(() -> {
                    RespValue reply = transformed(transform, again);
                    metrics.rerun(System.nanoTime() - failedAt);
                    if (landing != null && reply instanceof RespValue.Error) {
                        landing.recopy();
                    }
                    answered(slot, reply);
                }));
                return;
            }
            answered(slot, transformed(transform, value));
        };
        if (landing != null && upstreamBound) {
            landing.depart(target == Target.PINNED ? pinnedDomain : sharedDomains[protocol]);
        }
        if (target == Target.ENGINE || target == Target.ENGINE_SERIAL) {
            CompletionStage<RespValue> work;
            if (request.name().equals("exec")) {
                List<RespRequest> block = queued;
                queued = null;
                work = failover.ready().thenCompose(ready -> exec(block)).handle(backend::asClientGetsIt);
            } else {
                work = backend.onMongo(db, protocol, request);
            }
            work.whenComplete((value, error) -> loop.execute(() ->
                    callback.accept(value != null ? value : UpstreamErrors.of(error))));
        } else if (target == Target.PINNED) {
            pinned().send(request, callback);
        } else {
            upstream.send(loop, session.protocol, request, callback);
        }
        return true;
    }

    /**
     * The reply after the proxy's own rewrite of it (INFO's section, CONFIG GET's masks): a failure
     * there is the proxy's, so this command gets an error and nothing else changes.
     */
    private static RespValue transformed(UnaryOperator<RespValue> transform, RespValue value) {
        if (transform == null) {
            return value;
        }
        try {
            return transform.apply(value);
        } catch (RuntimeException e) {
            log.warn("could not rewrite a reply: {}", e.toString());
            return UpstreamErrors.of(e);
        }
    }

    /**
     * Whether an error reply from Redis sends this command to MongoDB instead (see {@link
     * ErrorClassifier}). Not a blocking command, WAIT or a transaction's: their state was Redis's.
     */
    private boolean fallsBack(RespRequest request, RespValue.Error error) {
        CommandSpec spec = table.get(request.name());
        if (recovery == null || !CommandPolicy.queuedInMulti(request.name()) || blocks(spec, request.name())) {
            return false;
        }
        return FailoverBackend.fallsBack(error, spec == null || spec.has(CommandFlag.WRITE), upstream.excusesBusy());
    }

    /** Whether the session's pinned connection holds nothing but its db (no transaction, WATCH or tracking). */
    private boolean pinnedOnlyForDb() {
        return !session.inMulti && !session.watching && !session.tracking && !session.inSubscribedMode();
    }

    /** Unparks once the mode may serve (the return to Redis finished its last write-back). */
    private void waitForMode() {
        if (waitingForMode) {
            return;
        }
        waitingForMode = true;
        failover.ready().whenComplete((ready, error) -> loop.execute(() -> {
            waitingForMode = false;
            unparkIfRoom();
        }));
    }

    private void answered(Reply slot, RespValue value) {
        if (closing && replies.isEmpty()) {
            return;
        }
        slot.complete(value);
        dispatcher.answered();
        scheduleDrain();
        unparkIfRoom();
    }

    /**
     * Whether another command may be sent: replies are bounded by count (in flight) and by bytes
     * (the channel's write-buffer water marks), so a client that pipelines more than it reads is
     * paused instead of buffered.
     */
    private boolean canDispatch() {
        return dispatcher.hasRoom() && ctx.channel().isWritable();
    }

    private void unparkIfRoom() {
        if (!dispatcher.nothingParked() && canDispatch()) {
            unpark();
        }
    }

    private void unpark() {
        try {
            Object request;
            while (!closing && canDispatch() && (request = dispatcher.nextParked()) != null) {
                if (!handle(request)) {
                    // process() parked it again at the tail; it goes back to the head to keep order.
                    dispatcher.backToHead();
                    return;
                }
            }
        } finally {
            // Unparked commands were sent outside a read batch: nothing else would flush them.
            upstream.flush(loop);
        }
    }

    private Upstream.Pinned pinned() {
        if (pinned == null) {
            pinned = upstream.pin(loop, session.protocol, session.db, this::push, this::upstreamLost);
        }
        return pinned;
    }

    private void upstreamLost() {
        if (recovery != null && pinnedOnlyForDb()) {
            // Only the db kept this connection: the session goes on without it (served from
            // MongoDB while Redis is out); a new one is opened when one is needed again.
            pinned = null;
            return;
        }
        if (!closing && ctx.channel().isActive()) {
            log.info("[Database] pinned Redis connection of client {} closed; closing the client", session.id);
            closing = true;
            ctx.close();
        }
    }

    /**
     * A message Redis pushed (pub/sub, invalidation). Redis writes it at once, after the replies it
     * has produced so far; so when the reply at the head of the queue is still awaited (a blocking
     * XREAD or WAIT of a RESP3 client), the message goes out now instead of queueing behind it
     * without bound, and counts against the output buffer limit. Behind a SUBSCRIBE still waiting
     * for its confirmations it queues, as the confirmations come first in Redis.
     */
    private void push(RespValue value) {
        if (closing) {
            return;
        }
        Reply reply = Reply.of(value, session.protocol);
        if (replies.isEmpty() || replies.peek().done() || replies.peek().awaitsFrames()) {
            replies.add(reply);
            scheduleDrain();
            return;
        }
        ByteBuf out = ctx.alloc().ioBuffer(256);
        try {
            for (RespValue v : reply.values()) {
                RespEncoder.write(v, reply.protocol, out);
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        ctx.writeAndFlush(out);
        checkOutputLimit();
    }

    private boolean reset() {
        if (dispatcher.inflight() > 0) {
            dispatcher.park(RespRequest.of("RESET"));
            return false;
        }
        releasePinned();
        queued = null;
        multiTickets = null;
        session.inMulti = false;
        session.watching = false;
        session.tracking = false;
        session.protocol = 2;
        session.name = null;
        session.db = upstream.defaultDb();
        session.channels.clear();
        session.patterns.clear();
        session.shardChannels.clear();
        session.login(local.users().initial());
        replyOff = false;
        silentRequest = false;
        return reply(new RespValue.Simple("RESET"));
    }

    private void releasePinned() {
        if (pinned != null) {
            pinned.close();
            pinned = null;
        }
        if (subscriber != null) {
            subscriber.close();
            subscriber = null;
        }
    }

    /**
     * CONFIG GET's reply with Redis's own passwords masked (requirepass, masterauth, TLS key
     * passphrases): they are the upstream's credentials, which the proxy holds for its clients
     * and does not hand them.
     */
    static RespValue maskConfigSecrets(RespValue value) {
        List<RespValue> items = value instanceof RespValue.Array a ? a.items()
                : value instanceof RespValue.Map m ? m.flat() : null;
        if (items == null) {
            return value;
        }
        List<RespValue> masked = new ArrayList<>(items);
        for (int i = 0; i + 1 < masked.size(); i += 2) {
            if (masked.get(i) instanceof RespValue.Bulk name && SECRET_CONFIG.matcher(
                    new String(name.bytes(), StandardCharsets.UTF_8)).matches()) {
                masked.set(i + 1, RespValue.Bulk.of("***"));
            }
        }
        return value instanceof RespValue.Map ? new RespValue.Map(masked) : new RespValue.Array(masked);
    }

    private RespValue withProxySection(RespValue value) {
        byte[] text;
        if (value instanceof RespValue.Bulk bulk) {
            text = bulk.bytes();
        } else if (value instanceof RespValue.Verbatim verbatim) {
            text = verbatim.bytes();
        } else {
            return value;
        }
        String existing = clientsAsProxy(new String(text, StandardCharsets.UTF_8));
        String combined = existing.isEmpty() ? info.section() : existing + "\r\n" + info.section();
        byte[] bytes = combined.getBytes(StandardCharsets.UTF_8);
        return value instanceof RespValue.Verbatim ? new RespValue.Verbatim("txt", bytes) : new RespValue.Bulk(bytes);
    }

    /**
     * INFO's {@code # Clients} section about the proxy's clients, as CLIENT LIST is: Redis counts
     * the proxy's upstream connections, which no app sees.
     */
    private String clientsAsProxy(String text) {
        return text.replaceFirst("(?m)^connected_clients:\\d+", "connected_clients:" + info.connectedClients())
                .replaceFirst("(?m)^maxclients:\\d+", "maxclients:" + maxClients)
                .replaceFirst("(?m)^blocked_clients:\\d+", "blocked_clients:" + clients.blockedCount());
    }

    // ---- pub/sub ------------------------------------------------------------------------------

    private boolean subscribe(String name, RespRequest request) {
        byte[][] names = new byte[request.size() - 1][];
        for (int i = 1; i < request.size(); i++) {
            names[i - 1] = request.arg(i);
        }
        Set<ByteBuffer> set = switch (name) {
            case "psubscribe", "punsubscribe" -> session.patterns;
            case "ssubscribe", "sunsubscribe" -> session.shardChannels;
            default -> session.channels;
        };
        int frames = names.length;
        if (names.length == 0) {
            if (set.isEmpty()) {
                // Nothing to leave: Redis still answers one frame with a null name.
                long count = name.equals("sunsubscribe") ? session.shardChannels.size() : session.subscriptions();
                return reply(frame(name, null, count));
            }
            frames = set.size();
        }
        if (!dispatcher.mayStart(Target.SUBSCRIBER, session.protocol)) {
            dispatcher.park(request);
            return false;
        }
        dispatcher.started(Target.SUBSCRIBER, session.protocol);
        replies.add(weigh(Reply.frames(frames, session.protocol)));
        if (subscriber == null) {
            subscriber = upstream.subscriber(loop, this::pubSubEvent, this::upstreamLost);
        }
        subscriber.send(name, names);
        return true;
    }

    private void pubSubEvent(Upstream.PubSubEvent event) {
        if (closing) {
            return;
        }
        switch (event.kind()) {
            case "message", "smessage" -> push(new RespValue.Push(List.of(
                    RespValue.Bulk.of(event.kind()), new RespValue.Bulk(event.channel()),
                    new RespValue.Bulk(event.message()))));
            case "pmessage" -> push(new RespValue.Push(List.of(
                    RespValue.Bulk.of("pmessage"), new RespValue.Bulk(event.pattern()),
                    new RespValue.Bulk(event.channel()), new RespValue.Bulk(event.message()))));
            case "error" -> failSubscriptions(new RespValue.Error("ERR kvfallback: Redis unavailable ("
                    + new String(event.channel(), StandardCharsets.UTF_8) + ")"));
            default -> confirmation(event);
        }
    }

    private void confirmation(Upstream.PubSubEvent event) {
        ByteBuffer key = ByteBuffer.wrap(event.channel());
        switch (event.kind()) {
            case "subscribe" -> session.channels.add(key);
            case "psubscribe" -> session.patterns.add(key);
            case "ssubscribe" -> session.shardChannels.add(key);
            case "unsubscribe" -> session.channels.remove(key);
            case "punsubscribe" -> session.patterns.remove(key);
            case "sunsubscribe" -> session.shardChannels.remove(key);
            default -> {
                return;
            }
        }
        RespValue frame = frame(event.kind(), event.channel(), event.count());
        for (Reply r : replies) {
            if (r.awaitsFrames()) {
                if (r.addFrame(frame)) {
                    subscriptionAnswered();
                }
                scheduleDrain();
                return;
            }
        }
        push(frame);
    }

    private void failSubscriptions(RespValue error) {
        for (Reply r : replies) {
            if (r.awaitsFrames()) {
                r.complete(error);
                subscriptionAnswered();
            }
        }
        scheduleDrain();
    }

    private void subscriptionAnswered() {
        dispatcher.answered();
        unparkIfRoom();
    }

    private static RespValue frame(String kind, byte[] name, long count) {
        List<RespValue> items = new ArrayList<>(3);
        items.add(RespValue.Bulk.of(kind));
        items.add(name == null ? RespValue.Null.BULK : new RespValue.Bulk(name));
        items.add(new RespValue.Int(count));
        return new RespValue.Push(items);
    }

    // ---- writing ------------------------------------------------------------------------------

    private void scheduleDrain() {
        if (!drainScheduled) {
            drainScheduled = true;
            loop.execute(this::drain);
        }
    }

    /** Writes every finished reply at the head of the queue in one buffer, then flushes once. */
    private void drain() {
        drainScheduled = false;
        if (replies.isEmpty() || !replies.peek().done() || !ctx.channel().isActive()) {
            return;
        }
        ByteBuf out = ctx.alloc().ioBuffer(256);
        boolean close = false;
        long answered = 0;
        try {
            while (!replies.isEmpty() && replies.peek().done()) {
                Reply r = replies.poll();
                answered += r.weight;
                if (!r.silent) {
                    for (RespValue v : r.values()) {
                        RespEncoder.write(v, r.protocol, out);
                    }
                }
                if (r.closeAfter) {
                    close = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        pendingBytes -= answered;
        memory.give(answered);
        var future = ctx.writeAndFlush(out);
        if (close || draining && finished()) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        if (checkOutputLimit()) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            // The client reads slower than Redis answers: stop reading its commands until the
            // replies drain below the low water mark (channelWritabilityChanged resumes).
            ctx.channel().config().setAutoRead(false);
        } else {
            resumeReadingIfRoom();
        }
    }

    /**
     * Redis's {@code client-output-buffer-limit}: closes the client when its unsent replies pass the
     * hard limit, or stay past the soft one for its seconds (checked again then). Returns whether it closed.
     */
    private boolean checkOutputLimit() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        long unsent = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        ProxyConfig.OutputLimit limit = session.subscribed()
                ? pubsubOutput : normalOutput;
        boolean overSoft = limit.soft() > 0 && unsent > limit.soft();
        long now = System.currentTimeMillis();
        if (!overSoft) {
            softLimitSince = 0;
        } else if (softLimitSince == 0) {
            softLimitSince = now;
            long since = softLimitSince;
            loop.schedule(() -> {
                if (softLimitSince == since) {
                    checkOutputLimit();
                }
            }, limit.softSeconds() * 1000L + 1, TimeUnit.MILLISECONDS);
        }
        boolean overHard = limit.hard() > 0 && unsent > limit.hard();
        if (closing || !(overHard || overSoft && now - softLimitSince >= limit.softSeconds() * 1000L)) {
            return false;
        }
        log.warn("[Security] closing client {}: {} bytes of replies unsent, past client-output-buffer-limit",
                session.remoteAddress, unsent);
        info.countClosed(ProxyInfo.Closed.OUTPUT_BUFFER_LIMIT);
        closing = true;
        ctx.close();
        return true;
    }

    /** Asks, once, to be woken on this client's loop when all clients' requests fit the budget again. */
    private void waitForMemory() {
        if (!waitingForMemory) {
            waitingForMemory = true;
            memory.whenRoom(() -> loop.execute(() -> {
                waitingForMemory = false;
                resumeReadingIfRoom();
            }));
        }
    }

    private void resumeReadingIfRoom() {
        var channel = ctx.channel();
        if (finished() && pendingBytes != 0) {
            // Nothing outstanding: what is left (queued MULTI commands since run) is given back.
            memory.give(pendingBytes);
            pendingBytes = 0;
        }
        if (!closing && !draining && !channel.config().isAutoRead() && channel.isWritable()
                && replies.size() + dispatcher.parkedCount() <= maxPending / 2 && pendingBytes <= maxPendingBytes) {
            if (!memory.hasRoom()) {
                waitForMemory();
                return;
            }
            channel.config().setAutoRead(true);
        }
    }
}
