package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.TcpBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 4: where a tcp listener sends what its routes do not take. Unmatched bytes, and a matched route
 * whose pool has no usable backend (drained through the admin API, or down by its health check), go to the
 * fallback with every byte; with no fallback the connection is closed, and {@code sluice_l4_routed_total}
 * counts each connection once, by where it really went.
 */
class L4FallbackIT {
    private static final String SSH_CLIENT = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

    private TcpBackend ssh;
    private TcpBackend other;
    private int dead;
    private Sluice sluice;

    @BeforeEach
    void start() throws Exception {
        ssh = TcpBackend.start("ssh\n");
        other = TcpBackend.start("fallback\n");
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        // edge and bare route alike; only edge has a fallback
        String routes = """
                    detect_timeout: 300ms
                    routes:
                      - { match: { protocol: ssh }, pool: ssh }
                      - { match: { prefix: "PING" }, pool: checked }
                """;
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: edge
                    bind: "127.0.0.1:0"
                    protocol: tcp
                %s    fallback: other
                  - name: bare
                    bind: "127.0.0.1:0"
                    protocol: tcp
                %spools:
                  - { name: ssh, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - name: checked
                    protocol: tcp
                    health_check: { type: tcp, interval: 100ms, timeout: 1s, unhealthy_threshold: 1 }
                    backends: [ { address: "127.0.0.1:%d" } ]
                  - { name: other, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                admin: { bind: "127.0.0.1:0" }
                """.formatted(routes, routes, ssh.port(), dead, other.port()), "test.yaml", k -> null)).build().start();
    }

    @AfterEach
    void stop() throws IOException {
        sluice.close();
        ssh.close();
        other.close();
    }

    private InetSocketAddress at(String listener) {
        return sluice.listenerAddress(listener);
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code text}, shuts the output, returns all read until the proxy closes. */
    private static String exchange(InetSocketAddress a, String text) throws IOException {
        try (Socket s = connect(a)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> spoken(TcpBackend b) {
        return b.receivedText().stream().filter(t -> !t.isEmpty()).toList();
    }

    private MetricsScrape metrics() throws Exception {
        return MetricsScrape.of(sluice.adminAddress());
    }

    /** Waits until {@code n} connections through the listener have ended, then checks each was routed once. */
    private MetricsScrape ended(String listener, int n) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().sum("sluice_l4_listener_connections_total",
                Map.of("listener", listener)) == n);
        MetricsScrape m = metrics();
        assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", listener)))
                .as("one routing result per connection:\n" + m).isEqualTo(n);
        return m;
    }

    private static double routed(MetricsScrape m, String listener, String result) {
        return m.sum("sluice_l4_routed_total", Map.of("listener", listener, "result", result));
    }

    private void drainSsh() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + sluice.adminAddress().getPort() + "/api/pools/ssh/backends/127.0.0.1:" + ssh.port() + "/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void unmatchedBytesGoToTheFallback() throws Exception {
        assertThat(exchange(at("edge"), "hello? anyone?")).isEqualTo("fallback\nhello? anyone?");
        assertThat(exchange(at("edge"), SSH_CLIENT)).isEqualTo("ssh\n" + SSH_CLIENT);
        assertThat(spoken(other)).containsExactly("hello? anyone?");
        assertThat(spoken(ssh)).containsExactly(SSH_CLIENT);
        MetricsScrape m = ended("edge", 2);
        assertThat(routed(m, "edge", "fallback")).isEqualTo(1);
        assertThat(routed(m, "edge", "ssh")).isEqualTo(1);
    }

    @Test
    void aRouteWhosePoolIsDrainedGivesWayToTheFallback() throws Exception {
        drainSsh();
        assertThat(exchange(at("edge"), SSH_CLIENT + "more")).isEqualTo("fallback\n" + SSH_CLIENT + "more");
        assertThat(spoken(other)).containsExactly(SSH_CLIENT + "more");
        assertThat(spoken(ssh)).as("the drained backend").isEmpty();
        MetricsScrape m = ended("edge", 1);
        assertThat(routed(m, "edge", "fallback")).isEqualTo(1);
        assertThat(routed(m, "edge", "ssh")).isZero();
    }

    @Test
    void aRouteWhosePoolIsDownByItsHealthCheckGivesWayToTheFallback() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().sum("sluice_backend_up",
                Map.of("pool", "checked")) == 0);
        assertThat(exchange(at("edge"), "PING x")).isEqualTo("fallback\nPING x");
        assertThat(spoken(other)).containsExactly("PING x");
        MetricsScrape m = ended("edge", 1);
        assertThat(routed(m, "edge", "fallback")).isEqualTo(1);
        assertThat(routed(m, "edge", "prefix")).isZero();
    }

    @Test
    void aSilentClientServedByTheFallbackEndsAsItEnds() throws Exception {
        try (Socket s = connect(at("edge"))) {
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(9), StandardCharsets.ISO_8859_1)).isEqualTo("fallback\n");
            s.getOutputStream().write("late".getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("late");
        }
        MetricsScrape m = ended("edge", 1);
        assertThat(routed(m, "edge", "fallback")).isEqualTo(1);
        assertThat(m.sum("sluice_l4_listener_ended_total", Map.of("listener", "edge", "end", "closed")))
                .as("the detect timeout sent it on; it did not end it:\n" + m).isEqualTo(1);
    }

    @Test
    void withNoFallbackTheConnectionIsClosedAndCountedAsClosed() throws Exception {
        assertThat(exchange(at("bare"), "hello? anyone?")).as("closed without a byte").isEmpty();
        try (Socket silent = connect(at("bare"))) { // nothing by detect_timeout: closed too
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
        drainSsh();
        assertThat(exchange(at("bare"), SSH_CLIENT)).as("its route's pool has no usable backend").isEmpty();
        assertThat(spoken(ssh)).isEmpty();
        assertThat(spoken(other)).isEmpty();
        MetricsScrape m = ended("bare", 3);
        assertThat(routed(m, "bare", "closed")).isEqualTo(3);
        assertThat(routed(m, "bare", "ssh")).isZero();
        Map<String, String> bare = Map.of("listener", "bare");
        assertThat(m.sum("sluice_l4_listener_ended_total", Map.of("listener", "bare", "end", "no_route"))).isEqualTo(1);
        assertThat(m.sum("sluice_l4_listener_ended_total", Map.of("listener", "bare", "end", "detect_timeout")))
                .isEqualTo(1);
        assertThat(m.sum("sluice_l4_listener_ended_total", Map.of("listener", "bare", "end", "no_backend")))
                .isEqualTo(1);
        assertThat(m.sum("sluice_l4_listener_received_bytes_total", bare))
                .isEqualTo("hello? anyone?".length() + SSH_CLIENT.length());
        assertThat(m.sum("sluice_l4_listener_sent_bytes_total", bare)).isZero();
    }
}
