package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium against {@link FakeAdmin}, which serves the real page and canned
 * documents in the admin API's shapes. Also writes a screenshot to {@code target/dashboard.png} (or to the
 * path in the system property {@code sluice.dashboard.screenshot}).
 */
class DashboardPageIT {
    private static final List<String> BACKENDS = List.of("web/10.0.1.11:8080", "web/10.0.1.12:8080",
            "web/10.0.1.13:8080", "api/10.0.2.21:9000", "api/10.0.2.22:9000", "static/10.0.3.31:8000");

    @BeforeAll
    static void chromium() {
        Chromium.requireBinary();
    }

    @Test
    void rendersPoolsBackendsChartsAndRoutes() throws Exception {
        try (FakeAdmin fake = FakeAdmin.start()) {
            String dom = Chromium.dumpDom(fake.url("/dashboard"), 6000);
            String body = Chromium.tag(dom, "data-state", "ok");
            assertThat(body).as("body after the refreshes; DOM was:%n%s", dom).isNotNull().startsWith("<body");
            assertThat(Chromium.attr(body, "data-error")).as("a script error").isNull();
            assertThat(Integer.parseInt(Chromium.attr(body, "data-updated"))).isGreaterThanOrEqualTo(2);
            assertThat(Chromium.tag(dom, "id", "banner")).contains(" hidden");

            assertThat(Chromium.values(dom, "data-backend")).containsExactlyElementsOf(BACKENDS);
            assertThat(Chromium.values(dom, "data-pool")).containsExactly("web", "api", "static");
            String down = Chromium.element(dom, "data-backend", "web/10.0.1.13:8080");
            assertThat(down).contains("data-health=\"down\"").contains(">DOWN<").contains("health check")
                    .contains("breaker").contains(">OPEN<");
            assertThat(Chromium.element(dom, "data-backend", "web/10.0.1.11:8080")).contains(">UP<").contains(">closed<");
            assertThat(Chromium.element(dom, "data-backend", "api/10.0.2.22:9000")).contains(">half-open<");

            for (String chart : List.of("rps", "error_rate", "latency")) {
                String svg = Chromium.tag(dom, "data-chart", chart);
                assertThat(Integer.parseInt(Chromium.attr(svg, "data-points"))).as(chart).isGreaterThan(0);
                assertThat(Chromium.element(dom, "data-chart", chart)).contains("<path");
            }
            assertThat(Chromium.values(dom, "data-listener")).containsExactly("public", "internal", "edge", "relay");
            assertThat(Chromium.values(dom, "data-route")).hasSize(9).contains("public/0", "internal/0")
                    .contains("edge/0", "edge/1", "edge/fallback");
            assertThat(Chromium.element(dom, "data-route", "public/0")).contains("host api.example.com").contains("api");
            assertThat(Chromium.element(dom, "data-route", "edge/0")).contains("tls  ·  sni *.example.com")
                    .contains("web");
            assertThat(Chromium.element(dom, "data-route", "edge/1")).contains("prefix \"GET \"")
                    .contains("listener public");
            assertThat(Chromium.element(dom, "data-route", "edge/fallback")).contains("static");
            assertThat(Chromium.element(dom, "data-l4-live", "edge")).contains("42 open").contains("connections")
                    .contains("closed 3").doesNotContain("rejected");
            assertThat(Chromium.element(dom, "data-stun-live", "relay")).contains("malformed")
                    .contains("3 allocations · 5 permissions · 1 channel · to peers 9,000 pkts, 1.5 MiB")
                    .contains("from peers 12 pkts, 1.5 KiB · 5 auth failures");
            assertThat(dom).contains("least_ewma").contains("2 / 3 up").contains("5 / 6");
            String config = Chromium.tag(dom, "id", "k-config");
            assertThat(config).as("the last reload failed after the last good one").contains("data-level=\"bad\"")
                    .contains("round_robbin").contains("4 applied").contains("1 refused");
            assertThat(Chromium.element(dom, "id", "k-config")).contains("reload failed");
        }
    }

    @Test
    void keepsTheLastDataAndSaysSoWhenTheAdminGoesAway() throws Exception {
        try (FakeAdmin fake = FakeAdmin.start().failAfter(2)) {
            String dom = Chromium.dumpDom(fake.url("/dashboard"), 6000);
            String body = Chromium.tag(dom, "data-state", "unreachable");
            assertThat(body).as("body; DOM was:%n%s", dom).isNotNull().startsWith("<body");
            assertThat(Chromium.attr(body, "data-error")).isNull();
            assertThat(Chromium.attr(body, "data-updated")).isEqualTo("2");
            assertThat(Integer.parseInt(Chromium.attr(body, "data-failures"))).isGreaterThanOrEqualTo(1);
            String banner = Chromium.element(dom, "id", "banner");
            assertThat(banner).doesNotContain(" hidden").contains("Admin API unreachable").contains("HTTP 503");
            assertThat(Chromium.values(dom, "data-backend")).containsExactlyElementsOf(BACKENDS);
            assertThat(dom).contains(">Admin unreachable<");
        }
    }

    @Test
    void worksWithAServerThatHasOnlyHealthAndPools() throws Exception {
        try (FakeAdmin fake = FakeAdmin.start().legacy()) {
            String dom = Chromium.dumpDom(fake.url("/dashboard"), 4000);
            String body = Chromium.tag(dom, "data-state", "ok");
            assertThat(body).as("body; DOM was:%n%s", dom).isNotNull().startsWith("<body");
            assertThat(Chromium.attr(body, "data-error")).as("a script error").isNull();
            assertThat(Chromium.values(dom, "data-backend")).containsExactlyElementsOf(BACKENDS);
            assertThat(Chromium.attr(Chromium.tag(dom, "data-chart", "rps"), "data-points")).isEqualTo("0");
            assertThat(dom).contains("No history from this server").contains("does not report listeners")
                    .contains("least_ewma");
            assertThat(Chromium.element(dom, "data-backend", "web/10.0.1.13:8080")).contains(">DOWN<");
        }
    }

    @Test
    void screenshot() throws Exception {
        Path png = Path.of(System.getProperty("sluice.dashboard.screenshot", "target/dashboard.png"));
        try (FakeAdmin fake = FakeAdmin.start()) {
            Chromium.screenshot(fake.url("/dashboard"), png, 1366, 768, 4000);
        }
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(10_000);
        assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
