package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.RecordingBackend;
import io.sluice.testing.TcpBackend;
import io.sluice.testing.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 3: one tcp port hands TLS to an https listener and plain HTTP (and h2c) to an http listener of
 * the same Sluice, in-process on the accepted socket, while SSH on that port goes to a TCP pool. Checked with
 * curl (HTTP/2 and HTTP/1.1 over TLS, HTTP/1.1 and HTTP/2 prior knowledge in clear) and with what the backend
 * and the metrics saw: the client's address, the tcp port as the port the request came in on, and one client
 * connection where a loopback hop would make two.
 */
class L4HandOverIT {
    private static final String SSH_BANNER = "SSH-2.0-TestServer\r\n";
    private static final String SSH_CLIENT = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued cert;

    private RecordingBackend site;
    private TcpBackend ssh;
    private Sluice sluice;
    private int edge;

    @BeforeAll
    static void certificates() {
        ca = TestCerts.ca(dir, "Hand-over CA");
        cert = ca.issue(dir, "localhost", List.of("DNS:localhost", "IP:127.0.0.1"));
    }

    @BeforeEach
    void start() throws Exception {
        site = new RecordingBackend();
        ssh = TcpBackend.start(SSH_BANNER);
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    protocol: https
                    tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                    routes: [ { pool: site } ]
                  - name: web_plain
                    bind: "127.0.0.1:0"
                    routes: [ { pool: site } ]
                  - name: edge
                    bind: "127.0.0.1:0"
                    protocol: tcp
                    detect_timeout: 2s
                    routes:
                      - { match: { protocol: tls }, listener: web }
                      - { match: { protocol: http }, listener: web_plain }
                      - { match: { protocol: h2c }, listener: web_plain }
                      - { match: { protocol: ssh }, pool: ssh }
                pools:
                  - { name: site, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: ssh, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                admin: { bind: "127.0.0.1:0" }
                """.formatted(cert.cert(), cert.key(), site.port(), ssh.port()), "test.yaml", k -> null))
                .build().start();
        edge = sluice.listenerAddress("edge").getPort();
        assertThat(edge).isNotEqualTo(sluice.listenerAddress("web").getPort())
                .isNotEqualTo(sluice.listenerAddress("web_plain").getPort());
    }

    @AfterEach
    void stop() throws IOException {
        if (sluice != null) {
            sluice.close();
        }
        site.close();
        ssh.close();
    }

    /** curl with these options against a URL on the tcp port; its body, then "\n<status> <http version>". */
    private String curl(String... args) throws Exception {
        Path curl = Command.require("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "20", "--cacert",
                ca.cert().toString(), "-w", "\n%{http_code} %{http_version}"));
        cmd.addAll(List.of(args));
        Command.Result r = Command.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output();
    }

    private MetricsScrape metrics() throws Exception {
        return MetricsScrape.of(sluice.adminAddress());
    }

    @Test
    void curlGetsTheBackendsAnswerThroughTheTcpPortOverTlsAndInClear() throws Exception {
        assertThat(curl("--http2", "https://127.0.0.1:" + edge + "/tls-h2")).endsWith("\n200 2");
        assertThat(curl("--http1.1", "https://127.0.0.1:" + edge + "/tls-h1")).endsWith("\n200 1.1");
        assertThat(curl("http://127.0.0.1:" + edge + "/plain")).endsWith("\n200 1.1");
        assertThat(curl("--http2-prior-knowledge", "http://127.0.0.1:" + edge + "/h2c")).endsWith("\n200 2");

        List<RecordingBackend.Request> seen = site.requests();
        assertThat(seen).extracting(RecordingBackend.Request::requestLine).containsExactly(
                "GET /tls-h2 HTTP/1.1", "GET /tls-h1 HTTP/1.1", "GET /plain HTTP/1.1", "GET /h2c HTTP/1.1");
        assertThat(seen).allSatisfy(r -> {
            assertThat(r.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(r.header("X-Forwarded-Port")).as("the port the client connected to").isEqualTo("" + edge);
        });
        assertThat(seen).extracting(r -> r.header("X-Forwarded-Proto"))
                .containsExactly("https", "https", "http", "http");

        MetricsScrape m = metrics();
        assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "tls"))).isEqualTo(2);
        assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "http"))).isEqualTo(1);
        assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "h2c"))).isEqualTo(1);
        assertThat(m.sum("sluice_listener_requests_total", Map.of("listener", "web"))).isEqualTo(2);
        assertThat(m.sum("sluice_listener_requests_total", Map.of("listener", "web_plain"))).isEqualTo(2);
    }

    /** Reads one HTTP/1.1 response with a Content-Length; its head and body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aHandedOverConnectionIsTheClientsOwnSocketNotASecondOne() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", edge);
             SSLSocket s = (SSLSocket) TestCerts.trusting(ca).getSocketFactory()
                     .createSocket(plain, "localhost", edge, true)) {
            plain.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            OutputStream out = s.getOutputStream();
            out.write("GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            // still open (keep-alive): one client connection in all, counted by the tcp listener and by the https one
            assertThat(sluice.clientConnections()).isEqualTo(1);
            MetricsScrape m = metrics();
            assertThat(m.sum("sluice_l4_listener_open_connections", Map.of("listener", "edge"))).isEqualTo(1);
            assertThat(m.sum("sluice_listener_open_connections", Map.of("listener", "web"))).isEqualTo(1);
            assertThat(m.sum("sluice_listener_open_connections", Map.of("listener", "web_plain"))).isZero();
            out.write("GET /again HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
        assertThat(site.requests()).extracting(RecordingBackend.Request::requestLine)
                .containsExactly("GET /held HTTP/1.1", "GET /again HTTP/1.1");
        assertThat(site.requests()).allSatisfy(r -> {
            assertThat(r.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(r.header("X-Forwarded-Port")).isEqualTo("" + edge);
        });
    }

    @Test
    void sshOnTheSamePortGoesToItsPool() throws Exception {
        try (Socket s = new Socket("127.0.0.1", edge)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(SSH_CLIENT.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(SSH_BANNER.length()), StandardCharsets.US_ASCII)).isEqualTo(SSH_BANNER);
            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(SSH_CLIENT);
        }
        assertThat(ssh.receivedText()).filteredOn(t -> !t.isEmpty()).containsExactly(SSH_CLIENT);
        assertThat(site.connections()).isZero();
        assertThat(metrics().sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "ssh")))
                .isEqualTo(1);
    }
}
