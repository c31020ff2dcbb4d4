package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.exporter.otlp.internal.HttpExporterBuilder;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sluice.config.TracingConfig;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Server and attempt spans, W3C propagation both ways, sampling, attributes, and the OTLP/HTTP wiring. */
class TracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String SAMPLED_PARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
    private static final String UNSAMPLED_PARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-00";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private Tracing tracing;

    @AfterEach
    void close() {
        if (tracing != null) {
            tracing.close();
        }
    }

    private static HttpRequest request(String method, String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        r.headers().set("Host", "shop.example:8080");
        r.headers().set("User-Agent", "curl/8.5.0");
        return r;
    }

    private static HttpRequest upstream(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private SpanData span(SpanKind kind) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow();
    }

    @Test
    void aClientTraceparentIsContinuedAndPassedOnThroughTheAttemptSpan() {
        tracing = Tracing.forTests(exporter, 0.0, "edge");
        HttpRequest req = request("GET", "/api/items?id=3");
        req.headers().set("traceparent", SAMPLED_PARENT);
        req.headers().set("tracestate", "vendor=abc");

        RequestTrace t = tracing.startRequest(req, "10.0.0.7", "web");
        assertThat(t.traceId()).isEqualTo(TRACE_ID);
        assertThat(t.sampled()).isTrue();

        HttpRequest up = upstream("/api/items?id=3");
        up.headers().set("traceparent", SAMPLED_PARENT); // copied from the client; must be replaced
        AttemptTrace a = t.startAttempt(up, "127.0.0.1", 3001, 0);
        assertThat(up.headers().getAll("traceparent")).containsExactly("00-" + TRACE_ID + "-" + a.spanId() + "-01");
        assertThat(up.headers().get("tracestate")).isEqualTo("vendor=abc");
        a.end(200, null);
        t.end(200, "api", 1);

        SpanData server = span(SpanKind.SERVER);
        SpanData client = span(SpanKind.CLIENT);
        assertThat(exporter.getFinishedSpanItems()).hasSize(2);
        assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(server.getParentSpanId()).isEqualTo(PARENT_ID);
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
        assertThat(server.getSpanId()).isEqualTo(t.spanId());
        assertThat(client.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(client.getSpanId()).isEqualTo(a.spanId());
        assertThat(server.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("edge");
    }

    @Test
    void serverSpanCarriesTheHttpAttributes() {
        tracing = Tracing.forTests(exporter, 1.0, "sluice");
        RequestTrace t = tracing.startRequest(request("POST", "/orders?from=cart&x=1"), "10.0.0.7", "web");
        t.end(201, "orders", 0);

        SpanData s = span(SpanKind.SERVER);
        assertThat(s.getName()).isEqualTo("POST");
        assertThat(s.getParentSpanContext().isValid()).isFalse();
        assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        var a = s.getAttributes();
        assertThat(a.get(HttpAttributes.METHOD)).isEqualTo("POST");
        assertThat(a.get(HttpAttributes.URL_PATH)).isEqualTo("/orders");
        assertThat(a.get(HttpAttributes.URL_QUERY)).isEqualTo("from=cart&x=1");
        assertThat(a.get(HttpAttributes.URL_SCHEME)).isEqualTo("http");
        assertThat(a.get(HttpAttributes.SERVER_ADDRESS)).isEqualTo("shop.example");
        assertThat(a.get(HttpAttributes.SERVER_PORT)).isEqualTo(8080L);
        assertThat(a.get(HttpAttributes.CLIENT_ADDRESS)).isEqualTo("10.0.0.7");
        assertThat(a.get(HttpAttributes.PROTOCOL_VERSION)).isEqualTo("1.1");
        assertThat(a.get(HttpAttributes.USER_AGENT)).isEqualTo("curl/8.5.0");
        assertThat(a.get(HttpAttributes.STATUS)).isEqualTo(201L);
        assertThat(a.get(HttpAttributes.LISTENER)).isEqualTo("web");
        assertThat(a.get(HttpAttributes.POOL)).isEqualTo("orders");
        assertThat(a.get(HttpAttributes.ROUTE)).isEqualTo(0L);
        assertThat(a.get(HttpAttributes.ERROR_TYPE)).isNull();
    }

    @Test
    void hostHeaderForms() {
        tracing = Tracing.forTests(exporter, 1.0, "sluice");
        for (String host : List.of("[::1]:9443", "plain.example")) {
            HttpRequest req = request("GET", "/");
            req.headers().set("Host", host);
            tracing.startRequest(req, "::1", "web").end(200, null, -1);
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans.get(0).getAttributes().get(HttpAttributes.SERVER_ADDRESS)).isEqualTo("::1");
        assertThat(spans.get(0).getAttributes().get(HttpAttributes.SERVER_PORT)).isEqualTo(9443L);
        assertThat(spans.get(0).getAttributes().get(HttpAttributes.URL_QUERY)).isNull();
        assertThat(spans.get(1).getAttributes().get(HttpAttributes.SERVER_ADDRESS)).isEqualTo("plain.example");
        assertThat(spans.get(1).getAttributes().get(HttpAttributes.SERVER_PORT)).isEqualTo(80L);
        assertThat(spans.get(1).getAttributes().get(HttpAttributes.ROUTE)).isNull();
    }

    @Test
    void attemptSpansCarryTheBackendAndRetriesAndFailures() {
        tracing = Tracing.forTests(exporter, 1.0, "sluice");
        RequestTrace t = tracing.startRequest(request("GET", "/a?b=1"), "10.0.0.7", "web");
        t.startAttempt(upstream("/a?b=1"), "127.0.0.1", 3001, 0).end(0, "connect_refused");
        t.startAttempt(upstream("/a?b=1"), "::1", 3002, 1).end(503, null);
        t.startAttempt(upstream("/a?b=1"), "10.0.0.9", 3003, 2).end(200, null);
        t.end(200, "api", 0);

        List<SpanData> attempts = exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertThat(attempts).hasSize(3);
        SpanData refused = attempts.get(0);
        assertThat(refused.getName()).isEqualTo("GET");
        assertThat(refused.getAttributes().get(HttpAttributes.METHOD)).isEqualTo("GET");
        assertThat(refused.getAttributes().get(HttpAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(refused.getAttributes().get(HttpAttributes.SERVER_PORT)).isEqualTo(3001L);
        assertThat(refused.getAttributes().get(HttpAttributes.URL_FULL)).isEqualTo("http://127.0.0.1:3001/a?b=1");
        assertThat(refused.getAttributes().get(HttpAttributes.RESEND_COUNT)).isNull();
        assertThat(refused.getAttributes().get(HttpAttributes.STATUS)).isNull();
        assertThat(refused.getAttributes().get(HttpAttributes.ERROR_TYPE)).isEqualTo("connect_refused");
        assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        SpanData unavailable = attempts.get(1);
        assertThat(unavailable.getAttributes().get(HttpAttributes.URL_FULL)).isEqualTo("http://[::1]:3002/a?b=1");
        assertThat(unavailable.getAttributes().get(HttpAttributes.RESEND_COUNT)).isEqualTo(1L);
        assertThat(unavailable.getAttributes().get(HttpAttributes.STATUS)).isEqualTo(503L);
        assertThat(unavailable.getAttributes().get(HttpAttributes.ERROR_TYPE)).isEqualTo("503");
        assertThat(unavailable.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        SpanData ok = attempts.get(2);
        assertThat(ok.getAttributes().get(HttpAttributes.RESEND_COUNT)).isEqualTo(2L);
        assertThat(ok.getAttributes().get(HttpAttributes.ERROR_TYPE)).isNull();
        assertThat(ok.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attempts).allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(t.spanId()));
    }

    @Test
    void a5xxOrNoResponseMakesTheServerSpanAnError() {
        tracing = Tracing.forTests(exporter, 1.0, "sluice");
        tracing.startRequest(request("GET", "/"), "10.0.0.7", "web").end(502, "api", 0);
        tracing.startRequest(request("GET", "/"), "10.0.0.7", "web").end(0, null, -1);
        tracing.startRequest(request("GET", "/"), "10.0.0.7", "web").end(404, null, -1);
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(spans.get(0).getAttributes().get(HttpAttributes.ERROR_TYPE)).isEqualTo("502");
        assertThat(spans.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(spans.get(1).getAttributes().get(HttpAttributes.ERROR_TYPE)).isEqualTo("no_response");
        assertThat(spans.get(1).getAttributes().get(HttpAttributes.STATUS)).isNull();
        assertThat(spans.get(2).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void ratioZeroWithoutAParentRecordsNothingButStillPassesOnANotSampledTraceparent() {
        tracing = Tracing.forTests(exporter, 0.0, "sluice");
        HttpRequest req = request("GET", "/");
        RequestTrace t = tracing.startRequest(req, "10.0.0.7", "web");
        assertThat(t.sampled()).isFalse();
        assertThat(t.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));

        HttpRequest up = upstream("/");
        up.headers().set("tracestate", "from=client");
        AttemptTrace a = t.startAttempt(up, "127.0.0.1", 3001, 0);
        String traceparent = up.headers().get("traceparent");
        assertThat(traceparent).startsWith("00-" + t.traceId() + "-" + a.spanId() + "-");
        int flags = Integer.parseInt(traceparent.substring(traceparent.length() - 2), 16);
        assertThat(flags & 1).as("the sampled flag").isZero(); // 0x02 (random trace id) may be set
        assertThat(up.headers().contains("tracestate")).isFalse();
        a.end(200, null);
        t.end(200, "web", 0);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void theParentsDecisionWinsOverTheRatio() {
        tracing = Tracing.forTests(exporter, 0.0, "sluice");
        HttpRequest sampled = request("GET", "/");
        sampled.headers().set("traceparent", SAMPLED_PARENT);
        tracing.startRequest(sampled, "10.0.0.7", "web").end(200, null, -1);
        assertThat(exporter.getFinishedSpanItems()).hasSize(1);

        Tracing always = Tracing.forTests(exporter, 1.0, "sluice");
        try {
            HttpRequest notSampled = request("GET", "/");
            notSampled.headers().set("traceparent", UNSAMPLED_PARENT);
            RequestTrace t = always.startRequest(notSampled, "10.0.0.7", "web");
            assertThat(t.sampled()).isFalse();
            assertThat(t.traceId()).isEqualTo(TRACE_ID);
            t.end(200, null, -1);
            assertThat(exporter.getFinishedSpanItems()).hasSize(1);
        } finally {
            always.close();
        }
    }

    @Test
    void aBrokenTraceparentStartsANewTrace() {
        tracing = Tracing.forTests(exporter, 1.0, "sluice");
        HttpRequest req = request("GET", "/");
        req.headers().set("traceparent", "00-not-a-trace-01");
        RequestTrace t = tracing.startRequest(req, "10.0.0.7", "web");
        t.end(200, null, -1);
        assertThat(span(SpanKind.SERVER).getParentSpanContext().isValid()).isFalse();
        assertThat(t.traceId()).matches("[0-9a-f]{32}");
    }

    @Test
    void offStartsNothing() {
        Tracing off = Tracing.create(TracingConfig.OFF);
        assertThat(off).isSameAs(Tracing.create(new TracingConfig(null, 1.0, "x")));
        assertThat(off.enabled()).isFalse();
        assertThat(off.startRequest(request("GET", "/"), "10.0.0.7", "web")).isNull();
        off.close();
    }

    @Test
    void createExportsOverOtlpHttpWithTheJdkClient() throws Exception {
        AtomicInteger posts = new AtomicInteger();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            if (ex.getRequestMethod().equals("POST")) {
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
                posts.incrementAndGet();
            }
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();

        Logger builderLog = Logger.getLogger(HttpExporterBuilder.class.getName());
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level before = builderLog.getLevel();
        builderLog.setLevel(Level.FINE);
        builderLog.addHandler(capture);
        try {
            Tracing t = Tracing.create(new TracingConfig(
                    "http://127.0.0.1:" + receiver.getAddress().getPort(), 1.0, "sluice-it"));
            assertThat(t.enabled()).isTrue();
            RequestTrace r = t.startRequest(request("GET", "/"), "127.0.0.1", "web");
            r.startAttempt(upstream("/"), "127.0.0.1", 3001, 0).end(200, null);
            r.end(200, "web", 0);
            t.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> posts.get() >= 1);
            assertThat(contentTypes).first().isEqualTo("application/x-protobuf");
            assertThat(logged).anySatisfy(m -> assertThat(m).contains("Using HttpSender", ".sender.jdk."));
        } finally {
            builderLog.removeHandler(capture);
            builderLog.setLevel(before);
            receiver.stop(0);
        }
    }
}
