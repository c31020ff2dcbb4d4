package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits below the HTTP codec and enforces the client timeouts: a request's headers must arrive within the
 * header timeout (else 408 and close), a request body being read must not stall for the idle timeout (else
 * 408, or a close if the response started), and a keep-alive connection with no request closes after the
 * idle timeout. One timer task per connection, re-armed by moving a deadline, so requests schedule nothing.
 * Confined to the connection's event loop.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {
    private enum State { HEADERS, BODY, IDLE, BUSY }

    /** Told to the handlers above when a request body stalled: no byte for the idle timeout while Sluice read. */
    static final Object BODY_TIMEOUT = new Object();

    private final long headerNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private State state = State.HEADERS;
    private DeadlineTimer timer;

    RequestTimer(long headerNanos, long idleNanos) {
        this.headerNanos = headerNanos;
        this.idleNanos = idleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new DeadlineTimer(ctx, this::expired);
        if (ctx.channel().isActive()) {
            arm(State.HEADERS, headerNanos); // added once TLS and ALPN chose HTTP/1.1: the headers are due now
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(State.HEADERS, headerNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        timer.cancel(); // the waiting task would hold the closed connection until its deadline
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
            arm(State.HEADERS, headerNanos);
        } else if (state == State.BODY && msg instanceof ByteBuf b && b.isReadable()) {
            arm(State.BODY, idleNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request is being served (its headers are in, or its whole body): no client timer runs meanwhile. */
    void serving() {
        state = State.BUSY;
        timer.disarm();
    }

    /**
     * Sluice reads the request body now: its next bytes must come within the idle timeout (nginx's
     * client_body_timeout), so a client dribbling a body cannot hold an exchange and a backend connection.
     */
    void awaitBody() {
        if (state != State.BODY) {
            arm(State.BODY, idleNanos);
        }
    }

    /** Sluice stopped reading the body (the backend is slow to take it): the client is not late. */
    void pauseBody() {
        if (state == State.BODY) {
            state = State.BUSY;
            timer.disarm();
        }
    }

    /** The response is done and the connection stays open: wait for the next request. */
    void awaitNext() {
        arm(State.IDLE, idleNanos);
    }

    private void arm(State s, long nanos) {
        state = s;
        timer.arm(nanos);
    }

    private void expired() {
        if (state == State.HEADERS) {
            // Written from below the codec: raw bytes, straight to the socket.
            ctx.writeAndFlush(Responses.requestTimeoutBytes()).addListener(ChannelFutureListener.CLOSE);
        } else if (state == State.IDLE) {
            ctx.close();
        } else if (state == State.BODY) {
            state = State.BUSY;
            ctx.fireUserEventTriggered(BODY_TIMEOUT); // the front handler answers 408 or closes
        }
    }
}
