package io.sluice.observe;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sluice.config.TracingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry tracing for the data path: a SERVER span per client request ({@link #startRequest}) and a
 * CLIENT span per upstream attempt ({@link RequestTrace#startAttempt}), W3C trace context read from the
 * client and written to the backend, spans exported over OTLP/HTTP in batches by the SDK's own thread.
 * Thread-safe; everything but {@link #close()} may be called on event loops (nothing blocks, nothing locks
 * beyond the SDK's own queue).
 *
 * <p>Sampling is {@code parentBased(traceIdRatioBased(ratio))}: a client's sampled {@code traceparent} is
 * always followed, a not-sampled one never, and a request without one is sampled at the configured ratio.
 * A request that is not sampled still gets a trace id and still sends the backend a {@code traceparent},
 * with the sampled flag clear (e.g. {@code -00} or {@code -02}), so services behind Sluice follow its decision rather than make their
 * own; its spans cost a few allocations and are never exported.
 *
 * <p>When tracing is off, {@link #create} returns one shared instance whose {@link #startRequest} returns
 * null without doing anything else; callers skip tracing on null.
 */
public final class Tracing implements AutoCloseable {
    private static final Tracing DISABLED = new Tracing(null, null);
    private static final String SCOPE = "io.sluice";
    private static final String JDK_SENDER = "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider";
    private static final long CLOSE_SECONDS = 10;

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();

    private Tracing(SdkTracerProvider provider, Tracer tracer) {
        this.provider = provider;
        this.tracer = tracer;
    }

    /**
     * Tracing as {@code c} describes it: spans batched and exported to {@code {otlpEndpoint}/v1/traces}
     * over OTLP/HTTP (protobuf) with the JDK {@code HttpClient}; a shared no-op instance when it is off.
     */
    public static Tracing create(TracingConfig c) {
        Objects.requireNonNull(c, "c");
        if (!c.enabled()) {
            return DISABLED;
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(c.otlpEndpoint() + "/v1/traces")
                .setComponentLoader(jdkSenderOnly(ComponentLoader.forClassLoader(Tracing.class.getClassLoader())))
                .build();
        return build(BatchSpanProcessor.builder(exporter).build(), c.sampleRatio(), c.serviceName());
    }

    /** Tracing that hands each span to {@code exporter} as soon as it ends, for tests. */
    public static Tracing forTests(SpanExporter exporter, double ratio, String serviceName) {
        Objects.requireNonNull(exporter, "exporter");
        Objects.requireNonNull(serviceName, "serviceName");
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("ratio must be within 0-1");
        }
        return build(SimpleSpanProcessor.create(exporter), ratio, serviceName);
    }

    private static Tracing build(SpanProcessor processor, double ratio, String serviceName) {
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), serviceName)));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
                .addSpanProcessor(processor)
                .build();
        return new Tracing(provider, provider.get(SCOPE));
    }

    /**
     * Prefers the JDK HttpClient sender over any other found on the class path (e.g. OkHttp brought in by
     * an application embedding Sluice), so the exporter adds no HTTP client of its own.
     */
    private static ComponentLoader jdkSenderOnly(ComponentLoader all) {
        return new ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> type) {
                Iterable<T> found = all.load(type);
                if (type != HttpSenderProvider.class) {
                    return found;
                }
                List<T> jdk = new ArrayList<>();
                for (T p : found) {
                    if (p.getClass().getName().equals(JDK_SENDER)) {
                        jdk.add(p);
                    }
                }
                return jdk.isEmpty() ? found : jdk;
            }
        };
    }

    /** True when spans are recorded. */
    public boolean enabled() {
        return provider != null;
    }

    /**
     * Starts the SERVER span of a client request, continuing the trace in its {@code traceparent} and
     * {@code tracestate} headers if it has them; null when tracing is off.
     *
     * @param req      the request head as the client sent it
     * @param clientIp the client's address
     * @param listener the name of the listener that accepted it
     */
    public RequestTrace startRequest(HttpRequest req, String clientIp, String listener) {
        if (provider == null) {
            return null;
        }
        Objects.requireNonNull(req, "req");
        Context parent = propagator.extract(Context.root(), req.headers(), NettyHeaders.INSTANCE);
        Span span = tracer.spanBuilder(HttpAttributes.spanName(req))
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
        if (span.isRecording()) {
            HttpAttributes.method(span, req);
            HttpAttributes.pathAndQuery(span, req.uri());
            span.setAttribute(HttpAttributes.URL_SCHEME, "http");
            HttpAttributes.host(span, req.headers());
            if (clientIp != null) {
                span.setAttribute(HttpAttributes.CLIENT_ADDRESS, clientIp);
            }
            span.setAttribute(HttpAttributes.PROTOCOL_VERSION, HttpAttributes.protocolVersion(req.protocolVersion()));
            String agent = req.headers().get(HttpHeaderNames.USER_AGENT);
            if (agent != null) {
                span.setAttribute(HttpAttributes.USER_AGENT, agent);
            }
            if (listener != null) {
                span.setAttribute(HttpAttributes.LISTENER, listener);
            }
            String requestId = req.headers().get(HttpAttributes.REQUEST_ID_HEADER);
            if (requestId != null) {
                span.setAttribute(HttpAttributes.REQUEST_ID, requestId);
            }
        }
        return new RequestTrace(tracer, propagator, span, parent.with(span));
    }

    /** Exports what is buffered and stops, waiting up to ten seconds. Blocks; call it off the event loops. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(CLOSE_SECONDS, TimeUnit.SECONDS);
        }
    }
}
