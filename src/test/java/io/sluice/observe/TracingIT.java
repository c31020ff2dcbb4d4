package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sluice.Sluice;
import io.sluice.config.PoolConfig;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A client's trace context goes through Sluice's spans to the backend. */
class TracingIT {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @Test
    void theClientsTraceIdReachesTheServerSpanTheAttemptSpansAndTheBackend() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        List<String> seenByBackend = new CopyOnWriteArrayList<>();
        List<String> idsSeenByBackend = new CopyOnWriteArrayList<>();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (ScriptedBackend backend = new ScriptedBackend((sock, i) -> {
                InputStream in = sock.getInputStream();
                String head;
                while ((head = ScriptedBackend.readHead(in)) != null) {
                    head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("traceparent:"))
                            .forEach(l -> seenByBackend.add(l.substring(12).trim()));
                    head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("x-request-id:"))
                            .forEach(l -> idsSeenByBackend.add(l.substring(13).trim()));
                    ScriptedBackend.writeOk(sock, "ok");
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool(PoolConfig.builder("web")
                     .backends(TestConfigs.backends(closed, backend.port())).build()).build())
                     .tracing(Tracing.forTests(exporter, 0.0, "sluice-test")).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /items?id=7 HTTP/1.1\r\nHost: shop.test\r\ntraceparent: 00-" + TRACE_ID
                    + "-" + PARENT + "-01\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> exporter.getFinishedSpanItems().size() >= 3);

            List<SpanData> spans = exporter.getFinishedSpanItems();
            SpanData server = spans.stream().filter(x -> x.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
            List<SpanData> attempts = spans.stream().filter(x -> x.getKind() == SpanKind.CLIENT).toList();
            assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(server.getParentSpanId()).as("the client's span is the parent").isEqualTo(PARENT);
            assertThat(server.getAttributes().asMap().toString()).contains("http.request.method=GET",
                    "url.path=/items", "http.response.status_code=200");
            assertThat(idsSeenByBackend).as("a request id is made for a request without one").singleElement()
                    .satisfies(id -> assertThat(id).isNotBlank());
            assertThat(server.getAttributes().get(AttributeKey.stringKey("sluice.request_id")))
                    .as("the server span carries the request id the backend got").isEqualTo(idsSeenByBackend.get(0));
            assertThat(attempts).as("the refused first attempt and the retry").hasSize(2);
            for (SpanData a : attempts) {
                assertThat(a.getTraceId()).isEqualTo(TRACE_ID);
                assertThat(a.getParentSpanId()).isEqualTo(server.getSpanId());
            }
            SpanData answered = attempts.stream()
                    .filter(a -> a.getAttributes().asMap().toString().contains("http.response.status_code=200"))
                    .findFirst().orElseThrow();
            assertThat(answered.getAttributes().asMap().toString()).contains("http.request.resend_count=1");
            assertThat(seenByBackend).singleElement()
                    .isEqualTo("00-" + TRACE_ID + "-" + answered.getSpanId() + "-01");
        }
    }
}
