package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.sluice.testing.H2Wire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link H2FloodGuard} on an embedded channel: what it counts, where it cuts, and when it stops reading. */
class H2FloodGuardTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteArrayOutputStream passed = new ByteArrayOutputStream();
    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel ch = new EmbeddedChannel(new H2FloodGuard(), new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            passed.writeBytes(bytes);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    });

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private static byte[] repeat(byte[] frame, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Writes the bytes in pieces of this size, so frame headers fall across buffers. */
    private void feed(byte[] bytes, int piece) {
        for (int off = 0; off < bytes.length; off += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + piece))));
        }
    }

    @Test
    void framesWithinBoundsPassUnchangedHoweverTheyAreSplit() {
        // DATA whose payload looks like SETTINGS frame headers is skipped, not counted.
        byte[] lookalike = repeat(H2Wire.settings(), 500);
        byte[] bytes = concat(PREFACE, H2Wire.settings(0x4, 0), repeat(H2Wire.ping(1), H2FloodGuard.MAX_PINGS),
                H2Wire.data(1, lookalike, false), repeat(H2Wire.frame(H2Wire.SETTINGS, H2Wire.ACK, 0, new byte[0]), 500),
                repeat(H2Wire.settings(), H2FloodGuard.MAX_SETTINGS - 1));
        for (int piece : new int[] {1, 7, 9, 4096}) {
            passed.reset();
            EmbeddedChannel fresh = new EmbeddedChannel(new H2FloodGuard(), new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    byte[] got = new byte[b.readableBytes()];
                    b.readBytes(got);
                    b.release();
                    passed.writeBytes(got);
                }
            });
            for (int off = 0; off < bytes.length; off += piece) {
                fresh.writeInbound(Unpooled.wrappedBuffer(
                        Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + piece))));
            }
            assertThat(passed.toByteArray()).as("in pieces of " + piece).isEqualTo(bytes);
            assertThat(fresh.config().isAutoRead()).isTrue();
            fresh.finishAndReleaseAll();
        }
    }

    @Test
    void theFrameOverTheBoundIsCutOffWithWhatFollowsAndTheCodecToldToCalmThePeer() {
        byte[] allowed = concat(PREFACE, repeat(H2Wire.settings(), H2FloodGuard.MAX_SETTINGS));
        byte[] all = concat(allowed, H2Wire.settings(), H2Wire.get(1, "/"));
        feed(all, 5);
        // Pieces that began the offending header before it was whole went on; nothing from the piece that
        // completed it did.
        assertThat(passed.toByteArray()).isEqualTo(Arrays.copyOf(all, passed.size()));
        assertThat(passed.size()).isBetween(allowed.length, allowed.length + 8);
        assertThat(errors).hasSize(1);
        assertThat(((Http2Exception) errors.get(0)).error()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM);
        ch.writeInbound(Unpooled.wrappedBuffer(H2Wire.get(3, "/")));
        assertThat(passed.size()).as("nothing passes once cut off").isBetween(allowed.length, allowed.length + 8);
    }

    @Test
    void eachKindHasItsOwnBound() {
        feed(concat(PREFACE, repeat(H2Wire.ping(1), H2FloodGuard.MAX_PINGS),
                repeat(H2Wire.settings(), H2FloodGuard.MAX_SETTINGS),
                repeat(H2Wire.windowUpdate(0, 1), H2FloodGuard.MAX_WINDOW_UPDATES)), 65_536);
        assertThat(errors).isEmpty();
        feed(H2Wire.windowUpdate(0, 1), 13);
        assertThat(errors).hasSize(1);
    }

    @Test
    void readingStopsWhileTheConnectionIsNotWritableAndResumesAfter() {
        ch.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        ch.write(Unpooled.wrappedBuffer(new byte[64])); // queued, not flushed: over the high water mark
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.flush();
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.releaseOutbound();
    }
}
