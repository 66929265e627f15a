package dev.kvfallback.server;

import dev.kvfallback.command.CommandTable;
import dev.kvfallback.command.LocalCommands;
import dev.kvfallback.command.SessionState;
import dev.kvfallback.config.HostPort;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.metrics.ProxyMetrics;
import dev.kvfallback.tee.Tee;
import dev.kvfallback.failover.Failover;
import dev.kvfallback.failover.FailoverBackend;
import dev.kvfallback.failover.Recovery;
import dev.kvfallback.protocol.RespLimits;
import dev.kvfallback.protocol.RespRequestDecoder;
import dev.kvfallback.upstream.Upstream;
import dev.kvfallback.command.Errors;
import dev.kvfallback.config.ProxyConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RESP server clients connect to: a Netty bootstrap whose pipeline is TLS (when configured),
 * an idle timer (when {@code timeout} is set), the request decoder and one {@link ClientHandler}
 * per connection. A connection past {@code maxclients} gets Redis's error and is closed.
 */
public final class RespServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelClass;
    private final CommandTable table;
    private final LocalCommands local;
    private final Upstream upstream;
    private final Engine engine;
    private final Failover failover;
    private final Recovery recovery;
    private final Tee tee;
    private final ProxyMetrics metrics;
    private final ProxyInfo info;
    private final RespLimits limits;
    private final ProxyConfig.ClientLimits clientLimits;
    /** Null for plain TCP. */
    private final SslContext tls;
    /** What every client's requests read and not yet answered hold together. */
    private final ClientMemory memory;
    /** Connections open now, counted from accept to close (Redis counts them so for maxclients). */
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicLong ids = new AtomicLong();
    private final Clients registry = new Clients();
    private final FailoverBackend backend;
    private Channel serverChannel;

    public RespServer(EventLoopGroup group, Class<? extends ServerChannel> channelClass, CommandTable table,
                      LocalCommands local, Upstream upstream, Engine engine, Failover failover, Recovery recovery,
                      Tee tee, ProxyMetrics metrics, ProxyInfo info, RespLimits limits,
                      ProxyConfig.ClientLimits clientLimits, SslContext tls) {
        this.group = group;
        this.channelClass = channelClass;
        this.table = table;
        this.local = local;
        this.upstream = upstream;
        this.engine = engine;
        this.failover = failover;
        this.recovery = recovery;
        this.tee = tee;
        this.metrics = metrics;
        this.info = info;
        this.limits = limits;
        this.clientLimits = clientLimits;
        this.memory = new ClientMemory(clientLimits.maxMemoryClients());
        metrics.gauge(ProxyMetrics.CLIENTS_REQUEST_BYTES, "Bytes of client requests read and not yet answered",
                memory::held);
        this.tls = tls;
        this.backend = new FailoverBackend(
                (db, protocol, request) -> failover.ready().thenCompose(ready -> engine.execute(db, protocol, request)),
                recovery == null ? cause -> { } : recovery::trip,
                () -> recovery == null || failover.mode() == Failover.Mode.PRIMARY ? null : recovery.redisFailure());
    }

    /** Binds and starts accepting; returns the bound address (port 0 picks a free one). */
    public InetSocketAddress start(HostPort listen) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        int connections = open.incrementAndGet();
                        ch.closeFuture().addListener(closed -> open.decrementAndGet());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        if (connections > clientLimits.maxClients()) {
                            info.rejectedConnections.incrementAndGet();
                            ch.pipeline().addLast(new Refusal());
                            return;
                        }
                        if (!clientLimits.idleTimeout().isZero()) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, clientLimits.idleTimeout().toSeconds(),
                                    TimeUnit.SECONDS));
                        }
                        SessionState session = new SessionState(ids.incrementAndGet(),
                                address(ch.remoteAddress()), address(ch.localAddress()),
                                local.users().initial(), upstream.defaultDb());
                        ClientHandler handler = new ClientHandler(table, local, upstream, engine, failover, recovery, tee,
                                metrics, info, session, clientLimits, memory, registry, backend);
                        ch.pipeline().addLast(new RespRequestDecoder(limits, handler::authenticated), handler);
                    }
                });
        serverChannel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Stops accepting, then lets every client have the replies to the commands it has sent (for
     * up to {@code grace}: a client still reading nothing keeps no one waiting longer), then
     * closes whatever is left.
     */
    public void close(Duration grace) {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (!grace.isZero()) {
            for (Channel ch : clients) {
                ClientHandler handler = ch.pipeline().get(ClientHandler.class);
                if (handler != null) {
                    ch.eventLoop().execute(handler::finishAndClose);
                }
            }
            clients.newCloseFuture().awaitUninterruptibly(grace.toMillis());
        }
        clients.close().awaitUninterruptibly();
    }

    /** A connection past maxclients: Redis's error, then closed; whatever it sent is dropped. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ByteBuf error = ByteBufUtil.writeAscii(ctx.alloc(), "-" + Errors.MAX_CLIENTS.text() + "\r\n");
            ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String address(InetSocketAddress a) {
        return a == null ? "" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
