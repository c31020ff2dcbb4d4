package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One stream of a client's HTTP/2 connection, as its {@link FrontendHandler} sees it: a {@link ClientSide} without a
 * channel of its own. {@link H2Streams} hands it the stream's frames; it turns them into HTTP/1-style messages for
 * the front handler, and the messages it is given back into frames written on the connection:
 * <ul>
 *   <li>a malformed request ({@link H2RequestGuard#wellFormed}, or one Netty's conversion refuses) is reset with
 *       PROTOCOL_ERROR before anything routes or forwards it, and nothing more of the stream is read;</li>
 *   <li>a request head becomes an {@link HttpRequest} with its fields kept as bytes ({@link H2RequestHead}), or by
 *       Netty's conversion ({@link HttpConversionUtil}) when that does not take it on; one that ends the stream is
 *       followed by an empty last part, as an HTTP/1.1 request without a body arrives, and one with a body but no
 *       Content-Length is marked chunked; DATA becomes content, a HEADERS frame after the head the trailers;</li>
 *   <li>a proxied response head becomes a HEADERS frame by {@link H2ResponseHead#convert} when it can, by Netty's
 *       conversion otherwise; content becomes DATA, trailers a last HEADERS frame; an interim (1xx) answer must be a
 *       full response and never ends the stream.</li>
 * </ul>
 * It keeps the rules a Netty stream channel kept, which the front handler was written against: frames are passed
 * on only while a read is asked for (others wait, in order); the stream's receive window opens again for what was
 * passed on when the next read is asked for, so a body comes only as fast as it goes on upstream; closing it
 * resets the stream (CANCEL) unless both sides ended it; the front handler hears of the close after the current
 * event. Writability is the codec's: the stream's send window is open and the connection writable. One per stream;
 * confined to the connection's event loop.
 */
final class H2Stream implements ClientSide, Runnable {
    /** What a stream's frames are passed to: the front handler on a listener. */
    interface Receiver {
        /** The stream opened; it reads nothing until asked. */
        void streamOpened(H2Stream stream);

        void streamRead(Object msg);

        void streamReadComplete();

        /** The stream's writability changed. */
        void streamWritable();

        /** The stream is closed: called once, after the event during which it closed. */
        void streamClosed();
    }

    /** Trailers as Netty's codec made them: the frame codec has checked the names already. */
    private static final HttpHeadersFactory UNCHECKED_TRAILERS =
            DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private static final byte IDLE = 0;
    /** A read was asked for; frames are passed on as they come until the read completes. */
    private static final byte IN_PROGRESS = 1;
    /** Another read was asked for during the current one. */
    private static final byte REQUESTED = 2;

    private final H2Streams streams;
    private final Http2FrameStream stream;
    private Receiver receiver;
    /** Frames that came while no read was asked for. */
    private ArrayDeque<Http2StreamFrame> waiting;
    private byte readStatus;
    /** Frames were passed on in the connection's current read; the read completes when it does. */
    boolean readCompletePending;
    /** The codec closed the stream: once every waiting frame is passed on, it closes here too. */
    private boolean readEOS;
    private boolean closed;
    private boolean receivedEnd;
    private boolean sentEnd;
    /** Flow-controlled bytes passed on and not yet given back to the peer's send window. */
    private int consumed;
    private boolean headSeen;
    private boolean rejected;
    /** The write that ended the stream; a close after writes waits for it. */
    private ChannelPromise endWrite;

    H2Stream(H2Streams streams, Http2FrameStream stream) {
        this.streams = streams;
        this.stream = stream;
    }

    void open(Receiver r) {
        receiver = r;
        r.streamOpened(this);
    }

    int id() {
        return stream.id();
    }

    // ---- frames in, from H2Streams

    /** A HEADERS or DATA frame of this stream, during the connection's read. */
    void frameRead(Http2StreamFrame frame) {
        if (closed) {
            ReferenceCountUtil.release(frame);
        } else if (readStatus != IDLE) {
            pass(frame);
            streams.readCompleteLater(this);
        } else {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(frame);
        }
    }

    /** The connection's read ended, and frames were passed on during it. */
    void batchReadComplete() {
        readCompletePending = false;
        if (closed) {
            return;
        }
        resetReadStatus();
        receiver.streamReadComplete();
        if (readEOS && (waiting == null || waiting.isEmpty())) {
            close();
        }
    }

    /** The codec closed the stream (both sides ended it, or it was reset). */
    void codecClosed() {
        readEOS = true;
        if (closed) {
            return;
        }
        if (readStatus != IDLE) {
            passWaiting();
        } else if (waiting == null || waiting.isEmpty()) {
            close();
        }
    }

    void writabilityChanged() {
        if (!closed) {
            receiver.streamWritable();
        }
    }

    @Override
    public void read() {
        if (closed) {
            return;
        }
        giveBackWindow();
        if (readStatus == IDLE) {
            readStatus = IN_PROGRESS;
            passWaiting();
        } else if (readStatus == IN_PROGRESS) {
            readStatus = REQUESTED;
        }
    }

    /** Passes on the frames that waited for a read, as long as reads are asked for. */
    private void passWaiting() {
        do {
            Http2StreamFrame f = waiting == null ? null : waiting.poll();
            if (f == null) {
                if (readEOS) {
                    close();
                }
                return;
            }
            do {
                pass(f);
            } while (!closed && (f = waiting.poll()) != null);
            if (closed) {
                return;
            }
            if (streams.parentReading() && !readEOS) {
                streams.readCompleteLater(this); // more may come in this read of the connection
                return;
            }
            receiver.streamReadComplete();
            resetReadStatus();
            if (readEOS && waiting.isEmpty()) {
                close();
                return;
            }
        } while (readStatus != IDLE && !closed);
    }

    private void resetReadStatus() {
        readStatus = readStatus == REQUESTED ? IN_PROGRESS : IDLE;
    }

    private void giveBackWindow() {
        if (consumed != 0) {
            int n = consumed;
            consumed = 0;
            // The frame codec takes this as consumed bytes; its flow controller sends WINDOW_UPDATE when due.
            streams.write(new DefaultHttp2WindowUpdateFrame(n).stream(stream), null);
            streams.flush();
        }
    }

    /** One frame to the front handler, as an HTTP/1-style message. */
    private void pass(Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame data) {
            consumed += data.initialFlowControlledBytes();
            receivedEnd |= data.isEndStream();
            if (rejected) {
                data.release();
                return;
            }
            ByteBuf content = data.content();
            receiver.streamRead(data.isEndStream() ? new LastPart(content) : new DefaultHttpContent(content));
        } else if (frame instanceof Http2HeadersFrame headers) {
            receivedEnd |= headers.isEndStream();
            if (!rejected) {
                readHeaders(headers);
            }
        } else {
            ReferenceCountUtil.release(frame);
        }
    }

    private void readHeaders(Http2HeadersFrame frame) {
        Http2Headers headers = frame.headers();
        if (!headSeen) {
            headSeen = true;
            if (!H2RequestGuard.wellFormed(headers)) {
                reject();
                return;
            }
        }
        Object out;
        try {
            if (frame.isEndStream() && headers.method() == null && headers.status() == null) {
                LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, UNCHECKED_TRAILERS);
                HttpConversionUtil.addHttp2ToHttpHeaders(id(), headers, trailers.trailingHeaders(),
                        HttpVersion.HTTP_1_1, true, true);
                out = trailers;
            } else {
                HttpRequest req = H2RequestHead.convert(headers);
                if (req == null) {
                    req = HttpConversionUtil.toHttpRequest(id(), headers, false);
                }
                if (frame.isEndStream()) {
                    receiver.streamRead(req);
                    out = LastHttpContent.EMPTY_LAST_CONTENT;
                } else {
                    if (!HttpUtil.isContentLengthSet(req)) {
                        req.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    }
                    out = req;
                }
            }
        } catch (Exception e) {
            // What Netty's conversion refuses (two different Hosts without :authority, a HEADERS frame in the
            // middle that is neither a head nor trailers) is a malformed request too: reset, as the guard does.
            reject();
            return;
        }
        if (!closed) {
            receiver.streamRead(out);
        }
    }

    /** Resets the stream with PROTOCOL_ERROR and drops whatever else of it arrives (RFC 9113 §8.1.1). */
    private void reject() {
        rejected = true;
        streams.write(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR).stream(stream), null);
        flush();
    }

    /** A stream error the codec raised and answered with a reset: nothing more of the stream is passed on. */
    void streamError(Http2Error error) {
        rejected = true;
        closeWith(error);
    }

    // ---- messages out, from the front handler and its exchange

    @Override
    public Channel connection() {
        return streams.channel();
    }

    @Override
    public void write(Object msg) {
        encode(msg, null);
    }

    @Override
    public ChannelFuture writeAndFlush(Object msg) {
        ChannelPromise p = streams.newPromise();
        encode(msg, p);
        flush();
        return p;
    }

    @Override
    public void flush() {
        streams.flush();
    }

    @Override
    public void closeAfterWrites() {
        flush();
        ChannelPromise end = endWrite;
        if (end != null && !end.isDone()) {
            end.addListener(f -> close());
        } else {
            close();
        }
    }

    @Override
    public void close() {
        closeWith(null);
    }

    private void closeWith(Http2Error error) {
        if (closed) {
            return;
        }
        closed = true;
        if (streams.channel().isActive() && Http2CodecUtil.isStreamIdValid(id())) {
            if (error != null) {
                streams.write(new DefaultHttp2ResetFrame(error).stream(stream), null);
                streams.flush();
            } else if (!readEOS && !(receivedEnd && sentEnd)) {
                streams.write(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream), null);
                streams.flush();
            }
        }
        if (waiting != null) {
            Object m;
            while ((m = waiting.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
        streams.remove(this);
        // As a channel does: the front handler hears of it once the current event is through.
        streams.channel().eventLoop().execute(this);
    }

    /** Tells the front handler the stream is closed (run after the event that closed it). */
    @Override
    public void run() {
        receiver.streamClosed();
    }

    @Override
    public boolean isActive() {
        return !closed;
    }

    @Override
    public boolean isWritable() {
        return streams.isWritable(id());
    }

    @Override
    public ChannelHandlerContext context() {
        return null;
    }

    @Override
    public ClientPeer peer() {
        return streams.peer();
    }

    private void encode(Object msg, ChannelPromise p) {
        if (closed) {
            ReferenceCountUtil.release(msg);
            if (p != null) {
                p.tryFailure(new IllegalStateException("stream closed"));
            }
            return;
        }
        if (msg instanceof HttpResponse r) {
            writeHead(r, p);
        } else if (msg instanceof LastHttpContent last) {
            writeLast(last, p, true);
        } else if (msg instanceof HttpContent part) {
            send(new DefaultHttp2DataFrame(part.content(), false), p);
        } else {
            ReferenceCountUtil.release(msg);
            failed(p, new UnsupportedMessageTypeException(msg, HttpResponse.class, HttpContent.class));
        }
    }

    /** A write that cannot be made: its promise fails, or without one the stream is closed. */
    private void failed(ChannelPromise p, Throwable cause) {
        if (p != null) {
            p.tryFailure(cause);
        } else {
            close();
        }
    }

    private void send(Http2StreamFrame frame, ChannelPromise p) {
        frame.stream(stream);
        boolean end = frame instanceof Http2DataFrame d ? d.isEndStream()
                : frame instanceof Http2HeadersFrame h && h.isEndStream();
        if (end) {
            sentEnd = true;
            if (p == null) {
                p = streams.newPromise();
            }
            endWrite = p;
        }
        streams.write(frame, p);
    }

    private void writeHead(HttpResponse r, ChannelPromise promise) {
        boolean full = r instanceof FullHttpResponse;
        boolean interim = r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101;
        Http2Headers headers;
        try {
            if (interim && !full) {
                throw new EncoderException(r.status() + " must be a FullHttpResponse");
            }
            headers = full ? null : H2ResponseHead.convert(r);
            if (headers == null) {
                headers = HttpConversionUtil.toHttp2Headers(r, false);
            }
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(r);
            failed(promise, e instanceof EncoderException ? e : new EncoderException(e));
            return;
        }
        if (!full) {
            send(new DefaultHttp2HeadersFrame(headers, false), promise);
            return;
        }
        FullHttpResponse whole = (FullHttpResponse) r;
        if (interim || !whole.content().isReadable() && whole.trailingHeaders().isEmpty()) {
            whole.release();
            send(new DefaultHttp2HeadersFrame(headers, !interim), promise);
            return;
        }
        send(new DefaultHttp2HeadersFrame(headers, false), null);
        writeLast(whole, promise, false);
    }

    /**
     * The end of a response: its content as DATA (an empty one ends the stream when there is nothing else) and
     * its trailers as a HEADERS frame that ends the stream.
     */
    private void writeLast(LastHttpContent last, ChannelPromise promise, boolean emptyDataEnds) {
        if (last instanceof LastPart part) {
            part.seal(); // released once written: absent trailers need not be made to be read as none
        }
        HttpHeaders trailers = last.trailingHeaders();
        boolean noTrailers = trailers.isEmpty();
        ByteBuf content = last.content();
        boolean data = content.isReadable() || emptyDataEnds && noTrailers;
        if (noTrailers) {
            if (data) {
                send(new DefaultHttp2DataFrame(content, true), promise);
            } else {
                content.release();
                if (promise != null) {
                    promise.trySuccess();
                }
            }
            return;
        }
        Http2Headers h2 = HttpConversionUtil.toHttp2Headers(trailers, false);
        if (data) {
            send(new DefaultHttp2DataFrame(content, false), null);
        } else {
            content.release();
        }
        send(new DefaultHttp2HeadersFrame(h2, true), promise);
    }
}
