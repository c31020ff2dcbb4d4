package io.sluice.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.config.LimitsConfig;
import io.sluice.observe.ListenerStats;

/**
 * The HTTP/2 side of a client connection. Each stream becomes an {@link H2Stream} (no channel of its own; see
 * {@link H2Streams}) with its own {@link FrontendHandler}, so a stream is one exchange through the same routing,
 * balancing, retries and metrics as an HTTP/1.1 request. Flow control: streams do not read on their own, so a
 * stream's window opens again only as its body is sent on upstream; responses are written as the stream's
 * window allows (the stream's writability). The connection reads freely, as every stream has its
 * own window, except while it is not writable (the peer is not reading what it is sent). A connection with
 * no open stream for the idle timeout is closed; closing (at shutdown) sends GOAWAY and lets open streams
 * finish within the drain timeout. A peer that floods the connection with frames that cost it nothing gets
 * GOAWAY ENHANCE_YOUR_CALM ({@link H2FloodGuard} and the codec's own bounds); a malformed request is reset
 * with PROTOCOL_ERROR ({@link H2RequestGuard}, {@link H2Stream}). Stateless; thread-safe.
 */
final class H2Front {
    /** Acknowledgements and resets that may wait unwritten before the connection is closed. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1024;
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    static final int MAX_RST_FRAMES = 200;
    static final int RST_WINDOW_SECONDS = 30;
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

    private H2Front() {
    }

    static void install(ChannelPipeline p, ProxyContext proxy, String listener, ListenerStats stats, int maxStreams,
                        boolean secure) {
        LimitsConfig limits = proxy.snapshot().config().limits();
        Http2FrameCodec codec = newCodec(limits, maxStreams);
        H2IdleClose.install(p, limits.idleTimeout().toNanos(), codec, new H2Streams(codec.connection(),
                s -> new FrontendHandler(proxy, listener, stats, null, true, secure)));
        p.addBefore("h2", "h2-flood", new H2FloodGuard(codec.connection()));
        p.channel().config().setAutoRead(true);
    }

    /** The connection's frame codec: our settings and every flood bound, as the listener and the fuzz target use it. */
    static Http2FrameCodec newCodec(LimitsConfig limits, int maxStreams) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(maxStreams)
                .maxHeaderListSize(Math.max(4096, limits.maxHeaderSize()));
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(limits.drainTimeout().toMillis())
                // A peer that makes us answer (SETTINGS and PING acks, resets) without reading the answers gets
                // ENHANCE_YOUR_CALM once this many wait unwritten; H2FloodGuard stops reading well before.
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                // Netty's own flood bounds, named here so that they are ours: empty DATA frames in a row,
                // RST_STREAM received (rapid reset) and sent (streams made to fail) per window, and
                // CONTINUATION frames too small to carry a field.
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .build();
    }
}
