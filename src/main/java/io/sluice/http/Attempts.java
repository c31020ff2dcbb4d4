package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.balance.Backend;
import io.sluice.balance.PickContext;
import io.sluice.balance.Selection;
import io.sluice.health.CircuitBreaker;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.Outcome;
import io.sluice.runtime.OutcomeListener;
import io.sluice.runtime.PoolRuntime;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Where the attempts of one request go: the pool serving it (a fallback pool may take over), the pick
 * context whose walk of candidates retries continue, and the backends already tried. One per client
 * connection, reset per request (a connection serves one request at a time), so a request allocates
 * nothing here; and the request body sent so far, kept (up to 64 KiB) so that a retry can send it again. Confined to the connection's event loop.
 */
final class Attempts {
    /** How many fallback hops one request may take (pool a falls back to b, b to c, ...). */
    private static final int MAX_FALLBACKS = 4;

    private final ProxyContext proxy;
    private final PickContext pick = new PickContext();
    private InetSocketAddress client;
    private HttpRequest request;
    private PoolRuntime pool;
    private Backend[] tried = new Backend[4];
    private int triedCount;
    private int retries;
    private int fallbacks;
    private final ReplayBuffer replay = new ReplayBuffer();
    private final StaleResend stale = new StaleResend(this);
    /** Body parts that arrived while the attempt had no backend connection yet; made on first use. */
    private ArrayDeque<HttpContent> held;
    private boolean keepBody;
    private boolean sentEmptyLast;
    private boolean bodyDropped;
    /** A backend a filter asked for (a sticky session), by address; null for none. */
    private String preferred;

    Attempts(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /** Starts over for a new request routed to {@code routed}. */
    Attempts reset(PoolRuntime routed, HttpRequest req, InetSocketAddress from) {
        pool = routed;
        request = req;
        client = from;
        triedCount = 0;
        retries = 0;
        fallbacks = 0;
        replay.release();
        releaseHeld();
        keepBody = false;
        sentEmptyLast = false;
        bodyDropped = false;
        preferred = null;
        return this;
    }

    /** The re-send rule for a reused connection that closes under the request (reset per attempt by the exchange). */
    StaleResend stale() {
        return stale;
    }

    /** Whether body parts sent upstream are kept for a replay (the method may be sent twice and retries are on). */
    void keepBody(boolean keep) {
        this.keepBody = keep;
    }

    /**
     * Writes one body part upstream, first keeping a copy when a retry may need to send it again; a part
     * that cannot be kept (the method may not be sent twice, or the body outgrew the buffer) makes the
     * request's body unreplayable.
     */
    void send(Channel ch, HttpContent c) {
        boolean empty = !c.content().isReadable();
        if (empty && c instanceof LastHttpContent l && l.trailingHeaders().isEmpty()) {
            sentEmptyLast = true;
        } else if (!empty || c instanceof LastHttpContent) {
            if (!keepBody || !replay.keep(c)) {
                keepBody = false;
                bodyDropped = true;
            }
        }
        ch.write(c, ch.voidPromise());
    }

    /** Writes again what earlier attempts sent of the body, for a retry or a stale connection's re-send. */
    void replay(Channel ch) {
        replay.replay(ch);
        if (sentEmptyLast) {
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        }
    }

    /** True once a body part was sent that could not be kept: the request can no longer be replayed. */
    boolean bodyDropped() {
        return bodyDropped;
    }

    /** Lets go of the kept body parts (the exchange is over). */
    void releaseBody() {
        replay.release();
    }

    /** The pool serving the request: the routed one, or a fallback that took over. */
    PoolRuntime pool() {
        return pool;
    }

    /** Retries made so far for this request. */
    int retries() {
        return retries;
    }

    /**
     * The backend for the next retry after {@code failed}, when the pool's rules allow one: retries are
     * left, a backend can take it ({@link #retry}), and the retry budget agrees. The retry is then counted
     * (here and in the pool); null, with the budget's refusal counted, when it may not happen.
     */
    Backend retryTarget(Backend failed, long now) {
        if (retries >= pool.retry().maxRetries()) {
            return null;
        }
        Backend next = retry(failed, now);
        if (next == null) {
            return null;
        }
        if (!pool.retryBudget().tryRetry(now)) {
            pool.countRetryDenied();
            return null;
        }
        pool.countRetry();
        retries++;
        return next;
    }

    /** The first backend for the request, from its pool or a fallback pool; null when none can take it. */
    Backend first(long now) {
        pick.reset(client, request, now);
        if (preferred != null) {
            Backend b = pool.backend(preferred);
            if (b != null && b.available()) {
                return b;
            }
        }
        return next(now, false);
    }

    /** Asks for this backend ({@code host:port}) first, when it is in the pool and can take requests. */
    void prefer(String address) {
        preferred = address;
    }

    /**
     * The backend for a retry after {@code failed}: the next candidate not tried yet along the first pick's
     * walk; failing that, one of the fallback pool; failing that, any usable one, tried or not. Null when
     * none is usable.
     */
    Backend retry(Backend failed, long now) {
        if (triedCount == tried.length) {
            tried = Arrays.copyOf(tried, triedCount * 2);
        }
        tried[triedCount++] = failed;
        return next(now, true);
    }

    private Backend next(long now, boolean anyAgain) {
        for (;;) {
            Backend b = Selection.select(pool.picker(), pick, tried, triedCount, pool.slowStartNanos(), pool.panic());
            if (b != null) {
                return b;
            }
            PoolRuntime fallback = pool.fallbackPool() == null || fallbacks >= MAX_FALLBACKS ? null
                    : proxy.snapshot().pool(pool.fallbackPool());
            if (fallback == null) {
                break;
            }
            fallbacks++;
            pool = fallback;
            pick.reset(client, request, now);
        }
        if (!anyAgain) {
            return null;
        }
        pick.reset(client, request, now);
        return Selection.select(pool.picker(), pick, tried, 0, pool.slowStartNanos(), pool.panic());
    }

    /** Forgets the request's objects once it is done, so the connection does not keep them alive. */
    void clear() {
        request = null;
        Arrays.fill(tried, 0, triedCount, null);
        triedCount = 0;
    }

    /**
     * Reports one finished attempt to everything that learns from it: the backend's live stats (in flight,
     * latency estimate), its metrics, its circuit breaker (unless the client gave up) and the outcome
     * listener.
     */
    void report(Backend b, PoolRuntime in, int status, long latencyNanos, FailureKind kind, int attemptIndex,
                long now, boolean metrics) {
        if (kind == FailureKind.CONNECTION_LIMIT) {
            b.state().released(); // it never reached the backend: no latency, no outcome for its breaker
            return;
        }
        boolean failed = kind.countsAgainstBackend() || status >= 500; // as Outcome.failed()
        b.state().requestFinished(latencyNanos, failed, now, in.halfLifeNanos());
        if (metrics) {
            b.state().attempts().record(status, latencyNanos);
        }
        if (kind != FailureKind.CLIENT_ABORT) {
            CircuitBreaker breaker = b.state().breaker();
            breaker.onOutcome(kind.countsAgainstBackend() || breaker.countsAsFailure(status), now);
        }
        OutcomeListener listener = proxy.outcomes();
        if (listener != OutcomeListener.NONE) { // no listener, no Outcome made
            listener.onOutcome(new Outcome(b.endpoint(), status, latencyNanos, kind, attemptIndex));
        }
    }

    /** Keeps a body part that arrived before the backend connection was ready. */
    void hold(HttpContent c) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(c);
    }

    /** Replaces each held body part by what {@code f} makes of it, in order. */
    void passHeld(java.util.function.UnaryOperator<HttpContent> f) {
        for (int i = held == null ? 0 : held.size(); i > 0; i--) {
            held.add(f.apply(held.poll()));
        }
    }

    /** Sends the held body parts on the connection now ready, in order. */
    void sendHeld(Channel ch) {
        HttpContent c;
        while (held != null && (c = held.poll()) != null) {
            send(ch, c);
        }
    }

    /** Drops the held body parts: the request ended without reaching a backend. */
    void releaseHeld() {
        HttpContent c;
        while (held != null && (c = held.poll()) != null) {
            c.release();
        }
    }
}
