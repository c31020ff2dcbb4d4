package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The streams of a client's HTTP/2 connection, after its frame codec: each stream the client opens becomes an
 * {@link H2Stream} with a receiver (its {@link FrontendHandler}), without a Netty channel, pipeline and promises per
 * stream as a stream multiplexer would make. Stream frames go to their stream; connection frames (SETTINGS, PING,
 * GOAWAY) go on down the pipeline. A stream's flushes during a read of the connection become one flush when the
 * read ends. Confined to the connection's event loop.
 */
final class H2Streams extends ChannelDuplexHandler {
    private final Http2Connection connection;
    private final Function<H2Stream, H2Stream.Receiver> receivers;
    private final IntObjectHashMap<H2Stream> open = new IntObjectHashMap<>();
    private final ArrayDeque<H2Stream> readCompletePending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** Writes whose failure nobody waits for: the codec resets a stream whose frames it cannot write. */
    private ChannelPromise quiet;
    private boolean parentReading;
    private boolean flushLater;
    private ClientPeer peer;

    /**
     * @param connection the frame codec's connection (stream windows and writability)
     * @param receivers  makes the receiver of each stream the client opens
     */
    H2Streams(Http2Connection connection, Function<H2Stream, H2Stream.Receiver> receivers) {
        this.connection = connection;
        this.receivers = receivers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.quiet = new VoidChannelPromise(ctx.channel(), false);
    }

    /** Open streams (for tests: one per stream the codec has active). */
    int openStreams() {
        return open.size();
    }

    Channel channel() {
        return ctx.channel();
    }

    /** The client's address, made for the first stream and shared by the rest. */
    ClientPeer peer() {
        ClientPeer p = peer;
        if (p == null) {
            p = ClientPeer.of(ctx.channel());
            peer = p;
        }
        return p;
    }

    ChannelPromise newPromise() {
        return ctx.newPromise();
    }

    /** Writes a frame towards the codec; {@code p} null: nobody waits for it. */
    void write(Http2StreamFrame frame, ChannelPromise p) {
        ctx.write(frame, p == null ? quiet : p);
    }

    /** Flushes now, or once the connection's current read ends. */
    void flush() {
        if (parentReading) {
            flushLater = true;
        } else {
            ctx.flush();
        }
    }

    boolean parentReading() {
        return parentReading;
    }

    /** The stream's send window is open and the connection is writable (the codec's rule). */
    boolean isWritable(int id) {
        Http2Stream s = connection.stream(id);
        return s == null || connection.remote().flowController().isWritable(s);
    }

    void readCompleteLater(H2Stream s) {
        if (!s.readCompletePending) {
            s.readCompletePending = true;
            readCompletePending.add(s);
        }
    }

    /** A stream the client opened: its receiver is made and told. */
    H2Stream open(Http2FrameStream fs) {
        H2Stream s = new H2Stream(this, fs);
        open.put(fs.id(), s);
        s.open(receivers.apply(s));
        return s;
    }

    void remove(H2Stream s) {
        open.remove(s.id());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        parentReading = true;
        if (msg instanceof Http2StreamFrame f) {
            Http2FrameStream fs = f.stream();
            H2Stream s = fs == null ? null : open.get(fs.id());
            if (s != null && (f instanceof Http2HeadersFrame || f instanceof Http2DataFrame)) {
                s.frameRead(f);
            } else {
                // Window updates, resets and priorities: the codec has acted on them; the stream's state events
                // say what follows.
                ReferenceCountUtil.release(f);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            H2Stream s;
            while ((s = readCompletePending.poll()) != null) {
                s.batchReadComplete();
            }
        } finally {
            parentReading = false;
        }
        if (flushLater) {
            flushLater = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof Http2FrameStreamEvent event)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        Http2FrameStream fs = event.stream();
        int id = fs.id();
        if (event.type() == Http2FrameStreamEvent.Type.Writability) {
            H2Stream s = open.get(id);
            if (s != null) {
                s.writabilityChanged();
            }
            return;
        }
        switch (fs.state()) {
            case OPEN, HALF_CLOSED_REMOTE -> {
                if (!open.containsKey(id) && !connection.local().isValidStreamId(id)) {
                    open(fs);
                }
            }
            case CLOSED -> {
                H2Stream s = open.get(id);
                if (s != null) {
                    s.codecClosed();
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof Http2FrameStreamException e) {
            // A stream error the codec answered with RST_STREAM: that stream ends, the connection goes on.
            H2Stream s = open.get(e.stream().id());
            if (s != null) {
                s.streamError(e.error());
            }
            return;
        }
        if (cause.getCause() instanceof SSLException) {
            closeAll();
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closeAll(); // the codec closed its streams already; this is for any it did not tell of
        super.channelInactive(ctx);
    }

    private void closeAll() {
        if (!open.isEmpty()) {
            for (H2Stream s : new ArrayList<>(open.values())) {
                s.close();
            }
        }
    }
}
