package io.sluice.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Last handler of an HTTP/2 connection (client or backend side): when the idle handler says nothing moved
 * for the idle timeout and no stream is open, closes the connection, which sends GOAWAY first. Confined to
 * the connection's event loop.
 */
final class H2IdleClose extends ChannelInboundHandlerAdapter {
    /** Flushes put off at most, before one goes through anyway. */
    private static final int FLUSH_LIMIT = 64;

    private final Http2FrameCodec codec;

    /**
     * Adds what every HTTP/2 connection has, client or backend side, after what is already there: a reading
     * idle timer, flush consolidation, the frame codec, what handles its streams and this closer.
     */
    static void install(ChannelPipeline p, long idleNanos, Http2FrameCodec codec, ChannelHandler streams) {
        // Reading idle is enough: a peer with no open stream sends nothing, and watching writes would add a
        // listener to every write.
        p.addLast("h2-idle", new IdleStateHandler(idleNanos, 0, 0, TimeUnit.NANOSECONDS));
        // Streams answer one by one; their flushes within one event-loop turn become one write (and, over
        // TLS, as few records as possible) instead of one each.
        p.addLast("h2-flush", new FlushConsolidationHandler(FLUSH_LIMIT, true));
        p.addLast("h2", codec);
        p.addLast("h2-streams", streams);
        p.addLast("h2-idle-close", new H2IdleClose(codec));
    }

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
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // A connection error the codec handles itself: it sends GOAWAY with the error's code, then closes.
            // Closing here first would send GOAWAY NO_ERROR and hide that code from the peer.
            return;
        }
        ctx.close();
    }
}
