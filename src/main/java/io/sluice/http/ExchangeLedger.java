package io.sluice.http;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.balance.Backend;
import io.sluice.observe.AttemptTrace;
import io.sluice.observe.RequestTrace;
import io.sluice.observe.Tracing;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.PoolRuntime;
import java.util.Locale;

/**
 * What one exchange reports, and that it reports each thing once: every attempt's outcome (to the backend's
 * live stats, breaker and metrics, the outcome listener, and the attempt's trace span) and the request's own
 * trace. Confined to the client connection's event loop.
 */
final class ExchangeLedger {
    private final ProxyContext proxy;
    private final Attempts attempts;
    private final boolean metrics;
    private RequestTrace trace;
    private AttemptTrace attemptTrace;
    private long lastAttemptNanos;
    private boolean reported;
    private boolean finished;

    ExchangeLedger(ProxyContext proxy, Attempts attempts, boolean metrics) {
        this.proxy = proxy;
        this.attempts = attempts;
        this.metrics = metrics;
    }

    /** Starts the request's trace when tracing is on. */
    void startTrace(HttpRequest request, String clientIp, String listener) {
        Tracing tracing = proxy.telemetry().tracing();
        if (tracing.enabled()) {
            trace = tracing.startRequest(request, clientIp, listener);
        }
    }

    /** A new attempt on {@code b}: its outcome is still to report. */
    void attemptStarted(HttpRequest request, Backend b, int index) {
        reported = false;
        if (trace != null) {
            attemptTrace = trace.startAttempt(request, b.endpoint().address().host(), b.endpoint().address().port(),
                    index);
        }
    }

    /**
     * Reports the current attempt's outcome, once.
     *
     * @param tunnelLatency for a WebSocket tunnel, the time to its 101 (its latency); 0 otherwise
     * @return the proxy's clock at the report, for the request's end when it ends now; 0 when nothing was reported
     */
    long report(Backend backend, PoolRuntime pool, int status, FailureKind kind, int index, long attemptNanos,
                long tunnelLatency) {
        if (reported || backend == null) {
            return 0;
        }
        reported = true;
        long now = proxy.nanoTime();
        lastAttemptNanos = tunnelLatency > 0 ? tunnelLatency : now - attemptNanos;
        attempts.report(backend, pool, status, lastAttemptNanos, kind, index, now, metrics);
        if (attemptTrace != null) {
            attemptTrace.end(status, kind == FailureKind.NONE ? null : kind.name().toLowerCase(Locale.ROOT));
            attemptTrace = null;
        }
        return now;
    }

    /** True the first time only: the request's end is to be counted, traced and logged now. */
    boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    RequestTrace trace() {
        return trace;
    }

    /** The last reported attempt's latency. */
    long lastAttemptNanos() {
        return lastAttemptNanos;
    }
}
