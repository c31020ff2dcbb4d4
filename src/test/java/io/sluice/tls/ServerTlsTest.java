package io.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.ssl.SslContext;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.TlsCertificate;
import io.sluice.testing.TestCerts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** ServerTls: which certificate serves which SNI name, ALPN with and without HTTP/2, logs, and failures. */
class ServerTlsTest {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued a;
    static TestCerts.Issued b;
    static TestCerts.Issued c;

    @BeforeAll
    static void makeCertificates() {
        ca = TestCerts.ca(dir, "Test CA");
        a = ca.issue(dir, "a", List.of("DNS:a.test", "IP:127.0.0.1"));
        b = ca.issue(dir, "b", List.of("DNS:b.test", "DNS:*.wild.test", "DNS:a.test"));
        c = ca.leaf("c.test").issue(dir); // no SAN: served by its common name
    }

    private static ListenerTlsConfig config(TestCerts.Issued... certs) {
        List<TlsCertificate> list = java.util.Arrays.stream(certs).map(TestCerts.Issued::tls).toList();
        return new ListenerTlsConfig(list, ListenerTlsConfig.DEFAULT_PROTOCOLS, ListenerTlsConfig.DEFAULT_ALPN,
                ListenerTlsConfig.ClientAuth.NONE, null);
    }

    @Test
    void namesMapToTheirCertificatesAndEverythingElseToTheFirst() {
        ServerTls tls = ServerTls.build("secure", config(a, b, c), true);

        assertThat(tls.size()).isEqualTo(3);
        assertThat(tls.names(0)).containsExactly("a.test", "127.0.0.1");
        assertThat(tls.names(1)).containsExactly("b.test", "*.wild.test", "a.test");
        assertThat(tls.names(2)).containsExactly("c.test");
        SslContext first = tls.context(0);
        assertThat(tls.defaultContext()).isSameAs(first);
        assertThat(tls.sniMapping().map("a.test")).as("the first certificate keeps a shared name").isSameAs(first);
        assertThat(tls.sniMapping().map("b.test")).isSameAs(tls.context(1));
        assertThat(tls.sniMapping().map("B.Test")).isSameAs(tls.context(1));
        assertThat(tls.sniMapping().map("x.wild.test")).isSameAs(tls.context(1));
        assertThat(tls.sniMapping().map("deeper.x.wild.test")).isSameAs(first);
        assertThat(tls.sniMapping().map("wild.test")).isSameAs(first);
        assertThat(tls.sniMapping().map("c.test")).isSameAs(tls.context(2));
        assertThat(tls.sniMapping().map("unknown.test")).isSameAs(first);
        assertThat(tls.sniMapping().map(null)).isSameAs(first);
    }

    @Test
    void alpnOffersH2OnlyWhenHttp2IsOn() {
        ServerTls on = ServerTls.build("secure", config(a), true);
        ServerTls off = ServerTls.build("secure", config(a), false);

        assertThat(on.alpn()).containsExactly("h2", "http/1.1");
        assertThat(on.defaultContext().applicationProtocolNegotiator().protocols()).containsExactly("h2", "http/1.1");
        assertThat(off.alpn()).containsExactly("http/1.1");
        assertThat(off.defaultContext().applicationProtocolNegotiator().protocols()).containsExactly("http/1.1");
        assertThat(on.defaultContext().isServer()).isTrue();
        assertThat(on.defaultContext().sessionCacheSize()).isEqualTo(ServerTls.SESSION_CACHE_SIZE);
        assertThat(on.defaultContext().sessionTimeout()).isEqualTo(ServerTls.SESSION_TIMEOUT_SECONDS);

        ListenerTlsConfig h2Only = new ListenerTlsConfig(List.of(a.tls()), ListenerTlsConfig.DEFAULT_PROTOCOLS,
                List.of("h2"), ListenerTlsConfig.ClientAuth.NONE, null);
        assertThatThrownBy(() -> ServerTls.build("secure", h2Only, false)).isInstanceOf(TlsException.class)
                .hasMessageContaining("only h2");
    }

    @Test
    void clientAuthAndTraditionalKeysBuild() {
        Path traditional = TestCerts.traditionalKey(a, dir.resolve("a-traditional.key"));
        ListenerTlsConfig cfg = new ListenerTlsConfig(List.of(new TlsCertificate(a.cert(), traditional)),
                List.of("TLSv1.2"), List.of("http/1.1"), ListenerTlsConfig.ClientAuth.REQUIRE, ca.cert());

        assertThat(ServerTls.build("mtls", cfg, true).defaultContext()).isNotNull();
    }

    @Test
    void logsTheListenerAndWarnsAboutOutOfDateCertificates() {
        TestCerts.Issued old = ca.leaf("old.test").sans("DNS:old.test").expired().issue(dir);
        TestCerts.Issued early = ca.leaf("early.test").sans("DNS:early.test").notYetValid().issue(dir);
        Logger logger = (Logger) LoggerFactory.getLogger(ServerTls.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // keep the expected WARNs out of the build output
        logger.addAppender(appender);
        try {
            ServerTls tls = ServerTls.build("secure", config(a, old, early), true);
            assertThat(tls.sniMapping().map("old.test")).isSameAs(tls.context(1));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
            logger.setAdditive(true);
        }

        assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("listener secure", TlsProvider.name(), "a.pem (default) -> a.test, 127.0.0.1",
                        "old.test.pem -> old.test");
        assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage).satisfiesExactly(
                        m -> assertThat(m).contains("old.test.pem", "EXPIRED", "CN=old.test"),
                        m -> assertThat(m).contains("early.test.pem", "NOT YET VALID"));
    }

    @Test
    void badFilesFailWithTheirNames() {
        ListenerTlsConfig missing = config(new TestCerts.Issued(dir.resolve("nope.pem"), a.key()));
        assertThatThrownBy(() -> ServerTls.build("secure", missing, true)).isInstanceOf(TlsException.class)
                .hasMessage("listener secure: no such file: " + dir.resolve("nope.pem"));

        ListenerTlsConfig mismatch = config(new TestCerts.Issued(a.cert(), b.key()));
        assertThatThrownBy(() -> ServerTls.build("secure", mismatch, true)).isInstanceOf(TlsException.class)
                .hasMessageContaining(b.key() + " does not match the certificate " + a.cert());
    }
}
