package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/**
 * STUN and TURN over one TCP connection (RFC 8489 6.2.2, RFC 8656 12.5): cuts the byte stream into STUN messages
 * by their header's length and, on a turn listener, into ChannelData messages by theirs (padded to four bytes),
 * and hands each to a {@link TurnProcessor}. Bytes that can start neither close the connection, since nothing
 * after them can be framed; so does the idle timeout, unless an allocation lives on the connection. When the
 * client stops reading, reading from it stops until its answers drain. Not shared: one per connection.
 */
final class StunStreamHandler extends ByteToMessageDecoder {
    private final Function<io.netty.channel.Channel, TurnProcessor> processors;
    private TurnProcessor processor;

    StunStreamHandler(Function<io.netty.channel.Channel, TurnProcessor> processors) {
        this.processors = processors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        processor = processors.apply(ctx.channel());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        while (in.readableBytes() >= 4 && ctx.channel().isActive()) {
            int from = in.readerIndex();
            int top = in.getByte(from) & 0xC0;
            int length = in.getUnsignedShort(from + 2);
            int size;
            if (top == 0) {
                size = Stun.HEADER + length;
            } else if (top == 0x40 && processor.relays()) {
                size = 4 + ((length + 3) & ~3);
            } else {
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < size) {
                return;
            }
            processor.handle(in.slice(from, size), client);
            in.skipBytes(size);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        processor.flush();
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
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        processor.endAll();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (!processor.allocated()) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, most likely; nothing to tell it
    }
}
