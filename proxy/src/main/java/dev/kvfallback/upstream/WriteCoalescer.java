package dev.kvfallback.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits between Lettuce's CommandHandler and CommandEncoder and hands the encoder the proxied
 * commands of one flush as a single list, which it encodes into one buffer.
 *
 * <p>Why: Lettuce writes every command as its own message, so each gets its own buffer, its own
 * outbound-buffer entry and its own write promise notifications; at pipeline depth 16 that was
 * the largest single cost per request. Lettuce's own commands (handshake, pings) pass straight
 * through, after whatever is held, so the order on the wire is the order of the writes. Each
 * command's promise completes with the batch's write. Confined to the connection's event loop.
 */
final class WriteCoalescer extends ChannelOutboundHandlerAdapter {

    private List<RawCommand> commands = new ArrayList<>();
    private List<ChannelPromise> promises = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof RawCommand command) {
            commands.add(command);
            promises.add(promise);
        } else {
            writeHeld(ctx);
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeHeld(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        failHeld();
        super.close(ctx, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        failHeld();
    }

    private void writeHeld(ChannelHandlerContext ctx) {
        if (commands.isEmpty()) {
            return;
        }
        List<RawCommand> batch = commands;
        List<ChannelPromise> batchPromises = promises;
        commands = new ArrayList<>(batch.size());
        promises = new ArrayList<>(batch.size());
        ctx.write(batch).addListener(future -> {
            for (ChannelPromise p : batchPromises) {
                if (future.isSuccess()) {
                    p.trySuccess();
                } else {
                    p.tryFailure(future.cause());
                }
            }
        });
    }

    private void failHeld() {
        List<ChannelPromise> held = promises;
        commands = new ArrayList<>();
        promises = new ArrayList<>();
        for (ChannelPromise p : held) {
            p.tryFailure(new ClosedChannelException());
        }
    }
}
