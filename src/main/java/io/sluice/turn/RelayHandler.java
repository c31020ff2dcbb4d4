package io.sluice.turn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** Datagrams from peers to one allocation's relay socket, passed to the allocation. Not shared. */
final class RelayHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Allocation allocation;

    RelayHandler(Allocation allocation) {
        this.allocation = allocation;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        allocation.fromPeer(packet.sender(), packet.content());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        allocation.link.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // an ICMP unreachable from a peer surfaces here on some transports; the socket stays
    }
}
