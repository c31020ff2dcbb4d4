package io.sluice.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener's client timer, between the HTTP codec and the aggregator: each request, headers and
 * (small) body, must arrive within the timeout, counted from the connection's start or from the end of the
 * previous response; else the client gets 408 and the connection closes. An idle keep-alive connection is
 * closed the same way, so a client that connects and says nothing holds nothing for long. The admin API
 * is not on the proxy path, so a scheduled task per request is fine here. One instance per connection;
 * confined to the connection's event loop.
 */
final class AdminRequestTimer extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    AdminRequestTimer(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent) {
            disarm(); // the whole request is here; it is being answered
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> {
                if (f.isSuccess() && ctx.channel().isActive()) {
                    arm(ctx); // the response is out: the next request is due within the timeout
                }
            });
            ctx.write(msg, p);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> expired(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired(ChannelHandlerContext ctx) {
        timer = null;
        FullHttpResponse res = AdminHandler.text(HttpResponseStatus.REQUEST_TIMEOUT, "request timeout\n");
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
}
