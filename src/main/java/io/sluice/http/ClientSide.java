package io.sluice.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

/**
 * Where a {@link FrontendHandler} and its {@link Exchange} read requests from and write responses to: a client
 * connection speaking HTTP/1.1 ({@link OfContext}, its handler's context), or one stream of an HTTP/2 connection
 * ({@link H2Stream}, no channel of its own). Confined to the connection's event loop.
 */
interface ClientSide {
    /** The client's connection (for an HTTP/2 stream, the connection it is on). */
    Channel connection();

    /** The connection's event loop. */
    default EventLoop eventLoop() {
        return connection().eventLoop();
    }

    /**
     * Writes a response head or part, unflushed. Nobody waits for it: a failed write closes an HTTP/1.1 connection
     * (through its handler), and on an HTTP/2 stream the frame codec resets the stream.
     */
    void write(Object msg);

    void flush();

    /** Writes and flushes; the future says when it is written. */
    ChannelFuture writeAndFlush(Object msg);

    /** Closes once what was written is out. */
    void closeAfterWrites();

    /** Asks for what the client sends next (the side does not read on its own). */
    void read();

    /** Closes now (an HTTP/2 stream is reset unless both sides ended it). */
    void close();

    boolean isActive();

    /** Whether a response written now goes out without piling up (an HTTP/2 stream: its window is open). */
    boolean isWritable();

    /** The client's address and local port, made once per connection. */
    ClientPeer peer();

    /** The handler's context on an HTTP/1.1 connection (which a WebSocket tunnel takes over); null on HTTP/2. */
    ChannelHandlerContext context();

    /** An HTTP/1.1 connection, through its front handler's context. */
    final class OfContext implements ClientSide {
        private final ChannelHandlerContext ctx;

        OfContext(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Channel connection() {
            return ctx.channel();
        }

        @Override
        public void write(Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public ChannelFuture writeAndFlush(Object msg) {
            return ctx.writeAndFlush(msg);
        }

        @Override
        public void closeAfterWrites() {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void read() {
            ctx.read();
        }

        @Override
        public void close() {
            ctx.close();
        }

        @Override
        public boolean isActive() {
            return ctx.channel().isActive();
        }

        @Override
        public boolean isWritable() {
            return ctx.channel().isWritable();
        }

        @Override
        public ClientPeer peer() {
            return ClientPeer.of(ctx.channel()); // asked once, by the connection's one front handler
        }

        @Override
        public ChannelHandlerContext context() {
            return ctx;
        }
    }
}
