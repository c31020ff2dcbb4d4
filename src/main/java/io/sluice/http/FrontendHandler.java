package io.sluice.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.sluice.balance.Backend;
import io.sluice.config.Config;
import io.sluice.observe.ListenerStats;
import io.sluice.observe.RequestTrace;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.Router;
import io.sluice.runtime.RuntimeSnapshot;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client connection, or one stream of an HTTP/2 connection (as its {@link H2Stream.Receiver}): reads requests
 * one at a time (pipelined ones wait their turn, answered in order), routes each to a pool and hands it to an
 * {@link Exchange}, answers locally what cannot be proxied, and reads from the client only when the request's
 * destination can take more. It reads and writes through a {@link ClientSide}. Confined to the connection's event
 * loop.
 */
final class FrontendHandler extends ChannelDuplexHandler implements H2Stream.Receiver {
    /** How long an answered connection keeps reading a request body it will drop, at most. */
    static final long LINGER_MILLIS = 2000;

    private final ProxyContext proxy;
    private final String listener;
    private final RequestTimer timer;
    private final RequestReport report;
    private final boolean h2;
    private final boolean secure;
    private boolean active;
    private long requestNanos;
    private long requestMillis;
    private ClientSide client;
    private InetSocketAddress remote;
    private InetSocketAddress requestClient; // the current request's, maybe named by a trusted proxy's header
    private String clientIp;
    /** The current request's target as it arrived. */
    private String requestUri;
    private String localPort;

    private final Attempts attempts;
    private Exchange exchange;
    private ArrayDeque<Object> queue;
    private boolean dispatching;
    private boolean discarding;
    private boolean closing;
    /** Asked to close after the current response (shutdown, or a reload removed the listener). */
    private boolean drainAsked;
    private boolean lingering;
    private boolean reading;
    /** The client shut its sending side; nothing more will be read. */
    private boolean inputClosed;

    /**
     * @param stats  the listener's counts
     * @param timer  the connection's request timer; null on an HTTP/2 stream
     * @param h2     the requests come on an HTTP/2 stream
     * @param secure the client connection is TLS
     */
    FrontendHandler(ProxyContext proxy, String listener, ListenerStats stats, RequestTimer timer, boolean h2,
                    boolean secure) {
        this.proxy = proxy;
        this.listener = listener;
        this.timer = timer;
        this.h2 = h2;
        this.secure = secure;
        this.attempts = new Attempts(proxy);
        this.report = new RequestReport(proxy, listener, stats, h2);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.client = new ClientSide.OfContext(ctx);
        if (ctx.channel().isActive()) {
            activate(); // added after the protocol was chosen (ALPN, prior knowledge)
        }
    }

    @Override
    public void streamOpened(H2Stream stream) {
        this.client = stream;
        activate();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueue(); // a WebSocket tunnel took the connection over
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        activate();
        super.channelActive(ctx);
    }

    private void activate() {
        if (active) {
            return;
        }
        active = true;
        ClientPeer peer = client.peer();
        remote = peer.remote();
        clientIp = peer.ip();
        localPort = peer.localPort();
        if (proxy.draining() && !h2) {
            client.close();
            return;
        }
        client.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        streamRead(msg);
    }

    @Override
    public void streamRead(Object msg) {
        reading = true;
        if (lingering) {
            // Answered already: the rest of the request body is read and dropped, then the connection closes.
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                lingering = false;
                client.close();
            }
        } else if (closing) {
            ReferenceCountUtil.release(msg);
        } else if ((queue != null && !queue.isEmpty()) || busy()) {
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.add(msg);
        } else {
            dispatch(msg);
        }
    }

    /** True while the current request has been read in full and its response is still going. */
    private boolean busy() {
        return exchange != null && exchange.requestComplete();
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest req) {
            onRequest(req);
        } else if (msg instanceof HttpContent c) {
            onContent(c);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest req) {
        if (timer != null) {
            timer.serving();
        }
        requestNanos = proxy.nanoTime();
        requestClient = null; // known once the request is routed
        if (proxy.telemetry().accessLog().enabled()) {
            requestMillis = System.currentTimeMillis();
        }
        DecoderResult dr = req.decoderResult();
        if (dr.isFailure()) {
            ReferenceCountUtil.release(req);
            respondAndClose(req, statusFor(dr.cause()));
            return;
        }
        if (req.protocolVersion().majorVersion() != 1) {
            ReferenceCountUtil.release(req);
            respondAndClose(req, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
            return;
        }
        if (req.protocolVersion().minorVersion() >= 1 && !req.headers().contains(HttpHeaderNames.HOST)) {
            ReferenceCountUtil.release(req);
            respondAndClose(req, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        HttpResponseStatus refused = RequestRules.check(req, h2);
        if (refused != null) {
            ReferenceCountUtil.release(req);
            countLocal(req, refused.code());
            FullHttpResponse r = Responses.error(refused, true);
            if (refused == HttpResponseStatus.METHOD_NOT_ALLOWED) {
                r.headers().set(HttpHeaderNames.ALLOW, RequestRules.ALLOW);
            }
            respondAndClose(r);
            return;
        }
        RuntimeSnapshot snap = proxy.snapshot();
        Config config = snap.config();
        long maxBody = config.limits().maxBodySize();
        long length = HttpUtil.getContentLength(req, -1L);
        if (length > maxBody) {
            ReferenceCountUtil.release(req);
            countLocal(req, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code());
            respondAndLinger(Responses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true));
            return;
        }
        Router router = snap.router(listener);
        requestClient = router == null ? remote : router.client(req, remote);
        if (router != null && router.statusEndpoints()) {
            FullHttpResponse status = StatusEndpoints.answer(req, snap, router, listener, proxy.nanoTime());
            if (status != null) {
                respondLocally(req, status);
                ReferenceCountUtil.release(req);
                return;
            }
        }
        RouteRuntime route = router == null ? null : router.match(req, requestClient);
        if (route == null) {
            respondLocally(req, Responses.error(HttpResponseStatus.NOT_FOUND, false));
            ReferenceCountUtil.release(req);
            return;
        }
        requestUri = req.uri(); // a rewrite may change the request's; the log shows what the client asked for
        if (config.headers().requestId()) {
            RequestIds.ensure(req.headers()); // before the filters: {request_id}, the backend, the log, the trace
        }
        exchange = new Exchange(this, client, proxy, req, route, maxBody, config.headers());
        exchange.start();
    }

    private void onContent(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            c.release();
            bodyBroken();
            return;
        }
        Exchange e = exchange;
        if (e != null && !e.requestComplete()) {
            e.onRequestContent(c);
            if (timer != null && e.requestComplete()) {
                timer.serving(); // the body is in: no client timer while the response comes
            }
            return;
        }
        boolean last = c instanceof LastHttpContent;
        c.release();
        if (discarding && last) {
            discarding = false;
            requestFinished(true);
        }
    }

    /**
     * The request body cannot arrive whole: its framing broke (a bad chunk size or extension, a chunk
     * without its CRLF, bad trailers: the codec gives a failed last part) or the client shut its side before
     * the end (the codec drops that part without a word). It must never reach the backend as complete: the
     * upstream request is aborted, the client gets 400 if nothing was answered yet, and the connection closes.
     */
    private void bodyBroken() {
        boolean answered = discarding;
        discarding = false;
        Exchange e = exchange;
        if (e != null && !e.requestComplete()) {
            e.abortRequest(HttpResponseStatus.BAD_REQUEST);
        } else if (answered) {
            closing = true; // the request was answered here already; its body just stops
            client.closeAfterWrites();
        } else if (!closing) {
            respondAndClose(Responses.error(HttpResponseStatus.BAD_REQUEST, true));
        }
    }

    private static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    /**
     * Answers a request that goes to no backend (no route, a status endpoint). The connection stays open when
     * the client allows it; a body that follows is read and dropped before the next request.
     */
    private void respondLocally(HttpRequest req, FullHttpResponse r) {
        countLocal(req, r.status().code());
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !proxy.draining() && !drainAsked;
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            respondAndClose(r);
            return;
        }
        client.write(r);
        client.flush();
        // Drop the request's body (or its empty last part) before the next request.
        discarding = true;
    }

    /** Answers with an error and closes the connection: the request's framing cannot be trusted. */
    private void respondAndClose(HttpRequest req, HttpResponseStatus status) {
        countLocal(req, status.code());
        respondAndClose(Responses.error(status, true));
    }

    /** Counts and logs a request answered here, without an exchange (bad request, no route). */
    private void countLocal(HttpRequest req, int status) {
        report.local(req, req.uri(), status, requestNanos, requestMillis, requestClientIp());
    }

    /**
     * Counts, traces and logs a proxied request once it is over, with the status the client got (0 for none), at
     * {@code endNanos} on the proxy's clock (0: now).
     */
    void requestDone(HttpRequest req, RouteRuntime route, PoolRuntime pool, int status, long bytesIn, long bytesOut,
                     Backend backend, long upstreamNanos, int retries, RequestTrace trace, long endNanos) {
        report.done(req, requestUri, route, pool, status, bytesIn, bytesOut, backend, upstreamNanos, retries, trace,
                requestNanos, endNanos, requestMillis, requestClientIp());
    }

    /** The listener's name. */
    String listenerName() {
        return listener;
    }

    /** Passes the request body parts held so far through {@code f} (the filters), in order. */
    void passHeldBody(java.util.function.UnaryOperator<HttpContent> f) {
        attempts.passHeld(f);
    }

    /** Asks for this backend first for the current request (a sticky session). */
    void preferBackend(String address) {
        attempts.prefer(address);
    }

    /** The proxy's clock now. */
    long proxyNanoTime() {
        return proxy.nanoTime();
    }

    /** When the current request's head arrived, on the proxy's clock. */
    long requestNanos() {
        return requestNanos;
    }

    /** Sends this response, then closes the connection; nothing more is read. */
    void respondAndClose(FullHttpResponse response) {
        closing = true;
        releaseQueue();
        client.writeAndFlush(response).addListener(f -> client.close());
    }

    /**
     * Sends this response (which says Connection: close) while the client is still sending its request
     * body, then goes on reading and dropping that body until it ends, for at most {@value #LINGER_MILLIS} ms,
     * before closing. Closing at once with unread bytes would make the kernel reset the connection, and the
     * client could lose the answer (nginx's lingering close does the same).
     */
    void respondAndLinger(FullHttpResponse response) {
        closing = true;
        lingering = true;
        releaseQueue();
        client.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
            }
        });
        client.eventLoop().schedule(() -> {
            client.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        client.read();
    }

    /**
     * Sends a response an exchange made here (an error), and returns whether the connection stays open. When
     * it does, the exchange ends with the request: now if it was read in full, else when its (empty) last
     * part arrives; when it does not and the client is still sending, the rest is read and dropped first.
     */
    boolean answerLocally(Exchange e, FullHttpResponse r, boolean requestComplete) {
        boolean close = r.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        if (close && !requestComplete) {
            respondAndLinger(r);
        } else if (close) {
            respondAndClose(r);
        } else {
            client.write(r);
            client.flush();
            if (requestComplete) {
                exchangeDone(e, true);
            }
        }
        return !close;
    }

    /** Called by the exchange when the request and its response are both done. */
    void exchangeDone(Exchange e, boolean keepAlive) {
        if (exchange == e) {
            exchange = null;
            attempts.clear();
        }
        requestFinished(keepAlive);
    }

    private void requestFinished(boolean keepAlive) {
        if (!keepAlive || proxy.draining() || closing || drainAsked) {
            closing = true;
            releaseQueue();
            client.closeAfterWrites();
            return;
        }
        if (timer != null) {
            timer.awaitNext();
        }
        drainQueue();
    }

    private void drainQueue() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (queue != null && !queue.isEmpty() && !busy() && !closing) {
                dispatch(queue.poll());
            }
        } finally {
            dispatching = false;
        }
        maybeRead();
    }

    /** Reads more from the client when whatever the next bytes are for can take them. */
    void maybeRead() {
        if (closing || !client.isActive() || (queue != null && !queue.isEmpty())) {
            return;
        }
        Exchange e = exchange;
        if (inputClosed) {
            if ((e != null && !e.requestComplete()) || discarding) {
                bodyBroken(); // the rest of the body cannot come any more
            } else if (e == null) {
                // Nothing more can come and every request is answered: close once the answers are out.
                closing = true;
                client.closeAfterWrites();
            }
            return;
        }
        if (e == null) {
            client.read();
        } else if (!e.requestComplete()) {
            if (e.canTakeBody()) {
                if (timer != null) {
                    timer.awaitBody();
                }
                client.read();
            } else if (timer != null) {
                timer.pauseBody();
            }
        } else if (e.waitingForConnection()) {
            // Nothing goes anywhere until a backend connection comes free; a read pending meanwhile lets a client
            // that resets be seen and leave the line. What a pipelining client sends waits in the queue.
            client.read();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        streamReadComplete();
    }

    @Override
    public void streamReadComplete() {
        reading = false;
        if (lingering) {
            client.read();
            return;
        }
        Exchange e = exchange;
        if (e != null) {
            e.flushUpstream();
        }
        maybeRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        streamWritable();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void streamWritable() {
        Exchange e = exchange;
        if (e != null && client.isWritable()) {
            e.onClientWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        streamClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void streamClosed() {
        reading = false;
        closing = true;
        releaseQueue();
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onClientClosed();
        }
    }

    /**
     * Two events: {@link RequestTimer#BODY_TIMEOUT} (the request body stalled: 408, or a close if the
     * response started) and the client shutting its sending side (clear-text HTTP/1.1 connections allow
     * half-closure): the requests it sent in full are still answered, in order, and the connection closes
     * once the last answer is written; a request whose body was cut short is a 400.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == RequestTimer.BODY_TIMEOUT) {
            Exchange e = exchange;
            if (e != null && !e.requestComplete()) {
                e.abortRequest(HttpResponseStatus.REQUEST_TIMEOUT);
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (lingering) {
                lingering = false; // the rest of the body will not come: close once the answer is out
                client.closeAfterWrites();
            } else {
                maybeRead();
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Shutdown began, or a reload removed the listener: close now when idle, else after the current response. */
    void drain() {
        drainAsked = true;
        if (exchange == null && !discarding) {
            closing = true;
            releaseQueue();
            client.close();
        }
    }

    private void releaseQueue() {
        if (queue != null) {
            Object m;
            while ((m = queue.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /**
     * True inside a batch of reads from the client: what an exchange writes upstream now is flushed once
     * when the batch ends ({@link #channelReadComplete}), not message by message.
     */
    boolean inReadBatch() {
        return reading;
    }

    /** This connection's attempt tracker, reset for a new request routed to {@code pool}. */
    Attempts attempts(PoolRuntime pool, HttpRequest request) {
        return attempts.reset(pool, request, client()); // hash strategies see the real client
    }

    String clientIp() {
        return clientIp;
    }

    /** {@link #client()}'s address as text (the connection's, unless a trusted proxy's header named another). */
    String requestClientIp() {
        InetSocketAddress c = requestClient;
        return c == null || c == remote || c.getAddress() == null ? clientIp : c.getAddress().getHostAddress();
    }

    /** The current request's client: named by a trusted proxy's header or PROXY header, else the peer. */
    InetSocketAddress client() {
        return requestClient == null ? remote : requestClient;
    }

    /** Whether requests come on an HTTP/2 stream. */
    boolean h2() {
        return h2;
    }

    /** Whether the client connection is TLS. */
    boolean secure() {
        return secure;
    }

    String localPort() {
        return localPort;
    }

    /** Whether this connection may stay open after the current response (the request has its say too). */
    boolean mayKeepAlive() {
        return !closing && !drainAsked && !proxy.draining();
    }
}
