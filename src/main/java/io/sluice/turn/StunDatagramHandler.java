package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * Answers the STUN datagrams of one UDP socket; answers are flushed once per read batch. Not shared: one per
 * socket, used on its event loop only.
 */
final class StunDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final StunResponder responder;
    private boolean written;

    StunDatagramHandler(StunResponder responder) {
        this.responder = responder;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf answer = responder.answer(ctx.alloc(), packet.content(), packet.sender(),
                (InetSocketAddress) ctx.channel().localAddress(), false);
        if (answer != null) {
            ctx.write(new DatagramPacket(answer, packet.sender()), ctx.voidPromise());
            written = true;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (written) {
            written = false;
            ctx.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket outlives any one peer's errors (an ICMP unreachable surfaces here on some transports).
    }
}
