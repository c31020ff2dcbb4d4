package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Sits below the HTTP codec and enforces two client timeouts: a request's headers must arrive within the
 * header timeout (else 408 and close), and a keep-alive connection with no request closes after the idle
 * timeout. One timer task per connection, re-armed by moving a deadline, so requests schedule nothing.
 * Confined to the connection's event loop.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {
    private enum State { HEADERS, IDLE, BUSY }

    private final long headerNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private State state = State.HEADERS;
    private long deadline;
    private boolean scheduled;

    RequestTimer(long headerNanos, long idleNanos) {
        this.headerNanos = headerNanos;
        this.idleNanos = idleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(State.HEADERS, headerNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
            arm(State.HEADERS, headerNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request's headers have arrived; no client timer runs while it is served. */
    void headersReceived() {
        state = State.BUSY;
        deadline = 0;
    }

    /** The response is done and the connection stays open: wait for the next request. */
    void awaitNext() {
        arm(State.IDLE, idleNanos);
    }

    private void arm(State s, long nanos) {
        state = s;
        deadline = System.nanoTime() + nanos;
        if (!scheduled) {
            scheduled = true;
            ctx.executor().schedule(this::fire, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void fire() {
        scheduled = false;
        if (deadline == 0 || !ctx.channel().isActive()) {
            return;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining > 0) {
            scheduled = true;
            ctx.executor().schedule(this::fire, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        deadline = 0;
        if (state == State.HEADERS) {
            // Written from below the codec: raw bytes, straight to the socket.
            ctx.writeAndFlush(Responses.requestTimeoutBytes()).addListener(ChannelFutureListener.CLOSE);
        } else if (state == State.IDLE) {
            ctx.close();
        }
    }
}
