package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * On an HTTP/2 stream, turns a request that came whole (a HEADERS frame that ends the stream) into a head
 * and a last part, as HTTP/1.1 requests arrive, so that one {@link FrontendHandler} serves both. Confined to
 * the stream's event loop.
 */
final class FullRequestSplitter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest full)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
        ByteBuf content = full.content();
        if (content.isReadable() || !full.trailingHeaders().isEmpty()) {
            ctx.fireChannelRead(new DefaultLastHttpContent(content, full.trailingHeaders()));
        } else {
            content.release();
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }
}
