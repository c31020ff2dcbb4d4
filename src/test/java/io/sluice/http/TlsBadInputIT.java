package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestCerts;
import io.sluice.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a TLS listener does with input that is not a good TLS client: plain HTTP gets a 400 that says what
 * went wrong, a ClientHello cut short closes when the handshake time is up, garbage closes at once, a
 * client offering only unknown ALPN protocols or old TLS versions ends cleanly. After each, no connection
 * is left open, and the leak detector (PARANOID in every test) sees no buffer left unreleased.
 */
class TlsBadInputIT {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static DemoBackend backend;
    static Sluice sluice;
    static InetSocketAddress at;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCerts.ca(dir, "Bad Input CA");
        TestCerts.Issued cert = ca.issue(dir, "localhost", List.of("DNS:localhost", "IP:127.0.0.1"));
        backend = DemoBackend.start("127.0.0.1", 0, "demo");
        LimitsConfig d = LimitsConfig.DEFAULTS;
        LimitsConfig limits = new LimitsConfig(d.maxHeaderSize(), d.maxBodySize(), Duration.ofMillis(500),
                d.idleTimeout(), d.maxConnections(), d.drainTimeout());
        sluice = Sluice.builder().config(TestConfigs.create().limits(limits)
                .tls(ListenerTlsConfig.of(cert.cert(), cert.key())).pool("p", backend.port()).build()).build().start();
        at = sluice.listenerAddress("web");
    }

    @AfterAll
    static void stop() {
        sluice.close();
        backend.close();
    }

    private static void noConnectionLeft() {
        await().atMost(Duration.ofSeconds(5)).until(() -> sluice.clientConnections() == 0);
    }

    @Test
    void plainHttpToTheTlsPortGetsA400SayingSo() throws Exception {
        try (RawHttp c = new RawHttp(at)) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("plain HTTP sent to an HTTPS port");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        noConnectionLeft();
    }

    @Test
    void aTruncatedClientHelloIsClosedWhenTheHandshakeTimeRunsOut() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(10_000);
            // A handshake record announcing 200 bytes of ClientHello, of which only the first 11 come.
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4,
                    0x03, 0x03});
            s.getOutputStream().flush();
            long start = System.nanoTime();
            assertThat(readToEnd(s.getInputStream())).as("Sluice closes the connection").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
        noConnectionLeft();
    }

    @Test
    void aClientThatGivesUpMidHandshakeLeavesNothingBehind() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00});
            }
        }
        noConnectionLeft();
    }

    @Test
    void aClientThatHandshakesAndSendsNothingGets408AfterTheHeaderTimeout() throws Exception {
        SSLContext ctx = TestCerts.trusting(ca);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", at.getPort())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408");
        }
        noConnectionLeft();
    }

    @Test
    void garbageIsClosedAtOnce() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {0x00, 0x01, 0x02, (byte) 0xff, 0x13, 0x37});
            s.getOutputStream().flush();
            assertThat(readToEnd(s.getInputStream())).isTrue();
        }
        noConnectionLeft();
    }

    @Test
    void aClientOfferingOnlyUnknownAlpnProtocolsIsServedHttp11OrRefusedCleanly() throws Exception {
        SSLContext ctx = TestCerts.trusting(ca);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", at.getPort())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"spdy/1", "foo/2"});
            s.setSSLParameters(p);
            boolean handshook;
            try {
                s.startHandshake();
                handshook = true;
            } catch (SSLException e) {
                handshook = false; // refused with no_application_protocol: also clean
            }
            if (handshook) {
                assertThat(s.getApplicationProtocol()).isIn("", null);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200");
            }
        }
        noConnectionLeft();
    }

    @Test
    void oldTlsVersionsAndUntrustingClientsEndCleanly() throws Exception {
        SSLContext ctx = TestCerts.trusting(ca);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", at.getPort())) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        } catch (IllegalArgumentException unsupportedByThisJdk) {
            // a JDK without TLS 1.1 at all: nothing to try
        }
        SSLContext untrusting = SSLContext.getInstance("TLS");
        untrusting.init(null, null, null); // the JDK's trust store, which does not know the test CA
        try (SSLSocket s = (SSLSocket) untrusting.getSocketFactory().createSocket("127.0.0.1", at.getPort())) {
            s.setSoTimeout(10_000);
            assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
        noConnectionLeft();
    }

    /** Reads until the peer closes; true when it did (end of stream or reset) before the socket timeout. */
    private static boolean readToEnd(InputStream in) {
        byte[] buf = new byte[512];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
