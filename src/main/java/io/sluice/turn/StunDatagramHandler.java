package io.sluice.turn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.util.function.Function;

/**
 * The datagrams of one UDP socket of a stun or turn listener, served by a {@link TurnProcessor}; answers are
 * flushed once per read batch. Not shared: one per socket, used on its event loop only.
 */
final class StunDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Function<io.netty.channel.Channel, TurnProcessor> processors;
    private TurnProcessor processor;

    StunDatagramHandler(Function<io.netty.channel.Channel, TurnProcessor> processors) {
        this.processors = processors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        processor = processors.apply(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        processor.handle(packet.content(), packet.sender());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        processor.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        processor.endAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket outlives any one peer's errors (an ICMP unreachable surfaces here on some transports).
    }
}
