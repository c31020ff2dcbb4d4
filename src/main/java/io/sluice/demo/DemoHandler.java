package io.sluice.demo;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one demo-backend connection, one request at a time. Sits behind {@code HttpServerCodec} and
 * {@code ChunkedWriteHandler}, and answers {@code Expect: 100-continue} itself; the channel has AUTO_READ off,
 * and this handler asks for more input only when it can use it: while a request body is being consumed
 * (for {@code /echo} only while the channel is writable), or once the previous response is fully written.
 * Pipelined requests that the codec decodes early wait in a small backlog, in order.
 *
 * <p>Bodies are never aggregated: {@code /echo} writes each received piece straight back,
 * {@code /sha256} digests and releases each piece, everything else releases the body unread.
 *
 * <p>Not thread-safe and not sharable: one instance per channel, used only on its event loop.
 */
final class DemoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DemoHandler.class);

    /** What happens to the current request's body. */
    private enum Body { DISCARD, ECHO, DIGEST }

    private final String server;
    private final LongSupplier baseDelayMs;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    private HttpRequest request;
    private DemoRoute route;
    private Body body = Body.DISCARD;
    private BodyDigest digest;
    private ScheduledFuture<?> delayTask;

    private boolean inBody;          // the current request's body is still arriving
    private boolean responding;      // the current response is not fully written yet
    private boolean sendClose;       // the response carries "Connection: close"
    private boolean closeAfter;      // close once the response is written
    private boolean readWanted;      // /echo wanted to read but the channel was not writable
    private boolean draining;
    private boolean closing;

    /** @param baseDelayMs milliseconds every plain answer waits before it is sent (0 for none), read per request */
    DemoHandler(String server, LongSupplier baseDelayMs) {
        this.server = server;
        this.baseDelayMs = baseDelayMs;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (backlog.isEmpty() && acceptsNow()) {
            handle(msg);
        } else {
            backlog.add(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (readWanted && ctx.channel().isWritable()) {
            readWanted = false;
            maybeRead();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        shutDown();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("demo backend {}: closing connection {}", server, ctx.channel(), cause);
        closeNow();
    }

    /** True when the next message may be handled now: it is body of the current request, or none is open. */
    private boolean acceptsNow() {
        return inBody || !responding;
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest r) {
            begin(r);
            if (!(msg instanceof HttpContent)) {
                maybeRead(); // the body (or at least its end) is still to come
            }
        }
        if (msg instanceof HttpContent c) {
            if (inBody) {
                content(c);
            } else {
                c.release();
            }
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(HttpRequest r) {
        request = r;
        responding = true;
        if (r.decoderResult().isFailure() || DemoResponses.unsupportedExpectation(r)) {
            sendClose = closeAfter = true;
            send(r.decoderResult().isFailure() ? DemoResponses.malformed() : DemoResponses.expectationFailed());
            return;
        }
        route = DemoRoute.parse(r.uri());
        boolean keepAlive = HttpUtil.isKeepAlive(r);
        sendClose = !keepAlive || route.kind() == DemoRoute.Kind.CLOSE;
        closeAfter = sendClose || "1".equals(r.headers().get("X-Close-After"));
        inBody = true;
        if (HttpUtil.is100ContinueExpected(r) && route.kind() != DemoRoute.Kind.DROP) {
            // sent here, not by a handler in front, so it cannot land inside the previous response
            ctx.writeAndFlush(DemoResponses.continue100(server)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        body = switch (route.kind()) {
            case ECHO -> Body.ECHO;
            case SHA256 -> Body.DIGEST;
            default -> Body.DISCARD;
        };
        if (body == Body.ECHO) {
            startEcho(r);
        } else if (body == Body.DIGEST) {
            digest = new BodyDigest();
        }
    }

    private void content(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            c.release();
            closeNow();
            return;
        }
        boolean last = c instanceof LastHttpContent;
        if (last) {
            inBody = false; // before any write: its listener may run at once and start the next request
        }
        switch (body) {
            case ECHO -> {
                // a whole request in one message (FullHttpRequest) must not be written back as a request
                Object out = c instanceof HttpRequest ? new DefaultLastHttpContent(c.content()) : c;
                ChannelFuture f = ctx.writeAndFlush(out);
                f.addListener(last ? (ChannelFutureListener) this::responseDone : ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            case DIGEST -> {
                digest.update(c.content());
                c.release();
            }
            default -> c.release();
        }
        if (!last) {
            maybeRead();
        } else if (body != Body.ECHO) {
            respond();
        }
    }

    /** The request has been read completely: answer it. */
    private void respond() {
        switch (route.kind()) {
            case DROP -> closeNow();
            case DELAY -> {
                HttpRequest r = request;
                long ms = route.arg();
                delayTask = ctx.executor().schedule(() -> {
                    delayTask = null;
                    send(DemoResponses.delayed(server, r, ms));
                }, ms, TimeUnit.MILLISECONDS);
            }
            case SHA256 -> send(DemoResponses.digest(digest.bytes(), digest.finish()));
            case BYTES -> sendBytes(route.arg(), route.chunked());
            default -> {
                long ms = baseDelayMs.getAsLong();
                if (ms <= 0) {
                    send(DemoResponses.simple(route, server, request));
                } else {
                    DemoRoute rt = route;
                    HttpRequest r = request;
                    delayTask = ctx.executor().schedule(() -> {
                        delayTask = null;
                        send(DemoResponses.simple(rt, server, r));
                    }, ms, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private void startEcho(HttpRequest r) {
        long length = HttpUtil.isTransferEncodingChunked(r) ? -1 : HttpUtil.getContentLength(r, 0L);
        writeHead(r.headers().get(HttpHeaderNames.CONTENT_TYPE), length);
        ctx.flush();
    }

    private void sendBytes(long n, boolean chunked) {
        writeHead(HttpHeaderValues.APPLICATION_OCTET_STREAM.toString(), chunked ? -1 : n);
        Object rest = HttpMethod.HEAD.equals(request.method())
                ? LastHttpContent.EMPTY_LAST_CONTENT
                : new HttpChunkedInput(new PatternInput(n));
        ctx.writeAndFlush(rest).addListener((ChannelFutureListener) this::responseDone);
    }

    /**
     * Writes (without flushing) a 200 head for a streamed body of {@code length} bytes, or of unknown
     * length if negative: chunked for HTTP/1.1 clients, delimited by closing the connection for HTTP/1.0.
     */
    private void writeHead(String contentType, long length) {
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        if (contentType != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (length >= 0) {
            HttpUtil.setContentLength(resp, length);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            sendClose = closeAfter = true;
        } else {
            HttpUtil.setTransferEncodingChunked(resp, true);
        }
        ctx.write(decorate(resp)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void send(HttpResponse resp) {
        ctx.writeAndFlush(decorate(resp)).addListener((ChannelFutureListener) this::responseDone);
    }

    private HttpResponse decorate(HttpResponse resp) {
        resp.headers().set(DemoResponses.SERVED_BY, server);
        if (sendClose) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!request.protocolVersion().isKeepAliveDefault()) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return resp;
    }

    private void responseDone(ChannelFuture f) {
        responding = false;
        if (closing) {
            return;
        }
        if (!f.isSuccess() || closeAfter) {
            closeNow();
            return;
        }
        drain();
    }

    /** Handles backlog messages while they can be handled, then asks for more input if appropriate. */
    private void drain() {
        if (draining) {
            return; // the loop below, further up the stack, continues
        }
        draining = true;
        try {
            Object msg;
            while (!closing && acceptsNow() && (msg = backlog.poll()) != null) {
                handle(msg);
            }
        } finally {
            draining = false;
        }
        maybeRead();
    }

    private void maybeRead() {
        if (closing || !backlog.isEmpty()) {
            return;
        }
        if (inBody && body == Body.ECHO && !ctx.channel().isWritable()) {
            readWanted = true;
        } else if (acceptsNow()) {
            ctx.read();
        }
    }

    private void closeNow() {
        shutDown();
        ctx.close();
    }

    private void shutDown() {
        closing = true;
        Object msg;
        while ((msg = backlog.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (delayTask != null) {
            delayTask.cancel(false);
            delayTask = null;
        }
        digest = null;
    }
}
