package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.ConfigFile;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestCerts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners across reloads: one added is bound, one removed stops accepting and lets its open connection finish
 * the request it is serving, one whose address changed moves; a renewed certificate under the same file names
 * is served after a reload; access log settings take effect.
 */
class ReloadListenersIT {

    private static Sluice start(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        ConfigFile source = new ConfigFile(file);
        return Sluice.builder().configFile(source, source.load()).build().start();
    }

    private static String listener(String name, String bind, String pool) {
        return "  - { name: " + name + ", bind: \"" + bind + "\", routes: [ { pool: " + pool + " } ] }\n";
    }

    private static String pools(DemoBackend b) {
        return "pools:\n  - { name: app, backends: [ { address: \"127.0.0.1:" + b.port() + "\" } ] }\n";
    }

    @Test
    void listenersAreAddedRemovedAndMovedAndARemovedOneFinishesItsRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        int moved = io.sluice.testing.SluiceProcess.freePort();
        try (DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             Sluice sluice = start(file, "listeners:\n" + listener("web", "127.0.0.1:0", "app")
                     + listener("old", "127.0.0.1:0", "app") + pools(b))) {
            InetSocketAddress web = sluice.listenerAddress("web");
            InetSocketAddress old = sluice.listenerAddress("old");
            try (RawHttp keptOpen = new RawHttp(old); RawHttp onWeb = new RawHttp(web)) {
                keptOpen.send("GET /delay/1000 HTTP/1.1\r\nHost: a\r\n\r\n");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> sluice.snapshot().pool("app").backends().get(0).state().inFlight() == 1);
                Files.writeString(file, "listeners:\n" + listener("web", "127.0.0.1:0", "app")
                        + listener("extra", "127.0.0.1:" + moved, "app") + pools(b));
                ReloadResult r = sluice.reload();
                assertThat(r.outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
                assertThat(r.changes()).contains("listener old removed", "listener extra added on 127.0.0.1:" + moved);
                // The kept listener's connection and port carry on; the new one answers; the old one is closed.
                assertThat(sluice.listenerAddress("web")).isEqualTo(web);
                assertThat(onWeb.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", moved))) {
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                }
                assertThatThrownBy(() -> new RawHttp(old).close()).isInstanceOf(IOException.class);
                // The request in flight on the removed listener ends normally, and its connection closes then.
                RawHttp.Response last = keptOpen.read();
                assertThat(last.status()).isEqualTo(200);
                assertThat(last.header("Connection")).isEqualToIgnoringCase("close");
            }
            // Moving a listener to another address: bound there, gone from the old one.
            int next = io.sluice.testing.SluiceProcess.freePort();
            Files.writeString(file, "listeners:\n" + listener("web", "127.0.0.1:0", "app")
                    + listener("extra", "127.0.0.1:" + next, "app") + pools(b));
            assertThat(sluice.reload().changes()).contains("listener extra rebound on 127.0.0.1:" + next);
            assertThat(sluice.listenerAddress("extra").getPort()).isEqualTo(next);
            assertThatThrownBy(() -> new RawHttp(new InetSocketAddress("127.0.0.1", moved)).close())
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aRenewedCertificateUnderTheSameNamesIsServedAfterAReload(@TempDir Path dir) throws Exception {
        TestCerts.Ca ca = TestCerts.ca(dir, "Renewal CA");
        Files.createDirectories(dir.resolve("first"));
        Files.createDirectories(dir.resolve("second"));
        TestCerts.Issued first = ca.issue(dir.resolve("first"), "localhost", List.of("DNS:localhost"));
        TestCerts.Issued second = ca.issue(dir.resolve("second"), "localhost", List.of("DNS:localhost"));
        Path cert = dir.resolve("site.pem");
        Path key = dir.resolve("site.key");
        Files.copy(first.cert(), cert);
        Files.copy(first.key(), key);
        Path file = dir.resolve("sluice.yaml");
        Path log = dir.resolve("access.log");
        try (DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b")) {
            String base = "listeners:\n  - name: secure\n    bind: \"127.0.0.1:0\"\n    protocol: https\n"
                    + "    tls: { certificates: [ { cert: site.pem, key: site.key } ] }\n    routes: [ { pool: app } ]\n"
                    + pools(b);
            try (Sluice sluice = start(file, base)) {
                SSLContext trust = TestCerts.trusting(ca);
                assertThat(served(sluice, trust)).isEqualTo(first.x509());
                // A renewal: the files change, the config does not.
                Files.copy(second.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(second.key(), key, StandardCopyOption.REPLACE_EXISTING);
                ReloadResult r = sluice.reload();
                assertThat(r.changes()).contains("listener secure: certificates reloaded");
                assertThat(served(sluice, trust)).isEqualTo(second.x509());
                // A broken key: the reload is refused and the renewed certificate stays.
                Files.writeString(key, "not a key");
                assertThat(sluice.reload().outcome()).isEqualTo(ReloadResult.Outcome.FAILED);
                assertThat(served(sluice, trust)).isEqualTo(second.x509());
                Files.copy(second.key(), key, StandardCopyOption.REPLACE_EXISTING);
                // Access log settings apply on reload.
                Files.writeString(file, base + "access_log: { format: json, target: \"" + log + "\" }\n");
                assertThat(sluice.reload().changes()).contains("access log");
                served(sluice, trust);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> Files.exists(log) && Files.readString(log).contains("\"status\":200"));
            }
        }
    }

    private static X509Certificate served(Sluice sluice, SSLContext trust) throws Exception {
        HttpResponse<String> r = HttpClient.newBuilder().sslContext(trust).build().send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + sluice.listenerAddress("secure").getPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    }
}
