package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.TcpBackend;
import io.sluice.testing.TestCerts;
import io.sluice.testing.TlsBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 2: one tcp port told apart by the client's first bytes, SSH (a test exchange and the real
 * {@code ssh} client), TLS passed through by server name to backends that show their own certificates,
 * HTTP/1.1, h2c and a Postgres SSLRequest, each to its own backend with every byte replayed exactly; garbage,
 * silence and a flood that fills the detect buffer go to the fallback, every byte too.
 */
class L4DetectIT {
    private static final String SSH_BANNER = "SSH-2.0-TestServer\r\n";
    private static final String SSH_CLIENT = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued certA;
    static TestCerts.Issued certWild;

    private TcpBackend ssh;
    private TcpBackend http;
    private TcpBackend h2c;
    private TcpBackend postgres;
    private TcpBackend other;
    private TlsBackend tlsA;
    private TlsBackend tlsWild;
    private Sluice sluice;

    @BeforeAll
    static void certificates() {
        ca = TestCerts.ca(dir, "L4 Test CA");
        certA = ca.issue(dir, "a.test", List.of("DNS:a.test"));
        certWild = ca.issue(dir, "wild.test", List.of("DNS:*.wild.test"));
    }

    @BeforeEach
    void backends() throws Exception {
        ssh = TcpBackend.start(SSH_BANNER);
        http = TcpBackend.start(null);
        h2c = TcpBackend.start(null);
        postgres = TcpBackend.start("N"); // a server without TLS answers an SSLRequest with 'N'
        other = TcpBackend.start("fallback\n");
        tlsA = TlsBackend.start("a", certA);
        tlsWild = TlsBackend.start("wild", certWild);
    }

    @AfterEach
    void stop() throws IOException {
        if (sluice != null) {
            sluice.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {ssh, http, h2c, postgres, other, tlsA, tlsWild}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** One tcp listener with a route per protocol and the fallback {@code other}. */
    private InetSocketAddress start(String detectTimeout, String detectBuffer) throws Exception {
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: edge
                    bind: "127.0.0.1:0"
                    protocol: tcp
                    detect_timeout: %s
                    detect_buffer: %s
                    routes:
                      - { match: { protocol: tls, sni: "a.test" }, pool: tls_a }
                      - { match: { protocol: tls, sni: "*.wild.test" }, pool: tls_wild }
                      - { match: { protocol: ssh }, pool: ssh }
                      - { match: { protocol: http }, pool: http }
                      - { match: { protocol: h2c }, pool: h2c }
                      - { match: { protocol: postgres }, pool: postgres }
                    fallback: other
                pools:
                  - { name: tls_a, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: tls_wild, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: ssh, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: http, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: h2c, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: postgres, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: other, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                admin: { bind: "127.0.0.1:0" }
                """.formatted(detectTimeout, detectBuffer, tlsA.port(), tlsWild.port(), ssh.port(), http.port(),
                h2c.port(), postgres.port(), other.port()), "test.yaml", k -> null)).build().start();
        return sluice.listenerAddress("edge");
    }

    private InetSocketAddress start() throws Exception {
        return start("2s", "16KiB");
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code bytes} (from another thread), shuts the output and returns all read until EOF. */
    private static byte[] exchange(InetSocketAddress a, byte[] bytes) throws Exception {
        try (Socket s = connect(a)) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(bytes);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] got = s.getInputStream().readAllBytes();
            sent.get(10, TimeUnit.SECONDS);
            return got;
        }
    }

    /** The bytes of each connection the backend served that sent anything (TCP probes send nothing). */
    private static List<byte[]> spoken(TcpBackend b) {
        return b.received().stream().filter(r -> r.length > 0).toList();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private double routed(String result) throws Exception {
        return MetricsScrape.of(sluice.adminAddress()).sum("sluice_l4_routed_total",
                Map.of("listener", "edge", "result", result));
    }

    @Test
    void anSshClientIsRoutedBySshAndTheServerGreetsItFirst() throws Exception {
        InetSocketAddress edge = start();
        try (Socket s = connect(edge)) {
            s.getOutputStream().write(ascii(SSH_CLIENT));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(SSH_BANNER.length()), StandardCharsets.ISO_8859_1))
                    .isEqualTo(SSH_BANNER);
            assertThat(new String(in.readNBytes(SSH_CLIENT.length()), StandardCharsets.ISO_8859_1))
                    .as("the identification line, echoed by the ssh backend").isEqualTo(SSH_CLIENT);
            s.getOutputStream().write(ascii("kexinit..."));
            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("kexinit...");
        }
        assertThat(spoken(ssh)).singleElement().satisfies(b -> assertThat(b).isEqualTo(ascii(SSH_CLIENT + "kexinit...")));
        assertThat(spoken(other)).isEmpty();
        assertThat(routed("ssh")).isEqualTo(1);
    }

    @Test
    void theRealSshClientsIdentificationReachesTheSshBackend() throws Exception {
        Path binary = Command.require("ssh", "openssh-client");
        String version = Command.run(Duration.ofSeconds(20), List.of(binary.toString(), "-V")).output().strip();
        String software = version.split("[ ,]")[0]; // e.g. OpenSSH_9.2p1
        assertThat(software).startsWith("OpenSSH_");
        InetSocketAddress edge = start();
        Command.Result r = Command.run(Duration.ofSeconds(60), List.of(binary.toString(), "-F", "/dev/null",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", "-p", Integer.toString(edge.getPort()), "test@127.0.0.1", "true"));
        assertThat(r.exit()).as("no real SSH server behind; ssh fails once it reads the echo").isNotZero();
        assertThat(spoken(ssh)).as(r.output()).hasSize(1);
        String received = new String(spoken(ssh).get(0), StandardCharsets.ISO_8859_1);
        int eol = received.indexOf("\r\n");
        assertThat(eol).as(received).isPositive();
        assertThat(received.substring(0, eol)).startsWith("SSH-2.0-" + software);
        assertThat(spoken(other)).isEmpty();
        assertThat(routed("ssh")).isEqualTo(1);
    }

    /** Talks TLS through the tcp port with this server name; the certificate the server showed, and its answer. */
    private static Map.Entry<X509Certificate, String> tls(InetSocketAddress edge, String sni) throws Exception {
        try (Socket plain = connect(edge);
             SSLSocket s = (SSLSocket) TestCerts.trusting(ca).getSocketFactory()
                     .createSocket(plain, sni, edge.getPort(), true)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must be for this name
            s.setSSLParameters(p);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            s.getOutputStream().write(("hello " + sni + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return Map.entry(cert, answer);
        }
    }

    private static List<String> dnsNames(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            if (((Integer) san.get(0)) == 2) {
                out.add((String) san.get(1));
            }
        }
        return out;
    }

    @Test
    void tlsIsPassedThroughByServerNameToTheBackendWhoseCertificateTheClientSees() throws Exception {
        InetSocketAddress edge = start();
        Map.Entry<X509Certificate, String> a = tls(edge, "a.test");
        assertThat(a.getKey().getSubjectX500Principal().getName()).isEqualTo("CN=a.test");
        assertThat(dnsNames(a.getKey())).containsExactly("a.test");
        assertThat(a.getValue()).isEqualTo("a: hello a.test\n");

        Map.Entry<X509Certificate, String> w = tls(edge, "api.wild.test");
        assertThat(w.getKey().getSubjectX500Principal().getName()).isEqualTo("CN=wild.test");
        assertThat(dnsNames(w.getKey())).containsExactly("*.wild.test");
        assertThat(w.getValue()).isEqualTo("wild: hello api.wild.test\n");

        assertThat(tlsA.serverNames()).containsExactly("a.test");
        assertThat(tlsWild.serverNames()).containsExactly("api.wild.test");

        // a name no route takes: the ClientHello goes to the fallback as it was sent
        try (Socket plain = connect(edge);
             SSLSocket s = (SSLSocket) TestCerts.trusting(ca).getSocketFactory()
                     .createSocket(plain, "nobody.test", edge.getPort(), true)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("nobody.test")));
            s.setSSLParameters(p);
            try {
                s.startHandshake(); // the fallback answers "fallback\n", which is no TLS
            } catch (IOException expected) {
                // what a TLS client makes of a plain-text server
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> spoken(other).size() == 1);
        byte[] hello = spoken(other).get(0);
        assertThat(hello[0]).as("a TLS handshake record").isEqualTo((byte) 22);
        assertThat(new String(hello, StandardCharsets.ISO_8859_1)).contains("nobody.test");
        assertThat(routed("tls")).as("both tls routes report as tls").isEqualTo(2);
        assertThat(routed("fallback")).isEqualTo(1);
    }

    @Test
    void http11AndH2cAreToldApartAndReplayedExactly() throws Exception {
        InetSocketAddress edge = start();
        byte[] request = ascii("POST /detect?x=1 HTTP/1.1\r\nHost: detect.test\r\nContent-Length: 11\r\n\r\nhello world");
        assertThat(exchange(edge, request)).isEqualTo(request);

        byte[] preface = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        byte[] settings = HexFormat.of().parseHex("000006040000000000000300000064"); // SETTINGS max_streams=100
        byte[] ping = HexFormat.of().parseHex("0000080600000000000102030405060708");
        byte[] h2 = concat(concat(preface, settings), ping);
        assertThat(exchange(edge, h2)).isEqualTo(h2);

        assertThat(spoken(http)).singleElement().satisfies(b -> assertThat(b).isEqualTo(request));
        assertThat(spoken(h2c)).singleElement().satisfies(b -> assertThat(b).isEqualTo(h2));
        assertThat(spoken(other)).isEmpty();
        assertThat(routed("http")).isEqualTo(1);
        assertThat(routed("h2c")).isEqualTo(1);
    }

    @Test
    void aPostgresSslRequestGoesToPostgres() throws Exception {
        InetSocketAddress edge = start();
        byte[] sslRequest = HexFormat.of().parseHex("0000000804d2162f");
        try (Socket s = connect(edge)) {
            s.getOutputStream().write(sslRequest);
            assertThat(s.getInputStream().read()).as("the server's 'no TLS here'").isEqualTo('N');
            assertThat(s.getInputStream().readNBytes(8)).isEqualTo(sslRequest);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> spoken(postgres).size() == 1);
        assertThat(spoken(postgres).get(0)).isEqualTo(sslRequest);
        assertThat(routed("postgres")).isEqualTo(1);
    }

    @Test
    void garbageGoesToTheFallbackWithEveryByte() throws Exception {
        InetSocketAddress edge = start();
        byte[] garbage = new byte[64 * 1024]; // four detect buffers' worth
        new Random(12).nextBytes(garbage);
        byte[] got = exchange(edge, garbage);
        assertThat(got).isEqualTo(concat(ascii("fallback\n"), garbage));
        assertThat(spoken(other)).singleElement().satisfies(b -> assertThat(b).isEqualTo(garbage));
        for (TcpBackend b : List.of(ssh, http, h2c, postgres)) {
            assertThat(spoken(b)).isEmpty();
        }
        assertThat(routed("fallback")).isEqualTo(1);
    }

    @Test
    void aSilentClientGoesToTheFallbackAfterTheDetectTimeoutAndItsLaterBytesFollow() throws Exception {
        InetSocketAddress edge = start("300ms", "16KiB");
        try (Socket s = connect(edge)) {
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes("fallback\n".length()), StandardCharsets.ISO_8859_1))
                    .isEqualTo("fallback\n");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not before detect_timeout")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(250));
            s.getOutputStream().write(ascii(SSH_CLIENT)); // too late to be routed by it
            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(SSH_CLIENT);
        }
        assertThat(spoken(other)).singleElement().satisfies(b -> assertThat(b).isEqualTo(ascii(SSH_CLIENT)));
        assertThat(spoken(ssh)).isEmpty();
        assertThat(routed("fallback")).isEqualTo(1);
    }

    @Test
    void aMegabyteRequestLineIsHandedToTheFallbackOnceTheDetectBufferIsFull() throws Exception {
        InetSocketAddress edge = start("30s", "4KiB");
        byte[] flood = new byte[1024 * 1024]; // "GET /aaaa..." and never a line end: http keeps asking for more
        Arrays.fill(flood, (byte) 'a');
        System.arraycopy(ascii("GET /"), 0, flood, 0, 5);
        try (Socket s = connect(edge)) {
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    s.getInputStream().transferTo(echoed);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            s.getOutputStream().write(flood, 0, 4096);
            s.getOutputStream().flush();
            // 4 KiB sent, no line end, far from http's 8 KiB line limit, 30 s before detect_timeout: only the full
            // detect buffer can send it on, and the fallback gets those bytes while the client is still sending
            await().atMost(Duration.ofSeconds(10)).until(() -> spoken(other).size() == 1
                    && spoken(other).get(0).length == 4096);
            assertThat(routed("fallback")).isEqualTo(1);
            s.getOutputStream().write(flood, 4096, flood.length - 4096);
            s.shutdownOutput();
            reader.get(30, TimeUnit.SECONDS);
            assertThat(echoed.toByteArray()).isEqualTo(concat(ascii("fallback\n"), flood));
        }
        assertThat(spoken(other)).singleElement().satisfies(b -> assertThat(b).isEqualTo(flood));
        assertThat(spoken(http)).isEmpty();
        assertThat(routed("http")).isZero();
    }
}
