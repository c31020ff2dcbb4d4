package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dashboard response: headers, and that each response owns exactly one reference to shared bytes. */
class DashboardPageTest {

    @Test
    void servesThePageWithStrictHeaders() {
        FullHttpResponse r = DashboardPage.response();
        try {
            assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(r.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.headers().get("cache-control")).isEqualTo("no-cache");
            assertThat(r.headers().get("x-content-type-options")).isEqualTo("nosniff");
            assertThat(r.headers().getInt("content-length")).isEqualTo(r.content().readableBytes())
                    .isEqualTo(DashboardPage.length());
            String csp = r.headers().get("content-security-policy");
            assertThat(csp).startsWith("default-src 'none';").contains("connect-src 'self'")
                    .contains("script-src 'self' 'unsafe-inline'").doesNotContain("http:").doesNotContain("*");
            String page = r.content().toString(StandardCharsets.UTF_8);
            assertThat(page).startsWith("<!doctype html>").contains("data-chart=\"rps\"");
        } finally {
            r.release();
        }
    }

    @Test
    void pageShowsTcpAndUdpListenersWithTheirLiveFigures() {
        FullHttpResponse r = DashboardPage.response();
        try {
            String page = r.content().toString(StandardCharsets.UTF_8);
            // routes of L4 listeners come from /api/listeners; open, totals and routing results from /_health
            assertThat(page).contains("describeL4Match").contains("l4_listeners").contains("data-l4-live")
                    .contains("routeItem(l, 'fallback'").contains("'any connection'");
        } finally {
            r.release();
        }
    }

    @Test
    void pageShowsStunAndTurnListenersWithTheirCounters() {
        FullHttpResponse r = DashboardPage.response();
        try {
            String page = r.content().toString(StandardCharsets.UTF_8);
            // counters of stun and turn listeners come from /_health's stun_listeners each refresh
            assertThat(page).contains("stun_listeners").contains("data-stun-live").contains("'allocation'")
                    .contains("t.packets_to_peers").contains("t.bytes_from_peers").contains("'auth failure'");
        } finally {
            r.release();
        }
    }

    @Test
    void pageMakesNoRequestsToOtherOrigins() {
        FullHttpResponse r = DashboardPage.response();
        try {
            String page = r.content().toString(StandardCharsets.UTF_8);
            // the only absolute URL allowed is the SVG namespace, which is a name and never fetched
            assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://")
                    .doesNotContain("https://").doesNotContain("src=\"//");
        } finally {
            r.release();
        }
    }

    @Test
    void eachResponseIsIndependent() {
        FullHttpResponse a = DashboardPage.response();
        FullHttpResponse b = DashboardPage.response();
        assertThat(a.content()).isNotSameAs(b.content());
        a.content().skipBytes(10);
        assertThat(b.content().readerIndex()).isZero();
        assertThat(a.release()).isTrue();
        assertThat(b.refCnt()).isEqualTo(1);
        assertThat(b.release()).isTrue();
        FullHttpResponse c = DashboardPage.response();
        assertThat(c.content().readableBytes()).isEqualTo(DashboardPage.length());
        c.release();
    }
}
