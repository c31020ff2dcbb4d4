package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands what the backend sends to the exchange that holds the
 * connection, and closes the connection when it is idle too long or the backend speaks out of turn.
 * Confined to the connection's event loop.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    private final UpstreamPool pool;
    private final InetSocketAddress address;
    private Exchange exchange;
    private boolean idle;

    UpstreamHandler(UpstreamPool pool, InetSocketAddress address) {
        this.pool = pool;
        this.address = address;
    }

    /** The connection now serves this exchange. */
    void bind(Exchange e) {
        this.exchange = e;
        this.idle = false;
    }

    /** The exchange is done with this connection: it waits idle in the pool, or is about to close. */
    void unbind(boolean toPool) {
        exchange = null;
        idle = toPool;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e != null) {
            e.onUpstreamRead(msg);
        } else {
            // A backend must not send anything while no request is outstanding.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.onUpstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onUpstreamClosed();
        } else if (idle) {
            pool.remove(address, ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("upstream {} failed: {}", address, cause.toString());
        ctx.close();
    }
}
