package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Last handler of an HTTP/2 connection (client or backend side): when the idle handler says nothing moved
 * for the idle timeout and no stream is open, closes the connection, which sends GOAWAY first. Confined to
 * the connection's event loop.
 */
final class H2IdleClose extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;

    H2IdleClose(Http2FrameCodec codec) {
        this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
