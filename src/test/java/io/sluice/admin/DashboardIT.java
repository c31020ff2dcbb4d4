package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.MatchConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard end to end: real backends, a real Sluice with traffic flowing through it, and the page at
 * {@code /dashboard} of its admin listener loaded in headless Chromium; asserts on the DOM after the page's
 * scripts have refreshed a few times. Skipped without Chromium, except under CI (see {@link Chromium}).
 */
class DashboardIT {
    private static final int MAX_REQUESTS = 20_000;
    private static final Duration MAX_TRAFFIC = Duration.ofSeconds(60);

    @BeforeAll
    static void chromium() {
        Chromium.requireBinary();
    }

    @Test
    void showsEveryBackendAndLiveCharts() throws Exception {
        DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
        DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
        DemoBackend c = DemoBackend.start("127.0.0.1", 0, "c");
        try (a; b; c; Sluice sluice = Sluice.builder().config(TestConfigs.create()
                .pool("web", a.port(), b.port()).pool("api", c.port())
                .route(new MatchConfig(null, "/api/", null, List.of(), Map.of()), "api")
                .route(MatchConfig.ANY, "web").build()).build().start()) {
            String proxy = "http://127.0.0.1:" + sluice.listenerAddress("web").getPort();
            String admin = "http://127.0.0.1:" + sluice.adminAddress().getPort();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(admin + "/dashboard")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as("GET /dashboard on the admin listener").isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            Thread traffic = new Thread(() -> drive(client, proxy, stop, sent), "dashboard-traffic");
            traffic.setDaemon(true);
            traffic.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= 50);
                // The charts draw the per-second history, whose first sample is taken a second after start: a page
                // loaded before it has nothing to draw.
                await().atMost(Duration.ofSeconds(10)).until(() -> historySamples(client, admin) > 0);
                String dom = Chromium.dumpDom(admin + "/dashboard", 6000);

                String body = Chromium.tag(dom, "data-state", "ok");
                assertThat(body).as("the page's body after its refreshes; DOM was:%n%s", dom).isNotNull();
                assertThat(Chromium.attr(body, "data-error")).as("a script error").isNull();
                assertThat(Integer.parseInt(Chromium.attr(body, "data-updated"))).isGreaterThanOrEqualTo(2);

                List<String> rows = Chromium.values(dom, "data-backend");
                assertThat(rows).containsExactly("web/127.0.0.1:" + a.port(), "web/127.0.0.1:" + b.port(),
                        "api/127.0.0.1:" + c.port());
                for (String row : rows) {
                    assertThat(Chromium.element(dom, "data-backend", row)).as(row)
                            .contains("data-health=\"up\"").contains(">UP<").contains(">closed<");
                }
                int points = Integer.parseInt(Chromium.attr(Chromium.tag(dom, "data-chart", "rps"), "data-points"));
                assertThat(points).as("points on the requests/s chart").isGreaterThan(0);
                assertThat(Chromium.values(dom, "data-listener")).containsExactly("web");
                assertThat(Chromium.values(dom, "data-route")).containsExactly("web/0", "web/1");
            } finally {
                stop.set(true);
                traffic.join(5000);
            }
        }
    }

    /** The most samples any series of the admin's per-second history has. */
    private static int historySamples(HttpClient client, String admin) throws Exception {
        String body = client.send(HttpRequest.newBuilder(URI.create(admin + "/_metrics/history?window=15m")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        int most = 0;
        for (JsonNode series : new ObjectMapper().readTree(body).path("series")) {
            most = Math.max(most, series.path("t").size());
        }
        return most;
    }

    /** Requests to both pools until told to stop, or at most {@link #MAX_REQUESTS} / {@link #MAX_TRAFFIC}. */
    private static void drive(HttpClient client, String proxy, AtomicBoolean stop, AtomicInteger sent) {
        long deadline = System.nanoTime() + MAX_TRAFFIC.toNanos();
        while (!stop.get() && sent.get() < MAX_REQUESTS && System.nanoTime() < deadline) {
            String path = sent.get() % 3 == 0 ? "/api/items" : "/";
            try {
                client.send(HttpRequest.newBuilder(URI.create(proxy + path)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                // counted like any other request; the proxy's own counters are what the page shows
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sent.incrementAndGet();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
