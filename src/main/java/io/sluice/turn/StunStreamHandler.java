package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * STUN over one TCP connection (RFC 8489 section 6.2.2): cuts the byte stream into messages by their header's
 * length and answers each. Bytes that cannot start a STUN message (either top bit set) close the connection,
 * since nothing after them can be framed; so does an idle timeout. When the client stops reading its answers,
 * reading from it stops until they drain. Not shared: one per connection.
 */
final class StunStreamHandler extends ByteToMessageDecoder {
    private final StunResponder responder;
    private boolean written;

    StunStreamHandler(StunResponder responder) {
        this.responder = responder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4 && ctx.channel().isActive()) {
            int from = in.readerIndex();
            if ((in.getByte(from) & 0xC0) != 0) {
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            int size = Stun.HEADER + in.getUnsignedShort(from + 2);
            if (in.readableBytes() < size) {
                return;
            }
            ByteBuf message = in.slice(from, size);
            in.skipBytes(size);
            ByteBuf answer = responder.answer(ctx.alloc(), message, (InetSocketAddress) ctx.channel().remoteAddress(),
                    (InetSocketAddress) ctx.channel().localAddress(), true);
            if (answer != null) {
                ctx.write(answer, ctx.voidPromise());
                written = true;
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (written) {
            written = false;
            ctx.flush();
        }
        super.channelReadComplete(ctx); // first: with reading off it would ask for one more read
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, most likely; nothing to tell it
    }
}
