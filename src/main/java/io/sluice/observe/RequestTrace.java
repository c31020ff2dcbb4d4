package io.sluice.observe;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;

/**
 * The trace of one client request: its SERVER span, started by {@link Tracing#startRequest}, and the CLIENT
 * spans of its upstream attempts. Meant to be used from the request's event loop; safe from any thread (the
 * SDK's spans are thread-safe), and it holds no lock and never blocks.
 */
public final class RequestTrace {
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Span span;
    private final Context context;

    RequestTrace(Tracer tracer, TextMapPropagator propagator, Span span, Context context) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
        this.propagator = Objects.requireNonNull(propagator, "propagator");
        this.span = Objects.requireNonNull(span, "span");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** The trace id, 32 lowercase hex digits; there is one whether or not the request is sampled. */
    public String traceId() {
        return span.getSpanContext().getTraceId();
    }

    /** The server span's id, 16 lowercase hex digits. */
    public String spanId() {
        return span.getSpanContext().getSpanId();
    }

    /** True when the request's spans are recorded and exported. */
    public boolean sampled() {
        return span.getSpanContext().isSampled();
    }

    /**
     * Starts the CLIENT span of one upstream attempt, child of the server span, and writes its
     * {@code traceparent} (and {@code tracestate}, when there is one) into {@code upstreamRequest}'s
     * headers, replacing whatever the client sent: the backend's parent is this attempt.
     *
     * @param upstreamRequest the request head about to be sent to the backend
     * @param backendHost     the backend's host or address
     * @param backendPort     the backend's port
     * @param attempt         0 for the first attempt, then 1, 2, ... for retries
     */
    public AttemptTrace startAttempt(HttpRequest upstreamRequest, String backendHost, int backendPort, int attempt) {
        Objects.requireNonNull(upstreamRequest, "upstreamRequest");
        Objects.requireNonNull(backendHost, "backendHost");
        Span client = tracer.spanBuilder(HttpAttributes.spanName(upstreamRequest))
                .setParent(context)
                .setSpanKind(SpanKind.CLIENT)
                .startSpan();
        if (client.isRecording()) {
            HttpAttributes.method(client, upstreamRequest);
            client.setAttribute(HttpAttributes.SERVER_ADDRESS, backendHost);
            client.setAttribute(HttpAttributes.SERVER_PORT, backendPort);
            String uri = upstreamRequest.uri();
            client.setAttribute(HttpAttributes.URL_FULL, "http://" + HttpAttributes.authority(backendHost, backendPort)
                    + (uri.startsWith("/") ? uri : "/" + uri));
            if (attempt > 0) {
                client.setAttribute(HttpAttributes.RESEND_COUNT, attempt);
            }
        }
        HttpHeaders headers = upstreamRequest.headers();
        headers.remove(TRACEPARENT);
        headers.remove(TRACESTATE);
        propagator.inject(context.with(client), headers, NettyHeaders.INSTANCE);
        return new AttemptTrace(client);
    }

    /**
     * Ends the server span.
     *
     * @param status the status the client got, or 0 when it got none (then {@code error.type} is
     *               {@code no_response}); 5xx marks the span as an error
     * @param pool   the pool that served the request, or null
     * @param route  the index of the route that matched, or -1
     */
    public void end(int status, String pool, int route) {
        if (span.isRecording()) {
            if (status > 0) {
                span.setAttribute(HttpAttributes.STATUS, status);
            }
            if (status >= 500 || status <= 0) {
                span.setAttribute(HttpAttributes.ERROR_TYPE, status > 0 ? Integer.toString(status) : "no_response");
                span.setStatus(StatusCode.ERROR);
            }
            if (pool != null) {
                span.setAttribute(HttpAttributes.POOL, pool);
            }
            if (route >= 0) {
                span.setAttribute(HttpAttributes.ROUTE, route);
            }
        }
        span.end();
    }
}
