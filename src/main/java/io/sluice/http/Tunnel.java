package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket connection after the backend's 101: the client and backend connections lose their HTTP codecs
 * and bytes flow both ways unchanged, each side read only while the other can take more. Nothing moving
 * either way for the idle timeout closes both; either side closing closes the other once what it sent is
 * flushed. While it lasts the exchange stays open, so the backend counts the tunnel as in flight. Confined
 * to the client connection's event loop (the backend connection is on the same one).
 */
final class Tunnel {
    private final Exchange exchange;
    private final ChannelHandlerContext client;
    private final Channel backend;
    private ArrayDeque<ByteBuf> early;
    private Side clientSide;
    private Side backendSide;
    private boolean closed;

    /**
     * @param client  the front handler's context on the client connection (the 101 was written there)
     * @param backend the backend connection that answered 101
     */
    Tunnel(Exchange exchange, ChannelHandlerContext client, Channel backend) {
        this.exchange = exchange;
        this.client = client;
        this.backend = backend;
    }

    /** Before the splice: the 101's empty last part goes on through the client's codec; raw bytes wait. */
    void beforeSplice(Object msg) {
        if (msg instanceof HttpContent c) {
            client.write(c, client.voidPromise());
        } else if (msg instanceof ByteBuf b) {
            if (early == null) {
                early = new ArrayDeque<>(2);
            }
            early.add(b);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Takes the HTTP handlers out of both connections and starts moving bytes. */
    void splice(long idleNanos) {
        ChannelPipeline cp = client.pipeline();
        clientSide = new Side(backend);
        backendSide = new Side(client.channel());
        cp.replace(client.handler(), "tunnel", clientSide);
        cp.remove("codec");
        if (cp.get(RequestTimer.class) != null) {
            cp.remove(RequestTimer.class);
        }
        cp.addBefore("tunnel", "tunnel-idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
        ChannelPipeline bp = backend.pipeline();
        bp.replace(UpstreamHandler.class, "tunnel", backendSide);
        bp.remove("codec");
        if (early != null) {
            ByteBuf b;
            while ((b = early.poll()) != null) {
                backendSide.bytes += b.readableBytes();
                client.channel().write(b, client.channel().voidPromise());
            }
        }
        client.channel().flush();
        if (!client.channel().isActive() || !backend.isActive()) {
            close();
            return;
        }
        client.channel().read();
        backend.read();
    }

    /** The exchange failed before the splice: drop what waited. */
    void abandon() {
        if (early != null) {
            ByteBuf b;
            while ((b = early.poll()) != null) {
                b.release();
            }
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        flushAndClose(client.channel());
        flushAndClose(backend);
        exchange.tunnelClosed(clientSide.bytes, backendSide.bytes);
    }

    private static void flushAndClose(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** One direction: what this connection reads is written to the peer. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private long bytes;

        Side(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed || !(msg instanceof ByteBuf b)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            bytes += b.readableBytes();
            peer.write(b, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (peer.isWritable()) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                peer.read(); // the peer's reads waited for this side to drain
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent || evt instanceof ChannelInputShutdownEvent) {
                close(); // idle, or one side said it is done (half-closable client connections): end both
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close();
        }
    }
}
