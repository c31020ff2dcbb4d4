package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.util.concurrent.TimeUnit;

/**
 * Sits before the frame codec of an HTTP/2 client connection and bounds what a peer can make the codec do
 * without doing any work of its own. It reads only the 9-byte frame headers as bytes pass (payloads are
 * skipped, nothing is copied or allocated) and counts, per one-second window, the frames the codec
 * otherwise takes in any number: SETTINGS, PING, PRIORITY and WINDOW_UPDATE. A peer over a bound gets a
 * connection error ENHANCE_YOUR_CALM (the codec sends GOAWAY with it): the bytes before the offending
 * frame still reach the codec, nothing after it does (it is read and dropped), and the connection is shut
 * for output once the GOAWAY is written and closed a second after the flood was found. RST_STREAM bursts, empty
 * DATA frames, small CONTINUATION frames and the acknowledgements waiting to be written are bounded by
 * the codec itself (see {@link H2Front}); when the codec refuses a peer with an error GOAWAY, its close is
 * made the same way, shut for output first.
 *
 * <p>Also stops reading while the connection is not writable: a peer that floods without reading what
 * it is sent (SETTINGS and PING acknowledgements, resets) then fills its own socket buffers rather than
 * our memory, and reading resumes once it reads again. Confined to the connection's event loop; one per
 * connection.
 */
final class H2FloodGuard extends ChannelDuplexHandler {
    /** The client preface, which comes before the first frame header. */
    private static final int PREFACE_LENGTH = 24;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Frames of each kind a peer may send in one window; well-behaved clients send a handful. */
    static final int MAX_SETTINGS = 50;
    static final int MAX_PINGS = 100;
    static final int MAX_PRIORITIES = 1000;
    static final int MAX_WINDOW_UPDATES = 10_000;
    /** How long a GOAWAY for a flood may wait to be written before the connection is closed anyway. */
    private static final long CLOSE_AFTER_MILLIS = 1000;

    private static final int PRIORITY = 2;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int WINDOW_UPDATE = 8;
    private static final int ACK = 0x1;

    /** Bytes of the preface or of a frame's payload still to pass before the next frame header. */
    private long skip = PREFACE_LENGTH;
    /** Bytes of the current frame header seen so far (0-9), and what they said. */
    private int headerRead;
    private int length;
    private int type;
    private int flags;

    private long windowStart;
    private int settings;
    private int pings;
    private int priorities;
    private int windowUpdates;
    private boolean tripped;
    /** The codec sent GOAWAY with an error: the peer broke a rule or a bound the codec keeps itself. */
    private boolean refused;
    private boolean pausedForWrites;

    H2FloodGuard() {
    }

    /**
     * A guard that also sees the codec's own GOAWAYs on {@code connection}: when the codec refuses the peer (a
     * CONTINUATION or reset flood, a protocol error), its close is made the same way as after the guard's own
     * refusal, so that the reset a close with unread input causes cannot destroy the GOAWAY.
     */
    H2FloodGuard(Http2Connection connection) {
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                    refused = true;
                }
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (tripped) {
            buf.release();
            return;
        }
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            settings = 0;
            pings = 0;
            priorities = 0;
            windowUpdates = 0;
        }
        int offending = scan(buf);
        if (offending < 0) {
            ctx.fireChannelRead(buf);
            return;
        }
        tripped = true;
        int before = offending - buf.readerIndex();
        if (before > 0) {
            ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), before));
        }
        buf.release();
        String what = switch (type) {
            case SETTINGS -> "SETTINGS";
            case PING -> "PING";
            case PRIORITY -> "PRIORITY";
            default -> "WINDOW_UPDATE";
        };
        ctx.fireExceptionCaught(Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                "too many %s frames in one second", what));
        closeLater(ctx);
    }

    /** Closes the connection when the time given to a GOAWAY is up, from here: past this handler's own close. */
    private static void closeLater(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Passes over the frame headers in {@code buf} without moving its indexes and counts them; returns the
     * index where the first frame over a bound begins in {@code buf} (its reader index if it began in an
     * earlier buffer), or -1 when all are within bounds.
     */
    private int scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        int frameStart = i;
        while (i < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - i);
                i += n;
                skip -= n;
                continue;
            }
            if (headerRead == 0) {
                frameStart = i;
            }
            int b = buf.getUnsignedByte(i++);
            switch (headerRead++) {
                case 0 -> length = b;
                case 1, 2 -> length = length << 8 | b;
                case 3 -> type = b;
                case 4 -> flags = b;
                default -> {
                    // stream identifier: not needed to count
                }
            }
            if (headerRead == 9) {
                headerRead = 0;
                skip = length;
                if (overBound()) {
                    return frameStart;
                }
            }
        }
        return -1;
    }

    /** Counts the frame whose header was just read; true when that takes its kind over the bound. */
    private boolean overBound() {
        switch (type) {
            case SETTINGS:
                return (flags & ACK) == 0 && ++settings > MAX_SETTINGS;
            case PING:
                return ++pings > MAX_PINGS;
            case PRIORITY:
                return ++priorities > MAX_PRIORITIES;
            case WINDOW_UPDATE:
                return ++windowUpdates > MAX_WINDOW_UPDATES;
            default:
                return false;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (!writable && !pausedForWrites) {
            pausedForWrites = true;
            ctx.channel().config().setAutoRead(false);
        } else if (writable && pausedForWrites) {
            pausedForWrites = false;
            ctx.channel().config().setAutoRead(true);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // Reads asked for while paused (a stream wanting more of its body) wait for writability to return.
        if (!pausedForWrites) {
            ctx.read();
        }
    }

    /**
     * Once the peer is cut off (by this guard, or by the codec with an error GOAWAY), the codec closes the
     * connection as soon as its GOAWAY is written. Closing a socket with the flood still unread makes the kernel
     * send a reset, which can destroy the GOAWAY before the peer reads it; so the connection is only shut for
     * output here, what still comes is read and dropped, and it is closed when the time given to the GOAWAY is up.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!(tripped || refused) || !(ctx.channel() instanceof DuplexChannel duplex) || !ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        if (!tripped) {
            tripped = true; // what still comes is dropped, as after the guard's own refusal
            closeLater(ctx);
        }
        ctx.flush();
        duplex.shutdownOutput();
        ctx.channel().config().setAutoRead(true);
    }
}
