package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.balance.Backend;
import io.sluice.config.HeadersConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request and its response: picks a backend, takes a pooled connection or opens one on the client's
 * event loop, streams the request body up and the response down with reads driven by writability, and
 * makes one outcome report per attempt.
 *
 * <p>A failed attempt goes again by the rules {@link Retries} describes; a pooled connection that closes under
 * the request goes again once by {@link StaleResend}'s. When the pool has no backend to take the request,
 * its fallback pool does. When the pool's connection limit for the backend is reached, the attempt waits in line
 * ({@link Dialer}, {@link ConnectionSlots}) and gets 503 if the line is full or the wait too long. Confined to the client
 * connection's event loop.
 */
final class Exchange {
    private final FrontendHandler fe;
    private final ClientSide client;
    private final ProxyContext proxy;
    private final HttpRequest request;
    private final RouteRuntime route;
    private final boolean metrics;
    private PoolRuntime pool;
    private long bytesOut;
    private final ExchangeLedger ledger;
    private final long maxBody;
    private final HeadersConfig headers;
    private final RequestShape shape;
    /** Set at a 101: the connections become this tunnel once the backend's read batch ends. */
    private Tunnel tunnel;
    private long tunnelLatency;

    private Backend backend;
    private UpstreamPool upstreams;
    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private long bodyBytes;
    private long attemptNanos;
    private int attemptIndex;

    /** Retry state: where attempts went, the body kept for a replay. */
    private final Attempts attempts;
    /** Opens new backend connections, or waits in line for them; null until one is needed. */
    private Dialer dialer;
    /** The route's filters for this request; null when it has none. */
    private ExchangeFilters filters;

    private boolean requestComplete;
    private boolean requestSent;
    private boolean interim;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    private boolean clientKeepAlive;
    private boolean done;
    private int status;

    Exchange(FrontendHandler fe, ClientSide client, ProxyContext proxy, HttpRequest request,
             RouteRuntime route, long maxBody, HeadersConfig headers) {
        this.fe = fe;
        this.client = client;
        this.proxy = proxy;
        this.request = request;
        this.route = route;
        this.pool = route.split() == null ? route.pool() : Splits.choose(route, request, fe.requestClientIp());
        this.metrics = proxy.telemetry().metrics();
        this.attempts = fe.attempts(pool, request);
        this.maxBody = maxBody;
        this.headers = headers;
        this.shape = RequestShape.of(request, fe.h2());
        this.ledger = new ExchangeLedger(proxy, attempts, metrics);
    }

    /** Whether the request may be sent again after the backend could have processed it (idempotent or configured). */
    private boolean resendable() {
        return Retries.retryableAfterSend(request.method(), pool.retry());
    }

    /** Whether the response may leave the client connection open. */
    private boolean mayKeepAlive() {
        return shape.keepAlive() && fe.mayKeepAlive();
    }

    boolean requestComplete() {
        return requestComplete;
    }

    String poolName() {
        return pool == null ? null : pool.name();
    }

    String backendAddress() {
        return backend == null || !responseStarted ? null : backend.addressText();
    }

    /** True when body bytes read from the client now can go straight on to the backend. */
    boolean canTakeBody() {
        return done || (upstream != null && upstream.isWritable());
    }

    void start() {
        if (route.filters() != null) {
            filters = new ExchangeFilters(route.filters(), this, fe, request, route.index(), client.eventLoop());
            filters.start(); // goes on with proceed() or answer() once the filters decide
            return;
        }
        proceed(fe.requestNanos()); // read when the request head arrived, just before this
    }

    /** Answers here, with no backend: a filter decided so. */
    void answer(FullHttpResponse r) {
        if (!answerKeepsOpen()) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // the rest of a body is dropped
        }
        done = true;
        attempts.releaseHeld(); // body parts that came while the filters decided
        finished(r.status().code());
        finishLocally(r);
    }

    boolean done() {
        return done;
    }

    /** Picks a backend and starts the first attempt (after the filters, if any, passed the request on). */
    void proceed(long now) {
        pool.retryBudget().onRequest(now);
        Backend first = attempts.first(now);
        pool = attempts.pool();
        if (first == null) {
            failBeforeBackend();
            return;
        }
        attempts.keepBody(Retries.retryableAfterSend(request.method(), pool.retry()) && pool.retry().maxRetries() > 0);
        ledger.startTrace(request, fe.requestClientIp(), fe.listenerName());
        ForwardHeaders.toUpstream(request, fe.clientIp(), fe.localPort(), headers.forwardedBy(),
                first.addressText(), fe.secure(), fe.h2(), shape.upgrade());
        upstreams = proxy.upstreams().get(client.eventLoop());
        begin(first, now);
    }

    /** Starts an attempt on {@code b}: a pooled connection when one is idle, else a new one. */
    private void begin(Backend b, long now) {
        backend = b;
        status = 0;
        requestSent = false;
        attempts.stale().newAttempt();
        attemptNanos = now;
        attemptIndex = attempts.retries();
        ledger.attemptStarted(request, b, attemptIndex);
        b.state().requestStarted();
        Channel ch = upstreams.poll(b, pool, client.connection());
        if (ch != null) {
            attach(ch, true);
        } else if (!dialer().openOrWait(b, pool)) {
            fail(FailureKind.CONNECTION_LIMIT, HttpResponseStatus.SERVICE_UNAVAILABLE); // the line is full
        }
    }

    /** Gets new backend connections for this exchange; made the first time one is needed. */
    private Dialer dialer() {
        Dialer d = dialer;
        if (d == null) {
            d = new Dialer(this, proxy, upstreams, client.connection(), metrics);
            dialer = d;
        }
        return d;
    }

    /** Whether the attempt waits in line for a backend connection (the pool's connection limit). */
    boolean waitingForConnection() {
        return dialer != null && dialer.waiting();
    }

    /** The attempt got no connection: refused, timed out, or no room under the pool's connection limit. */
    void dialFailed(FailureKind kind, HttpResponseStatus errorStatus) {
        fail(kind, errorStatus);
    }

    private void failBeforeBackend() {
        // No backend can take the request: 503, and the client may try again shortly.
        FullHttpResponse r = Responses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, !answerKeepsOpen());
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        answer(r);
    }

    /** Whether a local answer now may leave the connection open (the body, if any, is in and the client allows). */
    boolean answerKeepsOpen() {
        return !(shape.hasBody() && !requestComplete) && mayKeepAlive();
    }

    /** The attempt's connection: an idle one from the pool ({@code pooled}) or a new one. */
    void attach(Channel ch, boolean pooled) {
        assert ch.eventLoop() == client.eventLoop() : "upstream connection on another event loop";
        upstream = ch;
        upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
        upstreamHandler.bind(this);
        attempts.stale().attached(ch, pooled, resendable());
        ch.write(request, ch.voidPromise());
        // A retry sends again what earlier attempts sent, then what arrived since.
        attempts.replay(ch);
        attempts.sendHeld(ch);
        if (requestComplete) {
            requestSent();
        }
        if (!fe.inReadBatch()) {
            // Inside the client's read batch the flush comes once, when the batch ends.
            ch.flush();
        }
        ch.read();
        fe.maybeRead();
    }

    void onRequestContent(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (done) {
            c.release();
            if (last) {
                fe.exchangeDone(this, clientKeepAlive);
            }
            return;
        }
        if (filters != null && !filters.pending()) {
            c = filters.requestContent(c); // parts held while a verdict is pending pass when it passes
        }
        bodyBytes += c.content().readableBytes();
        if (bodyBytes > maxBody) {
            c.release();
            fail(FailureKind.CLIENT_ABORT, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        if (upstream == null) {
            attempts.hold(c);
            return;
        }
        attempts.send(upstream, c);
        if (last) {
            if (!fe.inReadBatch()) {
                upstream.flush();
            }
            requestSent();
        }
    }

    private void requestSent() {
        requestSent = true;
        attempts.stale().requestSent();
        if (!responseStarted) {
            upstreamHandler.armResponseTimeout(pool.responseTimeoutNanos());
        }
    }

    /** The client's read batch ended: send what it gave us. */
    void flushUpstream() {
        if (upstream != null && !done) {
            upstream.flush();
        }
    }

    void onUpstreamRead(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tunnel != null) {
            tunnel.beforeSplice(msg);
            return;
        }
        if (msg instanceof HttpResponse r && !onResponseHead(r)) {
            return; // released there: the exchange failed or goes on with a retry
        }
        if (msg instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                c.release(); // a broken body from the backend never reaches the client as complete
                fail(FailureKind.RESET, HttpResponseStatus.BAD_GATEWAY);
                return;
            }
            boolean last = c instanceof LastHttpContent;
            if (!interim) {
                bytesOut += c.content().readableBytes();
                if (filters != null) {
                    c = filters.responseContent(c);
                }
            }
            client.write(c);
            if (last) {
                if (interim) {
                    interim = false;
                    client.flush();
                } else {
                    complete();
                }
            }
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Handles a response head; false when it was released because the exchange failed or retries. */
    private boolean onResponseHead(HttpResponse r) {
        if (r.decoderResult().isFailure()) {
            ReferenceCountUtil.release(r);
            fail(FailureKind.RESET, HttpResponseStatus.BAD_GATEWAY);
            return false;
        }
        int code = r.status().code();
        if (code == 101) {
            return onSwitchingProtocols(r);
        }
        if (code < 200) {
            // 100 Continue and other interim answers go to the client; the final response follows.
            interim = true;
            client.write(ForwardHeaders.interimToClient(r));
            return true;
        }
        cancelTimer();
        status = code;
        if (code == 503) {
            Retries.holdOff(backend, r.headers(), proxy.nanoTime());
        }
        if (pool.retry().statuses().contains(code) && Retries.retryableAfterSend(request.method(), pool.retry())
                && !attempts.bodyDropped() && retry(FailureKind.NONE)) {
            ReferenceCountUtil.release(r);
            return false;
        }
        responseStarted = true;
        upstreamKeepAlive = HttpUtil.isKeepAlive(r);
        if (filters != null) {
            filters.response(r);
        }
        clientKeepAlive = ForwardHeaders.toClient(r, shape.head(), shape.http10(), mayKeepAlive(),
                headers.backendServer() ? backend.addressText() : null, pool.protocol() != UpstreamProtocol.HTTP1);
        client.write(r);
        return true;
    }

    /** A 101: for a WebSocket upgrade it goes to the client and the connections become a tunnel. */
    private boolean onSwitchingProtocols(HttpResponse r) {
        if (!shape.upgrade()) {
            ReferenceCountUtil.release(r);
            fail(FailureKind.RESET, HttpResponseStatus.BAD_GATEWAY); // a switch nobody asked for
            return false;
        }
        cancelTimer();
        status = 101;
        responseStarted = true;
        tunnel = new Tunnel(this, client.context(), upstream);
        tunnelLatency = Math.max(1, proxy.nanoTime() - attemptNanos);
        ForwardHeaders.switchingToClient(r, headers.backendServer() ? backend.addressText() : null);
        client.write(r);
        return false;
    }

    /** The tunnel closed: the exchange ends with what went through it. */
    void tunnelClosed(long fromClient, long fromBackend) {
        if (done) {
            return;
        }
        done = true;
        bodyBytes += fromClient;
        bytesOut += fromBackend;
        report(FailureKind.NONE);
        finished(101);
    }

    void onUpstreamReadComplete() {
        if (done) {
            return;
        }
        if (tunnel != null && upstream != null) {
            upstream = null; // the tunnel has the connection now
            upstreamHandler = null;
            tunnel.splice(proxy.snapshot().config().limits().idleTimeout().toNanos());
            return;
        }
        client.flush();
        if (client.isWritable()) {
            upstream.read();
        }
    }

    void onClientWritable() {
        if (!done && upstream != null) {
            upstream.read();
        }
    }

    void onUpstreamWritabilityChanged() {
        if (!done && upstream != null && upstream.isWritable()) {
            fe.maybeRead();
        }
    }

    /** The response is through; the backend connection returns to the pool when it can be reused. */
    private void complete() {
        done = true;
        attempts.releaseBody();
        // Reported before the last bytes leave: whoever sees the response end can see its outcome. The clock read
        // for the report is the request's end too.
        finished(status, report(FailureKind.NONE));
        client.flush();
        detachUpstream(upstreamKeepAlive && requestComplete && requestSent && !proxy.draining()
                && !backend.state().isRetired()); // a backend a reload removed: its connections drain
        if (requestComplete) {
            fe.exchangeDone(this, clientKeepAlive);
        } else {
            // The backend answered before the body was all sent: read and drop the rest of it.
            fe.maybeRead();
        }
    }

    void onUpstreamClosed() {
        if (done) {
            return;
        }
        Channel old = upstream;
        upstream = null;
        upstreamHandler = null;
        if (!responseStarted && !interim && attempts.stale().tryResend()) {
            // A pooled connection the backend had closed: go again on a fresh one, as the same attempt. It takes the
            // place of the one that closed, so it does not wait in line for the connection limit.
            cancelTimer();
            requestSent = false;
            if (old != null) {
                old.close();
            }
            dialer().open(backend, pool);
            return;
        }
        fail(FailureKind.RESET, HttpResponseStatus.BAD_GATEWAY);
    }

    /** The backend did not start its response within the pool's response timeout. */
    void onResponseTimeout() {
        if (!done && !responseStarted) {
            fail(FailureKind.RESPONSE_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT);
        }
    }

    void onClientClosed() {
        if (!done) {
            end(FailureKind.CLIENT_ABORT);
            finished(0);
        }
    }

    /**
     * The request body's framing broke, or it stalled: the backend connection is closed before the body
     * could look complete, and the client gets {@code errorStatus} (or, if the response already started,
     * loses the connection).
     */
    void abortRequest(HttpResponseStatus errorStatus) {
        if (done) {
            client.close(); // answered already (the backend did not wait for the body): nothing more to say
            return;
        }
        end(FailureKind.CLIENT_ABORT);
        finished(responseStarted ? status : errorStatus.code());
        if (responseStarted) {
            client.close();
        } else {
            fe.respondAndClose(Responses.error(errorStatus, true));
        }
    }

    /** Ends the exchange: nothing more goes to or comes from the backend; the attempt is reported as {@code kind}. */
    private void end(FailureKind kind) {
        done = true;
        cancelTimer();
        if (dialer != null) {
            dialer.cancel();
        }
        attempts.releaseHeld();
        attempts.releaseBody();
        if (tunnel != null) {
            tunnel.abandon();
        }
        closeUpstream();
        report(kind);
    }

    /**
     * An attempt failed: retry it when the rules allow, else end the exchange: the client gets
     * {@code status} if nothing of the response was sent yet, or loses its connection if the response was
     * under way.
     */
    private void fail(FailureKind kind, HttpResponseStatus errorStatus) {
        cancelTimer();
        closeUpstream();
        if (kind != FailureKind.CLIENT_ABORT && !responseStarted
                && Retries.mayRetry(kind, pool.retry(), request.method(), attempts.bodyDropped()) && retry(kind)) {
            return;
        }
        end(kind);
        if (responseStarted) {
            finished(status); // cut short: the client gets what came so far, then the connection ends
            client.closeAfterWrites();
            return;
        }
        finished(errorStatus.code());
        // A request without a body may fail before its (empty) last part is read; the connection can stay open.
        boolean close = !answerKeepsOpen() || errorStatus.code() == 413;
        finishLocally(Responses.error(errorStatus, close));
    }

    private void finishLocally(FullHttpResponse r) {
        if (filters != null) {
            filters.response(r);
        }
        clientKeepAlive = fe.answerLocally(this, r, requestComplete);
    }

    /**
     * Reports the failed attempt and starts the next one, after a backoff, when the pool's rules allow a
     * retry (see {@link Attempts#retryTarget}). False, with nothing changed, when the request cannot be
     * retried.
     *
     * @param kind the attempt's local failure, or NONE when the backend answered with a retryable status
     */
    private boolean retry(FailureKind kind) {
        long now = proxy.nanoTime();
        Backend next = attempts.retryTarget(backend, now);
        pool = attempts.pool();
        if (next == null) {
            return false;
        }
        if (kind == FailureKind.NONE) {
            closeUpstream(); // the retryable answer is dropped with its connection
        }
        report(kind);
        long wait = Retries.backoffNanos(pool.retry(), attempts.retries(), ThreadLocalRandom.current());
        if (wait <= 0) {
            begin(next, now);
        } else {
            client.eventLoop().schedule(() -> {
                if (!done) {
                    begin(next, proxy.nanoTime());
                }
            }, wait, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** Reports the current attempt's outcome, once; returns the clock read for it (0 when already reported). */
    private long report(FailureKind kind) {
        return ledger.report(backend, pool, status, kind, attemptIndex, attemptNanos, tunnelLatency);
    }

    /** Counts, traces and logs the request once, with the status the client got (0 for none). */
    private void finished(int clientStatus) {
        finished(clientStatus, 0);
    }

    /** As {@link #finished(int)}, ending at {@code endNanos} on the proxy's clock (0: now). */
    private void finished(int clientStatus, long endNanos) {
        if (!ledger.finish()) {
            return;
        }
        if (filters != null) {
            filters.complete(clientStatus);
        }
        fe.requestDone(request, route, pool, clientStatus, bodyBytes, bytesOut, backend, ledger.lastAttemptNanos(),
                attempts.retries(), ledger.trace(), endNanos);
    }

    private void cancelTimer() {
        if (upstreamHandler != null) {
            upstreamHandler.disarmResponseTimeout();
        }
    }

    private void closeUpstream() {
        detachUpstream(false);
    }

    /** Lets go of the backend connection, back to the pool when {@code reusable}, else closed. */
    private void detachUpstream(boolean reusable) {
        Channel ch = upstream;
        UpstreamHandler uh = upstreamHandler;
        upstream = null;
        upstreamHandler = null;
        if (ch == null) {
            return;
        }
        if (uh != null) {
            uh.unbind(reusable);
        }
        if (reusable) {
            upstreams.offer(ch);
        } else {
            ch.close();
        }
    }
}
