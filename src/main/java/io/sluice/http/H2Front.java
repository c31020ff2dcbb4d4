package io.sluice.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.config.LimitsConfig;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 side of a client connection. Each stream becomes a child channel with the HTTP/1-style codec
 * and its own {@link FrontendHandler}, so a stream is one exchange through the same routing, balancing,
 * retries and metrics as an HTTP/1.1 request. Flow control: stream channels do not read on their own, so a
 * stream's window opens again only as its body is sent on upstream; responses are written as the stream's
 * window allows (the stream channel's writability). The connection reads freely, as every stream has its
 * own window. A connection with no open stream for the idle timeout is closed; closing (at shutdown) sends
 * GOAWAY and lets open streams finish within the drain timeout. Stateless; thread-safe.
 */
final class H2Front {
    /** Flushes put off at most, before one goes through anyway. */
    static final int FLUSH_LIMIT = 64;
    /** Stream frames to HTTP/1-style messages and back; stateless, so one serves every stream. */
    private static final Http2StreamFrameToHttpObjectCodec SERVER_CODEC =
            new Http2StreamFrameToHttpObjectCodec(true, false);
    private H2Front() {
    }

    static void install(ChannelPipeline p, ProxyContext proxy, String listener, int maxStreams, boolean secure) {
        LimitsConfig limits = proxy.snapshot().config().limits();
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(maxStreams)
                .maxHeaderListSize(Math.max(4096, limits.maxHeaderSize()));
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(limits.drainTimeout().toMillis())
                .build();
        // Reading idle is enough: a client with no open stream sends nothing, and watching writes would add a
        // listener to every write.
        p.addLast("h2-idle", new IdleStateHandler(limits.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        // Streams answer one by one as their backends do; their flushes within one event-loop turn become one
        // write (and, over TLS, as few records as possible) instead of one each.
        p.addLast("h2-flush", new FlushConsolidationHandler(FLUSH_LIMIT, true));
        p.addLast("h2", codec);
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline().addLast("codec", SERVER_CODEC);
                ch.pipeline().addLast("whole", new FullRequestSplitter());
                ch.pipeline().addLast("frontend", new FrontendHandler(proxy, listener, null, true, secure));
            }
        }));
        p.addLast("h2-idle-close", new H2IdleClose(codec));
        p.channel().config().setAutoRead(true);
    }
}
