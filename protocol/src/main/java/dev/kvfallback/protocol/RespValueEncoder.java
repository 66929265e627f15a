package dev.kvfallback.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Pipeline encoder that writes each {@link RespValue} with one fixed RESP version, for clients,
 * scripted test servers and tests. A session whose version changes with {@code HELLO} calls
 * {@link RespEncoder#write} with its current version instead.
 */
public final class RespValueEncoder extends MessageToByteEncoder<RespValue> {

    private final int protocol;

    /** @param protocol 2 or 3 */
    public RespValueEncoder(int protocol) {
        super(RespValue.class);
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("RESP protocol must be 2 or 3: " + protocol);
        }
        this.protocol = protocol;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RespValue msg, ByteBuf out) {
        RespEncoder.write(msg, protocol, out);
    }
}
