package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.TcpBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The admin listener's health document, with HTTP pools and with tcp listeners. */
class AdminIT {

    @Test
    void healthListsEveryBackend() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create()
                .pool("web", 3001, 3002).pool("api", 3003).build()).build().start()) {
            assertThat(sluice.adminAddress().getAddress().isLoopbackAddress()).isTrue();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode json = new ObjectMapper().readTree(res.body());
            assertThat(json.get("healthy").asBoolean()).isTrue();
            assertThat(json.get("healthy_count").asInt()).isEqualTo(3);
            assertThat(json.get("total_count").asInt()).isEqualTo(3);
            JsonNode first = json.get("backends").get(0);
            assertThat(first.get("pool").asText()).isEqualTo("web");
            assertThat(first.get("address").asText()).isEqualTo("127.0.0.1:3001");
            assertThat(first.get("healthy").asBoolean()).isTrue();
            assertThat(first.get("weight").asInt()).isEqualTo(1);
            assertThat(first.get("active_connections").asInt()).isZero();
            assertThat(json.get("backends").get(2).get("pool").asText()).isEqualTo("api");

            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void emptyPoolIsReportedUnhealthy() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("web").build()).build().start()) {
            HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = new ObjectMapper().readTree(res.body());
            assertThat(json.get("healthy").asBoolean()).isFalse();
            assertThat(json.get("total_count").asInt()).isZero();
        }
    }

    private static JsonNode get(Sluice sluice, String path) throws Exception {
        return new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static Socket echoed(InetSocketAddress a, String text) throws Exception {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        assertThat(new String(in.readNBytes(text.length()), StandardCharsets.US_ASCII)).isEqualTo(text);
        return s;
    }

    @Test
    void tcpListenersAreListedWithTheirRoutesOpenConnectionsAndRoutingResults() throws Exception {
        try (TcpBackend echo = TcpBackend.start(null);
             Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                     listeners:
                       - { name: web, bind: "127.0.0.1:0", routes: [ { pool: site } ] }
                       - name: edge
                         bind: "127.0.0.1:0"
                         protocol: tcp
                         detect_timeout: 2s
                         routes:
                           - { match: { protocol: tls, sni: [ "*.example.com" ] }, pool: echo }
                           - { match: { prefix: "GET " }, listener: web }
                           - { match: { prefix: "PING" }, pool: echo }
                         fallback: echo
                     pools:
                       - { name: site, backends: [ { address: "127.0.0.1:3001" } ] }
                       - { name: echo, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { bind: "127.0.0.1:0" }
                     """.formatted(echo.port()), "test.yaml", k -> null)).build().start()) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            try (Socket done = echoed(edge, "zzz")) { // to the fallback, then closed
                done.shutdownOutput();
                assertThat(done.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket held = echoed(edge, "PING x")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> get(sluice, "/_health")
                        .get("l4_listeners").get(0).get("total").asLong() == 1);
                JsonNode l = get(sluice, "/_health").get("l4_listeners").get(0);
                assertThat(l.get("name").asText()).isEqualTo("edge");
                assertThat(l.get("kind").asText()).isEqualTo("tcp");
                assertThat(l.get("open").asLong()).isEqualTo(1);
                assertThat(l.get("routes")).hasSize(3);
                JsonNode tls = l.get("routes").get(0);
                assertThat(tls.get("match").get("protocol").asText()).isEqualTo("tls");
                assertThat(tls.get("match").get("sni").get(0).asText()).isEqualTo("*.example.com");
                assertThat(tls.get("pool").asText()).isEqualTo("echo");
                JsonNode handOver = l.get("routes").get(1);
                assertThat(handOver.get("match").get("prefix").asText()).isEqualTo("GET ");
                assertThat(handOver.get("listener").asText()).isEqualTo("web");
                assertThat(handOver.get("pool").isNull()).isTrue();
                assertThat(l.get("fallback").get("pool").asText()).isEqualTo("echo");
                assertThat(l.get("routed").toString())
                        .isEqualTo("{\"tls\":0,\"prefix\":1,\"fallback\":1,\"closed\":0,\"rejected\":0}");

                JsonNode listed = get(sluice, "/api/listeners").get("listeners");
                assertThat(listed.get(1).get("protocol").asText()).isEqualTo("tcp");
                assertThat(listed.get(1).get("routes").get(2).get("match").get("prefix").asText()).isEqualTo("PING");
                assertThat(listed.get(1).get("fallback").get("pool").asText()).isEqualTo("echo");
                assertThat(listed.get(0).get("routes").get(0).get("pool").asText()).isEqualTo("site");

                String report = sluice.healthReport();
                assertThat(report).containsPattern("(?m)^edge +tcp +127\\.0\\.0\\.1:0 +1 +1 +prefix 1, fallback 1$")
                        .containsPattern("(?m)^edge +0 +tls, sni \\*\\.example\\.com +pool echo \\(1/1 up\\)$")
                        .containsPattern("(?m)^edge +1 +prefix \"GET \" +listener web$")
                        .containsPattern("(?m)^edge +fallback +anything else +pool echo \\(1/1 up\\)$")
                        .contains("echo  127.0.0.1:" + echo.port() + "  up");
            }
        }
    }
}
