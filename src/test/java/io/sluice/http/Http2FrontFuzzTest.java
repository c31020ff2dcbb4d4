package io.sluice.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.ServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.TrackingAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fuzz target for the HTTP/2 front: after the client preface, the input is whatever frames (or garbage) a
 * client sends. The connection is built as {@link H2Front#install} builds it (same frame codec settings, a
 * {@link H2Streams}), with a sink in place of each stream's front handler that reads and releases everything.
 * Checked for every input:
 * <ul>
 *   <li>no exception reaches the tail of the connection's pipeline, other than the protocol
 *       errors the frame codec passes on after answering them (GOAWAY, RST_STREAM);</li>
 *   <li>every buffer is released (counted per input by a {@link TrackingAllocator});</li>
 *   <li>the connection is consistent: while open, one open stream per active stream; once closed
 *       (by the codec or by the client going away), no stream left open.</li>
 * </ul>
 */
class Http2FrontFuzzTest {
    private static final LimitsConfig LIMITS = LimitsConfig.DEFAULTS;

    /** Reads and releases all a stream is given, as a front handler reading on would; keeps the streams. */
    private static final class StreamSink implements H2Stream.Receiver {
        private final List<H2Stream> streams;
        private H2Stream stream;

        StreamSink(List<H2Stream> streams) {
            this.streams = streams;
        }

        @Override
        public void streamOpened(H2Stream s) {
            stream = s;
            streams.add(s);
            s.read();
        }

        @Override
        public void streamRead(Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void streamReadComplete() {
            stream.read();
        }

        @Override
        public void streamWritable() {
        }

        @Override
        public void streamClosed() {
        }
    }

    /** The connection's last handler: an exception arriving here was handled by nobody. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        private final List<Throwable> escaped;

        Tail(List<Throwable> escaped) {
            this.escaped = escaped;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // connection frames (SETTINGS, PING, GOAWAY): Netty's tail drops them too
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof Http2Exception)) {
                // A protocol error is passed on by the frame codec after it answered it (GOAWAY or RST_STREAM);
                // anything else was handled by nobody.
                escaped.add(cause);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void clientFramesNeverEscapeLeakOrLeaveStreamsBehind(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        List<Throwable> escaped = new ArrayList<>();
        List<H2Stream> streams = new ArrayList<>();
        Http2FrameCodec codec = H2Front.newCodec(LIMITS, 100); // the listener's codec, with its flood bounds
        H2Streams multiplex = new H2Streams(codec.connection(), s -> new StreamSink(streams));
        // A parent that is a server channel, as an accepted connection has: the multiplexer asks, and would
        // otherwise take stream 1 for a client's upgrade stream.
        EmbeddedChannel ch = new EmbeddedChannel(new Listener(), DefaultChannelId.newInstance(), false, false,
                new H2FloodGuard(), codec, multiplex, new Tail(escaped));
        ch.config().setAllocator(alloc);
        try {
            ch.register();
            ch.freezeTime();
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            int split = input.length == 0 ? 0 : (input[input.length - 1] & 0xff) % (input.length + 1);
            ch.writeInbound(preface, copy(alloc, input, 0, split));
            ByteBuf rest = copy(alloc, input, split, input.length);
            if (ch.isOpen()) {
                ch.writeInbound(rest);
            } else {
                rest.release(); // the codec closed the connection after the first read
            }
            ch.runPendingTasks();
            releaseOutbound(ch);
            if (ch.isOpen()) {
                int active = codec.connection().numActiveStreams();
                long open = streams.stream().filter(H2Stream::isActive).count();
                if (open != active || multiplex.openStreams() != active) {
                    throw new AssertionError(open + " streams open (" + multiplex.openStreams() + " kept) for "
                            + active + " active streams");
                }
            } else {
                assertStreamsClosed(streams, "after the codec closed the connection");
            }
            // The client goes away; open streams get the drain timeout, then the connection closes.
            ch.pipeline().close(); // not ch.close(), which cancels the scheduled drain timeout
            ch.advanceTimeBy(LIMITS.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
            releaseOutbound(ch);
            assertStreamsClosed(streams, "after the connection closed");
        } catch (Exception e) {
            throw new AssertionError("exception out of the pipeline", e);
        } finally {
            ch.finishAndReleaseAll();
        }
        if (!escaped.isEmpty()) {
            AssertionError e = new AssertionError(escaped.size() + " exception(s) reached a tail: " + escaped.get(0),
                    escaped.get(0));
            escaped.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        alloc.assertAllReleased("after the input");
    }

    /** Stands for the listening socket the connection was accepted on. */
    private static final class Listener extends EmbeddedChannel implements ServerChannel {
    }

    private static void assertStreamsClosed(List<H2Stream> streams, String when) {
        long open = streams.stream().filter(H2Stream::isActive).count();
        if (open > 0) {
            throw new AssertionError(open + " stream(s) still open " + when);
        }
    }

    private static void releaseOutbound(EmbeddedChannel ch) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    private static ByteBuf copy(TrackingAllocator alloc, byte[] input, int from, int to) {
        ByteBuf b = alloc.heapBuffer(Math.max(1, to - from));
        b.writeBytes(input, from, to - from);
        return b;
    }
}
