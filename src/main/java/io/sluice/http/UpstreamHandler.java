package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands what the backend sends to the exchange that holds the
 * connection, closes the connection when the backend speaks out of turn, and keeps the connection's two
 * clocks: when it went idle in the pool (the pool's sweep closes it after the idle timeout) and the
 * response deadline of the exchange it serves. The deadline is one timer task per connection, re-armed by
 * moving the deadline, so a request schedules nothing. Confined to the connection's event loop.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    private final UpstreamPool pool;
    private final InetSocketAddress address;
    private final Object idleKey;
    private final long idleTimeoutNanos;
    private Exchange exchange;
    private boolean idle;
    private long idleSince;
    private DeadlineTimer responseTimer;

    /**
     * @param address the backend's address
     * @param idleKey where the connection waits idle in the pool ({@link UpstreamPool#idleKey})
     */
    UpstreamHandler(UpstreamPool pool, InetSocketAddress address, Object idleKey, long idleTimeoutNanos) {
        this.pool = pool;
        this.address = address;
        this.idleKey = idleKey;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.responseTimer = new DeadlineTimer(ctx, this::responseTimedOut);
    }

    /** The connection now serves this exchange. */
    void bind(Exchange e) {
        this.exchange = e;
        this.idle = false;
    }

    /** The exchange is done with this connection: it waits idle in the pool, or is about to close. */
    void unbind(boolean toPool) {
        exchange = null;
        responseTimer.disarm();
        idle = toPool;
        if (toPool) {
            idleSince = System.nanoTime();
        }
    }

    /** The backend's address. */
    InetSocketAddress address() {
        return address;
    }

    /** Where the connection waits idle in the pool. */
    Object idleKey() {
        return idleKey;
    }

    /** When the connection's idle time runs out, in {@link System#nanoTime()} terms. */
    long idleDeadline() {
        return idleSince + idleTimeoutNanos;
    }

    /** Starts the response timeout: the exchange hears {@code onResponseTimeout} unless disarmed first. */
    void armResponseTimeout(long nanos) {
        responseTimer.arm(nanos);
    }

    void disarmResponseTimeout() {
        responseTimer.disarm();
    }

    private void responseTimedOut() {
        Exchange e = exchange;
        if (e != null) {
            e.onResponseTimeout();
        }
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
        responseTimer.cancel();
        if (e != null) {
            e.onUpstreamClosed();
        } else if (idle) {
            idle = false;
            pool.remove(idleKey, ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("upstream {} failed: {}", address, cause.toString());
        ctx.close();
    }
}
