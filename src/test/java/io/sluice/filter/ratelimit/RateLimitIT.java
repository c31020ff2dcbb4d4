package io.sluice.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rate limits and the per-IP connection limit through a real listener: what a client sees (429, Retry-After,
 * the RateLimit headers, closed connections) and what {@code /metrics} counts.
 */
class RateLimitIT {

    private static RawHttp.Response get(RawHttp c, String path, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return c.send(sb.append("\r\n").toString()).read();
    }

    @Test
    void aBurstPassesThenTheClientGets429WithRetryAfterAndRateLimitHeaders() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                     listeners:
                       - name: web
                         bind: "127.0.0.1:0"
                         routes:
                           - match: { path_prefix: /ip }
                             pool: p
                             filters: [ { rate_limit: { requests_per_second: 0.01, burst: 3, name: per-ip } } ]
                           - match: { path_prefix: /key }
                             pool: p
                             filters:
                               - rate_limit: { requests_per_second: 0.01, burst: 2, key: "header:X-Api-Key" }
                     pools: [ { name: p, backends: [ { address: "127.0.0.1:%d" } ] } ]
                     admin: { bind: "127.0.0.1:0" }
                     """.formatted(backend.port()), "test.yaml", n -> null)).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int left = 2; left >= 0; left--) {
                RawHttp.Response r = get(c, "/ip");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("RateLimit-Policy")).isEqualTo("\"per-ip\";q=3;w=300");
                assertThat(r.header("RateLimit")).isEqualTo("\"per-ip\";r=" + left + ";t=" + (3 - left) * 100);
            }
            RawHttp.Response refused = get(c, "/ip");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body()).isEqualTo("429 Too Many Requests\n");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 100L);
            assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"per-ip\";q=3;w=300");
            assertThat(refused.header("RateLimit")).isEqualTo("\"per-ip\";r=0;t=300");
            assertThat(backend.requests()).hasSize(3); // the refused one never reached it
            assertThat(get(c, "/ip").status()).as("the connection stays usable").isEqualTo(429);

            // by header: each key has its own bucket; requests without the header share one
            for (String key : List.of("a", "b")) {
                assertThat(get(c, "/key", "X-Api-Key: " + key).status()).isEqualTo(200);
                assertThat(get(c, "/key", "X-Api-Key: " + key).status()).isEqualTo(200);
                assertThat(get(c, "/key", "X-Api-Key: " + key).status()).isEqualTo(429);
            }
            assertThat(get(c, "/key").status()).isEqualTo(200);
            assertThat(get(c, "/key").status()).isEqualTo(200);
            assertThat(get(c, "/key").status()).isEqualTo(429);

            MetricsScrape m = MetricsScrape.of(sluice.adminAddress());
            assertThat(m.sum("sluice_filter_rate_limited_total",
                    Map.of("listener", "web", "route", "0", "filter", "rate_limit"))).isEqualTo(2);
            assertThat(m.sum("sluice_filter_rate_limited_total",
                    Map.of("listener", "web", "route", "1", "filter", "rate_limit"))).isEqualTo(3);
        }
    }

    @Test
    void theShortFormsTopLevelRateLimitLimits() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                     listen: "127.0.0.1:0"
                     backends: ["127.0.0.1:%d"]
                     rate_limit:
                       requests_per_second: 100
                       burst: 200
                     """.formatted(backend.port()), "test.yaml", n -> null)).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("default"))) {
            int n = 400;
            c.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n".repeat(n)); // pipelined: faster than the refill
            int passed = 0;
            int refused = 0;
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.read();
                if (r.status() == 200) {
                    passed++;
                } else {
                    assertThat(r.status()).isEqualTo(429);
                    refused++;
                }
            }
            assertThat(passed).isGreaterThanOrEqualTo(200);
            assertThat(refused).isPositive();
        }
    }

    @Test
    void maxConnectionsPerIpClosesTheConnectionOverTheLimit() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                     listeners:
                       - { name: web, bind: "127.0.0.1:0", max_connections_per_ip: 2, routes: [ { pool: p } ] }
                     pools: [ { name: p, backends: [ { address: "127.0.0.1:%d" } ] } ]
                     admin: { bind: "127.0.0.1:0" }
                     """.formatted(backend.port()), "test.yaml", n -> null)).build().start()) {
            InetSocketAddress web = sluice.listenerAddress("web");
            List<RawHttp> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawHttp c = new RawHttp(web);
                    open.add(c);
                    assertThat(get(c, "/").status()).isEqualTo(200);
                }
                try (Socket third = new Socket(web.getAddress(), web.getPort())) {
                    third.setSoTimeout(10_000);
                    assertThat(readOrReset(third.getInputStream())).as("closed without a byte").isEqualTo(-1);
                }
                assertThat(MetricsScrape.of(sluice.adminAddress()).sum("sluice_listener_per_ip_refused_total",
                        Map.of("listener", "web"))).isEqualTo(1);
                assertThat(get(open.get(0), "/").status()).as("those let in go on").isEqualTo(200);

                open.remove(0).close();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (RawHttp c = new RawHttp(web)) {
                        return get(c, "/").status() == 200;
                    } catch (IOException e) {
                        return false; // still counted: the close has not reached the listener yet
                    }
                });
            } finally {
                for (RawHttp c : open) {
                    c.close();
                }
            }
        }
    }

    /** -1 at end of stream or a reset; the first byte otherwise. */
    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1;
        }
    }
}
