package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

/**
 * One direction of an L4 TCP connection: what this side reads is written to the other side. Reads are driven
 * by the other side's writability (the channels run with AUTO_READ off): after a batch of reads is flushed, the
 * next read is asked for only if the other side can take more, else when it becomes writable again; so a slow
 * reader holds Sluice to about one read batch plus the other side's write buffer, whatever the sender does.
 * Half-close is passed on: when this side shuts its output (FIN), the other side's output is shut after what
 * was read is flushed; when both have, the connection is closed. Both channels must be on one event loop.
 * Confined to that event loop.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Relay.class);
    private final Channel peer;
    private final TcpSession session;
    private final boolean fromClient;
    private Relay other;
    private ChannelHandlerContext ctx;
    private boolean readWaiting;
    private boolean inputShut;
    private long bytes;

    Relay(Channel peer, TcpSession session, boolean fromClient) {
        this.peer = peer;
        this.session = session;
        this.fromClient = fromClient;
    }

    /** Joins two relays: {@code a} reads one channel, {@code b} the other. */
    static void pair(Relay a, Relay b) {
        a.other = b;
        b.other = a;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Starts reading this side. */
    void start() {
        ctx.read();
    }

    /** Bytes read from this side (and written to the other) so far. */
    long bytes() {
        return bytes;
    }

    boolean inputShut() {
        return inputShut;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            bytes += n;
            session.bytes(fromClient, n);
            if (n == 0) {
                buf.release();
                return;
            }
            peer.write(buf, peer.voidPromise());
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (inputShut) {
            return;
        }
        if (peer.isWritable()) {
            ctx.read();
        } else {
            readWaiting = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side can take more: the other side may read again.
        if (ctx.channel().isWritable() && other != null && other.readWaiting) {
            other.readWaiting = false;
            if (!other.inputShut && other.ctx.channel().isActive()) {
                other.ctx.read();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            readWaiting = false;
            if (other.inputShut) {
                closeBoth("closed");
            } else if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess() && peer instanceof DuplexChannel d && !d.isOutputShutdown()) {
                        d.shutdownOutput();
                    }
                });
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.end(fromClient ? "client_closed" : "backend_closed");
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // This side is broken (typically reset); the other still gets what was already written to it.
        session.end(fromClient ? "client_reset" : "backend_reset");
        LOG.debug("{} side of an L4 connection failed: {}", fromClient ? "client" : "backend", cause.toString());
        ctx.channel().close();
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Both sides said they are done: close each once what was written to it has gone out. */
    private void closeBoth(String why) {
        session.end(why);
        ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
