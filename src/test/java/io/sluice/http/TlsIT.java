package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.HostPort;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.ListenerTlsConfig.ClientAuth;
import io.sluice.config.PoolConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.config.UpstreamTlsConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.H2Backend;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2Response;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestCerts;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination with two certificates chosen by SNI, checked with the openssl and curl commands; HTTP/2
 * and HTTP/1.1 over TLS; wss; the HTTP redirect; and HTTPS (and HTTP/2 over TLS) towards backends with
 * verification, SNI and a client certificate.
 */
class TlsIT {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued first;
    static TestCerts.Issued wild;
    static TestCerts.Issued client;
    static DemoBackend backend;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCerts.ca(dir, "Sluice Test CA");
        first = ca.issue(dir, "a.test", List.of("DNS:a.test", "DNS:localhost", "IP:127.0.0.1"));
        wild = ca.issue(dir, "wild.test", List.of("DNS:*.wild.test", "DNS:b.test"));
        client = ca.issue(dir, "client.test", List.of("DNS:client.test"));
        backend = DemoBackend.start("127.0.0.1", 0, "demo");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static ListenerTlsConfig twoCertificates() {
        return new ListenerTlsConfig(List.of(first.tls(), wild.tls()), ListenerTlsConfig.DEFAULT_PROTOCOLS,
                ListenerTlsConfig.DEFAULT_ALPN, ClientAuth.NONE, null);
    }

    private static Sluice httpsProxy() throws InterruptedException {
        return Sluice.builder().config(TestConfigs.create().tls(twoCertificates()).pool("p", backend.port()).build())
                .build().start();
    }

    /** The subject of the certificate the server shows for this SNI name (null: send none). */
    private static String subjectFor(int port, String sni) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        if (sni == null) {
            cmd.add("-noservername");
        } else {
            cmd.addAll(List.of("-servername", sni));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : out.split("\n")) {
            if (line.startsWith("subject=")) {
                return line.substring("subject=".length()).replace(" ", "");
            }
        }
        throw new AssertionError("no subject in openssl s_client output:\n" + out);
    }

    private static String curl(String version, String host, int port, String path) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", version, "--cacert", ca.cert().toString(), "--resolve",
                host + ":" + port + ":127.0.0.1", "-w", "\n%{http_code} %{http_version}",
                "https://" + host + ":" + port + path).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void eachSniNameGetsItsOwnCertificateAndUnknownNamesTheDefault() throws Exception {
        try (Sluice sluice = httpsProxy()) {
            int port = sluice.listenerAddress("web").getPort();
            assertThat(subjectFor(port, "a.test")).isEqualTo("CN=a.test");
            assertThat(subjectFor(port, "b.test")).isEqualTo("CN=wild.test");
            assertThat(subjectFor(port, "api.wild.test")).isEqualTo("CN=wild.test");
            assertThat(subjectFor(port, "unknown.test")).isEqualTo("CN=a.test");
            assertThat(subjectFor(port, null)).isEqualTo("CN=a.test");
        }
    }

    @Test
    void curlGetsAnswersOverHttp2AndHttp11WithEitherCertificate() throws Exception {
        try (Sluice sluice = httpsProxy()) {
            int port = sluice.listenerAddress("web").getPort();
            for (String host : List.of("a.test", "b.test", "x.wild.test")) {
                String h2 = curl("--http2", host, port, "/headers");
                assertThat(h2).endsWith("200 2").contains("\"x-forwarded-proto\":[\"https\"]")
                        .contains("\"host\":[\"" + host + ":" + port + "\"]");
                String h1 = curl("--http1.1", host, port, "/headers");
                assertThat(h1).endsWith("200 1.1").contains("\"x-forwarded-proto\":[\"https\"]");
            }
        }
    }

    @Test
    void aHundredStreamsOnOneTlsConnection() throws Exception {
        try (Sluice sluice = httpsProxy();
             H2Client h2 = H2Client.connect("127.0.0.1", sluice.listenerAddress("web").getPort(),
                     H2Client.tlsTrusting(ca.cert()), "a.test")) {
            assertThat(h2.applicationProtocol()).isEqualTo("h2");
            List<CompletableFuture<H2Response>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(h2.request("POST", "/echo", "a.test", Map.of(), ("tls stream " + i).getBytes()));
            }
            for (int i = 0; i < 100; i++) {
                H2Response r = answers.get(i).get(20, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("tls stream " + i);
            }
            assertThat(sluice.clientConnections()).isEqualTo(1);
        }
    }

    @Test
    void theJdkClientSpeaksHttp2OverTls() throws Exception {
        try (Sluice sluice = httpsProxy()) {
            HttpClient jdk = HttpClient.newBuilder().sslContext(TestCerts.trusting(ca)).build();
            HttpResponse<String> r = jdk.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                    + sluice.listenerAddress("web").getPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void wssCarriesAThousandMessages() throws Exception {
        try (io.sluice.testing.WsEchoBackend ws = new io.sluice.testing.WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().tls(twoCertificates())
                     .pool("p", ws.port()).build()).build().start()) {
            io.sluice.testing.WsCollector c = new io.sluice.testing.WsCollector();
            WebSocket socket = HttpClient.newBuilder().sslContext(TestCerts.trusting(ca)).build().newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + sluice.listenerAddress("web").getPort() + "/ws"), c)
                    .get(10, TimeUnit.SECONDS);
            WebSocketIT.exchange(socket, c, 1000);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            assertThat(c.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
            assertThat(ws.messages()).isEqualTo(1000);
        }
    }

    @Test
    void thePlainListenerRedirectsToHttps() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().tls(twoCertificates())
                .redirectFrom(new HostPort("127.0.0.1", 0)).pool("p", backend.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.redirectAddress("web"))) {
            int port = sluice.listenerAddress("web").getPort();
            RawHttp.Response r = c.send("GET /shop/cart?id=7 HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("https://shop.test:" + port + "/shop/cart?id=7");
            RawHttp.Response again = c.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n").read();
            assertThat(again.header("Location")).isEqualTo("https://shop.test:" + port + "/");
            RawHttp.Response noHost = c.send("GET / HTTP/1.0\r\n\r\n").read();
            assertThat(noHost.status()).isEqualTo(400);
        }
    }

    /** A Sluice that terminates TLS, asks for a client certificate from the test CA, and proxies to the demo backend. */
    private static Sluice mtlsBackend() throws InterruptedException {
        ListenerTlsConfig tls = new ListenerTlsConfig(List.of(first.tls()), ListenerTlsConfig.DEFAULT_PROTOCOLS,
                List.of("http/1.1"), ClientAuth.REQUIRE, ca.cert());
        return Sluice.builder().config(TestConfigs.create().tls(tls).pool("p", backend.port()).build()).build().start();
    }

    private static Sluice frontTo(int port, UpstreamTlsConfig tls) throws InterruptedException {
        PoolConfig pool = PoolConfig.builder("secure").tls(tls).backends(TestConfigs.backends(port)).build();
        return Sluice.builder().config(TestConfigs.create().pool(pool).build()).build().start();
    }

    private static int get(Sluice front, String path) throws Exception {
        try (RawHttp c = new RawHttp(front.listenerAddress("web"))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
        }
    }

    @Test
    void httpsBackendsAreVerifiedAndShownAClientCertificate() throws Exception {
        try (Sluice back = mtlsBackend()) {
            int port = back.listenerAddress("web").getPort();
            try (Sluice ok = frontTo(port, new UpstreamTlsConfig(true, ca.cert(), "a.test", client.cert(), client.key()))) {
                assertThat(get(ok, "/health")).isEqualTo(200);
                try (RawHttp c = new RawHttp(ok.listenerAddress("web"))) {
                    RawHttp.Response r = c.send("GET /headers HTTP/1.1\r\nHost: x\r\n\r\n").read();
                    // The inner Sluice saw a TLS client: it says so to the demo backend.
                    assertThat(r.body()).contains("\"x-forwarded-proto\":[\"https\"]");
                }
            }
            try (Sluice noClientCert = frontTo(port, new UpstreamTlsConfig(true, ca.cert(), "a.test", null, null))) {
                assertThat(get(noClientCert, "/health")).isEqualTo(502);
            }
            try (Sluice wrongName = frontTo(port, new UpstreamTlsConfig(true, ca.cert(), "evil.test",
                    client.cert(), client.key()))) {
                assertThat(get(wrongName, "/health")).isEqualTo(502);
            }
            try (Sluice defaultTrust = frontTo(port, new UpstreamTlsConfig(true, null, "a.test",
                    client.cert(), client.key()))) {
                assertThat(get(defaultTrust, "/health")).as("the test CA is not in the JDK's trust store").isEqualTo(502);
            }
            try (Sluice unverified = frontTo(port, new UpstreamTlsConfig(false, null, "evil.test",
                    client.cert(), client.key()))) {
                assertThat(get(unverified, "/health")).isEqualTo(200);
            }
        }
    }

    @Test
    void grpcOverHttp2WithTlsOnBothSides() throws Exception {
        try (H2Backend grpc = new H2Backend(H2Backend.serverTls(first.cert(), first.key()));
             Sluice sluice = Sluice.builder().config(TestConfigs.create().tls(twoCertificates())
                     .pool(PoolConfig.builder("grpc").protocol(UpstreamProtocol.H2)
                             .tls(new UpstreamTlsConfig(true, ca.cert(), "a.test", null, null))
                             .backends(TestConfigs.backends(grpc.port())).build()).build()).build().start();
             H2Client h2 = H2Client.connect("127.0.0.1", sluice.listenerAddress("web").getPort(),
                     H2Client.tlsTrusting(ca.cert()), "b.test")) {
            byte[] msg = H2Backend.grpcMessage("over tls");
            H2Response r = h2.request("POST", "/echo", "b.test", Map.of("content-type", "application/grpc",
                    "te", "trailers"), msg).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.grpcMessages()).containsExactly("over tls");
            assertThat(r.trailer("grpc-status")).isEqualTo("0");
            assertThat(grpc.lastSniHostname()).isEqualTo("a.test");
        }
    }

    @Test
    void sessionsAreResumed() throws Exception {
        try (Sluice sluice = httpsProxy()) {
            String at = "127.0.0.1:" + sluice.listenerAddress("web").getPort();
            // TLS 1.2: the session id is cached on the server; openssl reconnects five times with it.
            assertThat(openssl(null, "s_client", "-connect", at, "-servername", "a.test", "-tls1_2", "-reconnect"))
                    .contains("Reused, TLSv1.2");
            // TLS 1.3: a ticket arrives after the handshake, so the first connection makes a request and
            // reads its answer before the ticket is saved and offered again.
            Path session = dir.resolve("tls13.session");
            assertThat(openssl("GET /health HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "s_client",
                    "-connect", at, "-servername", "a.test", "-tls1_3", "-alpn", "http/1.1", "-ign_eof", "-sess_out",
                    session.toString())).contains("New, TLSv1.3").contains("HTTP/1.1 200");
            assertThat(openssl(null, "s_client", "-connect", at, "-servername", "a.test", "-tls1_3", "-sess_in",
                    session.toString())).contains("Reused, TLSv1.3");
        }
    }

    /** Runs the openssl command with {@code input} (or nothing) on its standard input; its output. */
    private static String openssl(String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.US_ASCII));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
