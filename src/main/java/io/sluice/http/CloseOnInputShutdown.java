package io.sluice.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Closes a connection whose peer shut its sending side, for the protocols on a half-closable socket that
 * have no use for half-closure (HTTP/2 ends with GOAWAY). Stateless; thread-safe.
 */
@ChannelHandler.Sharable
final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {
    static final CloseOnInputShutdown INSTANCE = new CloseOnInputShutdown();

    private CloseOnInputShutdown() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }
}
