package io.sluice.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.Sluice;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The filter SPI through a real listener: a library user's filter registered with the builder and named in YAML
 * (changes headers both ways, sees the streamed body, refuses a request, hears the end), one found by
 * ServiceLoader, a filter that decides on another thread, and a route without filters next to them.
 */
class FilterSpiIT {
    private static RecordingBackend backend;
    private static Sluice sluice;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        backend = new RecordingBackend();
        Sluice.Builder builder = Sluice.builder().filter(new StampFilterFactory()).filter(new SlowCheckFilterFactory());
        String yaml = """
                admin: { bind: "127.0.0.1:0" }
                filter_presets:
                  stamped:
                    stamp: { value: from-preset }
                pools:
                  - name: app
                    backends: [ { address: "127.0.0.1:%d" } ]
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    filters: [ found_by_service_loader ]
                    routes:
                      - match: { path_prefix: /stamp }
                        pool: app
                        filters: [ { stamp: { value: hello } } ]
                      - match: { path_prefix: /preset }
                        pool: app
                        filters: [ stamped ]
                      - match: { path_prefix: /slow }
                        pool: app
                        filters: [ slow_check, { stamp: { value: after-slow } } ]
                  - name: plain
                    bind: "127.0.0.1:0"
                """.formatted(backend.port());
        sluice = builder.config(ConfigLoader.parse(yaml, "filters.yaml", name -> null)).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.close();
        backend.close();
    }

    private static String url(String listener, String path) {
        return "http://127.0.0.1:" + sluice.listenerAddress(listener).getPort() + path;
    }

    @Test
    void aUserFilterChangesTheRequestAndTheResponseAndSeesTheBody() throws Exception {
        backend.clear();
        int before = StampFilterFactory.COMPLETED.get();
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(URI.create(url("web", "/stamp/a")))
                .POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Stamp")).hasValue("hello");
        assertThat(r.headers().firstValue("X-Body-Bytes")).hasValue("10");
        assertThat(r.headers().firstValue("X-Client")).hasValue("127.0.0.1");
        assertThat(r.headers().firstValue("X-Loaded")).hasValue("yes"); // the listener's ServiceLoader filter
        RecordingBackend.Request seen = backend.requests().get(0);
        assertThat(seen.header("X-Stamp")).isEqualTo("hello");
        assertThat(seen.bodyText()).isEqualTo("0123456789");
        Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> StampFilterFactory.COMPLETED.get() - before == 200);
    }

    @Test
    void aUserFilterRefusesARequestWithoutTheBackendSeeingIt() throws Exception {
        backend.clear();
        try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /stamp/b HTTP/1.1\r\nHost: x\r\nX-Block: 1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("X-Loaded")).isEqualTo("yes"); // the answer passes the filters before it
            assertThat(r.header("X-Stamp")).isNull();
            // the connection stays usable
            RawHttp.Response next = c.send("GET /stamp/c HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(1);
        assertThat(backend.requests().get(0).requestLine()).startsWith("GET /stamp/c ");
        String metrics = CLIENT.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(URI.create("http://127.0.0.1:"
                + sluice.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics.lines().filter(l -> l.startsWith("sluice_filter_stamp_blocked_total{")
                && l.contains("filter=\"stamp\"") && l.contains("route=\"0\"") && !l.endsWith(" 0.0")).toList())
                .hasSize(1);
    }

    @Test
    void aPresetNamesTheFilterWithItsSettings() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(URI.create(url("web", "/preset"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("X-Stamp")).hasValue("from-preset");
    }

    @Test
    void aFilterThatDecidesOnAnotherThreadResumesTheExchange() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        SlowCheckFilterFactory.gate = gate;
        SlowCheckFilterFactory.waiting = new CountDownLatch(2);
        backend.clear();
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        CompletableFuture<HttpResponse<String>> ok = CLIENT.sendAsync(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(
                URI.create(url("web", "/slow/upload"))).header("Authorization", "ok")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> refused = CLIENT.sendAsync(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(
                URI.create(url("web", "/slow/upload"))).header("Authorization", "no")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        // Both decisions are under way on the worker; nothing reached the backend meanwhile.
        assertThat(SlowCheckFilterFactory.waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(backend.requests()).isEmpty();
        assertThat(ok).isNotDone();
        // Meanwhile a route without filters on another listener answers at once.
        assertThat(CLIENT.send(HttpRequest.newBuilder().timeout(java.time.Duration.ofSeconds(15)).uri(URI.create(url("plain", "/x"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        gate.countDown();
        HttpResponse<String> r = ok.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Stamp")).hasValue("after-slow"); // the filter after it ran too
        assertThat(r.headers().firstValue("X-On-Loop")).hasValue("true");
        assertThat(r.headers().firstValue("X-Body-Bytes")).hasValue(Integer.toString(body.length));
        HttpResponse<String> no = refused.get(10, TimeUnit.SECONDS);
        assertThat(no.statusCode()).isEqualTo(401);
        assertThat(no.headers().firstValue("X-Stamp")).isEmpty();
        assertThat(no.headers().firstValue("X-On-Loop")).isEmpty(); // it answered: only filters before it see that
        List<RecordingBackend.Request> seen = backend.requests().stream()
                .filter(q -> q.requestLine().startsWith("POST /slow/")).toList();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).body()).isEqualTo(body);
        assertThat(seen.get(0).header("X-Stamp")).isEqualTo("after-slow");
    }

    @Test
    void configMistakesInFiltersAreReportedAtTheirLine() {
        String yaml = """
                listen: "127.0.0.1:0"
                backends: [ "127.0.0.1:1" ]
                filters:
                  - stampp
                  - { stamp: {} }
                  - { stamp: { value: x, colour: red } }
                  - { stamp: { value: a }, found_by_service_loader: {} }
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "bad.yaml", name -> null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("4:")
                .hasMessageContaining("unknown filter `stampp`")
                .hasMessageContaining("did you mean `stamp`")
                .hasMessageContaining("missing required key `value`")
                .hasMessageContaining("unknown key `colour`")
                .hasMessageContaining("7:")
                .hasMessageContaining("one filter name with its settings");
    }
}
