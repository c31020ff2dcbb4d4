package io.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.UpstreamProtocol;
import io.sluice.config.UpstreamTlsConfig;
import io.sluice.testing.TestCerts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ClientTls builds a context for each mode and sets each connection's SNI name and name check. */
class ClientTlsTest {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued client;

    @BeforeAll
    static void makeCertificates() {
        ca = TestCerts.ca(dir, "Test CA");
        client = ca.issue(dir, "client", List.of("DNS:client.test"));
    }

    @Test
    void buildsForEachMode() {
        List<UpstreamTlsConfig> configs = List.of(UpstreamTlsConfig.DEFAULTS,
                new UpstreamTlsConfig(true, ca.cert(), "api.internal", null, null),
                new UpstreamTlsConfig(false, null, null, null, null),
                new UpstreamTlsConfig(true, ca.cert(), null, client.cert(), client.key()));
        for (UpstreamTlsConfig cfg : configs) {
            SslContext h1 = ClientTls.build(cfg, UpstreamProtocol.HTTP1);
            SslContext h2 = ClientTls.build(cfg, UpstreamProtocol.H2);
            assertThat(h1.isClient()).isTrue();
            assertThat(h1.applicationProtocolNegotiator().protocols()).containsExactly("http/1.1");
            assertThat(h2.applicationProtocolNegotiator().protocols()).containsExactly("h2");
        }
        assertThatThrownBy(() -> ClientTls.build(UpstreamTlsConfig.DEFAULTS, UpstreamProtocol.H2C))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badFilesFailWithTheirNames() {
        UpstreamTlsConfig noCa = new UpstreamTlsConfig(true, dir.resolve("nope.pem"), null, null, null);
        assertThatThrownBy(() -> ClientTls.build(noCa, UpstreamProtocol.HTTP1)).isInstanceOf(TlsException.class)
                .hasMessageContaining("no such file: " + dir.resolve("nope.pem"));
        UpstreamTlsConfig keyAsCa = new UpstreamTlsConfig(true, client.key(), null, null, null);
        assertThatThrownBy(() -> ClientTls.build(keyAsCa, UpstreamProtocol.HTTP1)).isInstanceOf(TlsException.class)
                .hasMessageContaining("has no certificate in it");
    }

    @Test
    void handlerSendsTheSniNameAndChecksItWhenVerifying() {
        UpstreamTlsConfig sni = new UpstreamTlsConfig(true, ca.cert(), "api.internal", null, null);
        SSLParameters p = parameters(sni, "10.0.0.1");
        assertThat(p.getServerNames()).containsExactly(new SNIHostName("api.internal"));
        assertThat(p.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");

        SSLParameters byHost = parameters(UpstreamTlsConfig.DEFAULTS, "backend.example");
        assertThat(byHost.getServerNames()).containsExactly(new SNIHostName("backend.example"));

        SSLParameters ip = parameters(UpstreamTlsConfig.DEFAULTS, "10.0.0.1");
        assertThat(ip.getServerNames()).isNullOrEmpty();
        assertThat(ip.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");

        SSLParameters insecure = parameters(new UpstreamTlsConfig(false, null, null, null, null), "backend.example");
        assertThat(insecure.getEndpointIdentificationAlgorithm()).isNull();

        assertThat(ClientTls.serverName(sni, "10.0.0.1")).isEqualTo("api.internal");
        assertThat(ClientTls.serverName(UpstreamTlsConfig.DEFAULTS, "10.0.0.1")).isEqualTo("10.0.0.1");
    }

    @Test
    void handshakeTimeoutIsSet() {
        SslContext ctx = ClientTls.build(UpstreamTlsConfig.DEFAULTS, UpstreamProtocol.HTTP1);
        SslHandler h = ClientTls.newHandler(ctx, UpstreamTlsConfig.DEFAULTS, ByteBufAllocator.DEFAULT, "b.example",
                443, Duration.ofMillis(1500));
        try {
            assertThat(h.getHandshakeTimeoutMillis()).isEqualTo(1500);
            assertThat(h.engine().getPeerHost()).isEqualTo("b.example");
            assertThat(h.engine().getPeerPort()).isEqualTo(443);
        } finally {
            ReferenceCountUtil.release(h.engine());
        }
    }

    private static SSLParameters parameters(UpstreamTlsConfig cfg, String host) {
        SslContext ctx = ClientTls.build(cfg, UpstreamProtocol.HTTP1);
        SslHandler h = ClientTls.newHandler(ctx, cfg, ByteBufAllocator.DEFAULT, host, 443, null);
        try {
            return h.engine().getSSLParameters();
        } finally {
            ReferenceCountUtil.release(h.engine());
        }
    }
}
