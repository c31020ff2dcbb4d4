package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.config.ConfigFile;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TcpBackend;
import io.sluice.testing.TestCerts;
import io.sluice.testing.WsCollector;
import io.sluice.testing.WsEchoBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads under steady load: HTTP/1.1 keep-alive, a new connection per request, and HTTP/2 over TLS keep
 * getting 200s through 100 reloads that move a backend in and out, change weights and swap the certificate,
 * while a WebSocket and an L4 TCP connection through listeners that stay keep going; and every response comes
 * from one configuration, never a mix of two.
 */
class ReloadIT {
    private static final int RELOADS = 100;

    /** Two configurations: B adds backend c, changes weights and serves the other certificate. */
    private static String config(boolean b, DemoBackend[] app, int ws, int tcp, TestCerts.Issued cert) {
        String backends = "      - { address: \"127.0.0.1:" + app[0].port() + "\", weight: " + (b ? 3 : 1) + " }\n"
                + "      - { address: \"127.0.0.1:" + app[1].port() + "\", weight: " + (b ? 1 : 2) + " }\n"
                + (b ? "      - { address: \"127.0.0.1:" + app[2].port() + "\", weight: 2 }\n" : "");
        return """
                admin: { bind: "127.0.0.1:0" }
                limits: { drain_timeout: 5s }
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - { match: { path_prefix: /ws }, pool: ws }
                      - { pool: app }
                  - name: secure
                    bind: "127.0.0.1:0"
                    protocol: https
                    tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                    routes: [ { pool: app } ]
                  - name: raw
                    bind: "127.0.0.1:0"
                    protocol: tcp
                    routes: [ { pool: echo } ]
                pools:
                  - name: app
                    strategy: weighted_round_robin
                    health_check: { path: /, interval: %s }
                    backends:
                %s
                  - name: ws
                    backends: [ { address: "127.0.0.1:%d" } ]
                  - name: echo
                    protocol: tcp
                    health_check: { type: tcp, interval: 1h }
                    backends: [ { address: "127.0.0.1:%d" } ]
                """.formatted(cert.cert(), cert.key(), b ? "500ms" : "1s", backends.stripTrailing(), ws, tcp);
    }

    @Test
    void hundredReloadsUnderLoadDropNothingAndLongConnectionsKeepGoing(@TempDir Path dir) throws Exception {
        TestCerts.Ca ca = TestCerts.ca(dir, "Reload Test CA");
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        TestCerts.Issued certA = ca.issue(dir.resolve("a"), "localhost", List.of("DNS:localhost", "IP:127.0.0.1"));
        TestCerts.Issued certB = ca.issue(dir.resolve("b"), "localhost", List.of("DNS:localhost", "IP:127.0.0.1"));
        SSLContext trust = TestCerts.trusting(ca);
        DemoBackend[] app = {DemoBackend.start("127.0.0.1", 0, "a"), DemoBackend.start("127.0.0.1", 0, "b"),
                DemoBackend.start("127.0.0.1", 0, "c")};
        Path file = dir.resolve("sluice.yaml");
        try (WsEchoBackend ws = new WsEchoBackend(); TcpBackend tcp = TcpBackend.start(null)) {
            String configA = config(false, app, ws.port(), tcp.port(), certA);
            String configB = config(true, app, ws.port(), tcp.port(), certB);
            Files.writeString(file, configA);
            ConfigFile source = new ConfigFile(file);
            try (Sluice sluice = Sluice.builder().configFile(source, source.load()).build().start();
                 Traffic traffic = new Traffic(sluice, trust)) {
                BackendState stateOfA = state(sluice, app[0]);
                InetSocketAddress web = sluice.listenerAddress("web");
                WsCollector wsc = new WsCollector();
                WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + web.getPort() + "/ws"), wsc).get(10, TimeUnit.SECONDS);
                try (Socket raw = new Socket("127.0.0.1", sluice.listenerAddress("raw").getPort())) {
                    raw.setSoTimeout(10_000);
                    traffic.awaitEachKind(200);
                    List<ReloadResult.Outcome> outcomes = new ArrayList<>();
                    for (int i = 0; i < RELOADS; i++) {
                        Files.writeString(file, i % 2 == 0 ? configB : configA);
                        ReloadResult r = sluice.reload();
                        outcomes.add(r.outcome());
                        assertThat(r.errors()).as("reload %d", i).isEmpty();
                        // The long-lived connections still carry bytes both ways after this reload.
                        socket.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
                        assertThat(wsc.next()).isEqualTo("m" + i);
                        echo(raw, "t" + i);
                        traffic.awaitMore(20); // requests of every kind cross each configuration
                    }
                    traffic.stop();
                    assertThat(outcomes).containsOnly(ReloadResult.Outcome.APPLIED).hasSize(RELOADS);
                    assertThat(traffic.errors).as("failed requests or reset connections").isEmpty();
                    assertThat(traffic.keepAlive.sum()).isGreaterThan(RELOADS * 20L);
                    assertThat(traffic.fresh.sum()).isGreaterThan(RELOADS);
                    assertThat(traffic.h2.sum()).isGreaterThan(RELOADS);
                    assertThat(traffic.served("c")).as("the moved backend took requests while it was in").isPositive();
                    assertThat(wsc.error).isNull();
                }
                socket.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
                // A backend that stayed kept its live state; the last config (A) has no c.
                assertThat(state(sluice, app[0])).isSameAs(stateOfA);
                assertThat(sluice.snapshot().pool("app").backends()).hasSize(2);
                // After an even number of reloads the file is config A again: certificate A is served.
                X509Certificate served = peerCertificate(sluice, trust);
                assertThat(served).isEqualTo(certA.x509());
                assertThat(sluice.reloads().succeededCount()).isEqualTo(RELOADS);
            }
        } finally {
            for (DemoBackend b : app) {
                b.close();
            }
        }
    }

    private static BackendState state(Sluice sluice, DemoBackend b) {
        return sluice.snapshot().pool("app").backends().stream()
                .filter(x -> x.endpoint().address().port() == b.port()).map(Backend::state).findFirst().orElseThrow();
    }

    private static X509Certificate peerCertificate(Sluice sluice, SSLContext trust) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + sluice.listenerAddress("secure").getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    private static void echo(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] want = (text + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] got = in.readNBytes(want.length);
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo(text + "\n");
    }

    /**
     * Three kinds of clients, one thread each (two for keep-alive), bounded to two minutes: HTTP/1.1 keep-alive
     * on the web listener, a new connection per request there, and HTTP/2 over TLS on the secure listener.
     * Anything but a 200 is an error.
     */
    static final class Traffic implements AutoCloseable {
        final List<String> errors = new CopyOnWriteArrayList<>();
        final LongAdder keepAlive = new LongAdder();
        final LongAdder fresh = new LongAdder();
        final LongAdder h2 = new LongAdder();
        private final java.util.Map<String, LongAdder> servedBy = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();

        Traffic(Sluice sluice, SSLContext trust) {
            InetSocketAddress web = sluice.listenerAddress("web");
            int secure = sluice.listenerAddress("secure").getPort();
            for (int i = 0; i < 2; i++) {
                start("keep-alive-" + i, () -> {
                    try (RawHttp c = new RawHttp(web)) {
                        while (running()) {
                            check(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read(), keepAlive);
                        }
                    }
                });
            }
            start("new-connections", () -> {
                while (running()) {
                    try (RawHttp c = new RawHttp(web)) {
                        check(c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read(), fresh);
                    }
                }
            });
            start("h2", () -> {
                HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_2).build();
                HttpRequest req = HttpRequest.newBuilder(URI.create("https://localhost:" + secure + "/")).build();
                while (running()) {
                    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || r.version() != HttpClient.Version.HTTP_2) {
                        errors.add("h2: " + r.statusCode() + " " + r.version() + " " + r.body());
                    } else {
                        h2.increment();
                    }
                }
            });
        }

        private boolean running() {
            return !stop.get() && System.nanoTime() < deadline;
        }

        private void check(RawHttp.Response r, LongAdder count) {
            if (r.status() != 200) {
                errors.add(r.status() + " " + r.body().strip());
            } else {
                count.increment();
                servedBy.computeIfAbsent(String.valueOf(r.header("X-Served-By")), k -> new LongAdder()).increment();
            }
        }

        long served(String name) {
            LongAdder a = servedBy.get(name);
            return a == null ? 0 : a.sum();
        }

        interface Body {
            void run() throws Exception;
        }

        private void start(String name, Body body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Exception e) {
                    errors.add(name + ": " + e);
                }
            }, "traffic-" + name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        private long total() {
            return keepAlive.sum() + fresh.sum() + h2.sum();
        }

        /** Waits until every kind of client has had {@code n} answers (or one failed). */
        void awaitEachKind(int n) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !errors.isEmpty()
                    || keepAlive.sum() >= n && fresh.sum() >= n && h2.sum() >= n);
        }

        /** Waits until {@code n} more answers came, over all kinds, and each kind moved on (or one failed). */
        void awaitMore(int n) {
            long total = total();
            long k = keepAlive.sum();
            long f = fresh.sum();
            long h = h2.sum();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> !errors.isEmpty() || total() >= total + n && keepAlive.sum() > k && fresh.sum() > f
                            && h2.sum() > h);
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
