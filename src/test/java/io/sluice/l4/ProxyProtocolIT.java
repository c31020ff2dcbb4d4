package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.Sluice;
import io.sluice.balance.Backend;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ProxyVersion;
import io.sluice.testing.Haproxy;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROXY protocol over loopback: headers read on an http(s) listener only from trusted_proxies and used as the
 * client's address (X-Forwarded-For, ip_hash); headers sent first on every upstream connection of a pool with
 * send_proxy_protocol, those connections private to their client; LOCAL headers from its probes; and both
 * directions against HAProxy itself.
 */
class ProxyProtocolIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String REQUEST = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 51234);
    private static final InetSocketAddress DEST = new InetSocketAddress("192.0.2.10", 443);
    /** A second loopback address, so a client's address differs from the proxy's in front of Sluice. */
    private static final InetAddress CLIENT_LOOPBACK = loopback("127.0.0.2");
    private static final List<Haproxy> HAPROXIES = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    @AfterAll
    static void stopHaproxy() {
        HAPROXIES.forEach(Haproxy::close);
    }

    private static InetAddress loopback(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Config config(String listener, String pools) throws Exception {
        return ConfigLoader.parse("listeners:\n" + listener + "pools:\n" + pools + "admin: { enabled: false }\n",
                "proxy-it.yaml", n -> null);
    }

    /** An http listener "web" on an ephemeral port routing everything to pool p, with extra settings. */
    private static String listener(String extra) {
        return "  - name: web\n    bind: 127.0.0.1:0\n" + extra + "    routes: [ { pool: p } ]\n";
    }

    private static String pool(String name, String extra, int... ports) {
        StringBuilder sb = new StringBuilder("  - name: " + name + "\n" + extra + "    backends:\n");
        for (int port : ports) {
            sb.append("      - address: 127.0.0.1:").append(port).append('\n');
        }
        return sb.toString();
    }

    private static byte[] header(ProxyVersion v, InetSocketAddress from, InetSocketAddress to) {
        ByteBuf b = ProxyHeaders.encode(UnpooledByteBufAllocator.DEFAULT, v, from, to);
        try {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            return a;
        } finally {
            b.release();
        }
    }

    private static byte[] local(ProxyVersion v) {
        ByteBuf b = ProxyHeaders.encodeLocal(UnpooledByteBufAllocator.DEFAULT, v);
        try {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            return a;
        } finally {
            b.release();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void v1AndV2HeadersNameTheClientToTheBackend() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(
                     listener("    proxy_protocol: accept\n    trusted_proxies: [127.0.0.1/32]\n"),
                     pool("p", "", backend.port()))).build().start()) {
            for (ProxyVersion v : new ProxyVersion[] {ProxyVersion.V1, ProxyVersion.V2}) {
                backend.clear();
                try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                    c.send(header(v, CLIENT, DEST)).send(REQUEST);
                    assertThat(c.read().status()).isEqualTo(200);
                    c.send(REQUEST); // a second request on the connection: still that client
                    assertThat(c.read().status()).isEqualTo(200);
                }
                assertThat(backend.requests()).hasSize(2).allSatisfy(r -> {
                    assertThat(r.header("X-Forwarded-For")).as(v.name()).isEqualTo("203.0.113.7");
                    assertThat(r.header("X-Forwarded-Port")).isEqualTo("443");
                });
                assertThat(backend.received()).doesNotContain("PROXY").doesNotContain("QUIT");
            }
            backend.clear();
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                assertThat(c.send(REQUEST).read().status()).as("accept: a header is optional").isEqualTo(200);
            }
            assertThat(backend.requests().get(0).header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void ipHashKeysOnTheAddressFromTheHeader() throws Exception {
        try (RecordingBackend a = new RecordingBackend(); RecordingBackend b = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(
                     listener("    proxy_protocol: accept\n    trusted_proxies: [127.0.0.1/32]\n"),
                     pool("p", "    strategy: ip_hash\n", a.port(), b.port()))).build().start()) {
            for (int round = 0; round < 2; round++) {
                for (int i = 1; i <= 16; i++) {
                    InetSocketAddress client = new InetSocketAddress("198.51.100." + i, 40000 + round);
                    try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                        c.send(header(round == 0 ? ProxyVersion.V1 : ProxyVersion.V2, client, DEST)).send(REQUEST);
                        assertThat(c.read().status()).isEqualTo(200);
                    }
                }
            }
            Map<String, Integer> backendOf = new HashMap<>();
            for (RecordingBackend backend : List.of(a, b)) {
                for (RecordingBackend.Request r : backend.requests()) {
                    Integer before = backendOf.put(r.header("X-Forwarded-For"), backend.port());
                    assertThat(before).as("one client, one backend").isIn(null, backend.port());
                }
            }
            assertThat(backendOf).hasSize(16);
            assertThat(a.requests()).as("every connection came from 127.0.0.1; the headers spread them").isNotEmpty();
            assertThat(b.requests()).isNotEmpty();
        }
    }

    @Test
    void aHeaderFromAnUntrustedSourceIsClosedBeforeTheBackend() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(
                     listener("    proxy_protocol: accept\n    trusted_proxies: [10.0.0.0/8]\n"),
                     pool("p", "", backend.port()))).build().start()) {
            for (ProxyVersion v : new ProxyVersion[] {ProxyVersion.V1, ProxyVersion.V2}) {
                try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                    c.send(header(v, CLIENT, DEST)).send(REQUEST);
                    assertThatThrownBy(c::read).isInstanceOf(IOException.class);
                }
            }
            assertThat(backend.connections()).isZero();
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                assertThat(c.send(REQUEST).read().status()).as("without a header it is served").isEqualTo(200);
            }
            assertThat(backend.requests().get(0).header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void requireModeClosesAConnectionWithoutAHeader() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(
                     listener("    proxy_protocol: require\n    trusted_proxies: [127.0.0.0/8]\n"),
                     pool("p", "", backend.port()))).build().start()) {
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                c.send(REQUEST);
                assertThatThrownBy(c::read).isInstanceOf(IOException.class);
            }
            assertThat(backend.connections()).isZero();
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                assertThat(c.send(header(ProxyVersion.V2, CLIENT, DEST)).send(REQUEST).read().status()).isEqualTo(200);
            }
            assertThat(backend.requests().get(0).header("X-Forwarded-For")).isEqualTo("203.0.113.7");
        }
    }

    @Test
    void anHttpsListenerReadsTheHeaderBeforeTheHandshake() throws Exception {
        TestCerts.Issued cert = TestCerts.selfSigned(dir, "localhost", List.of("DNS:localhost", "IP:127.0.0.1"));
        String tls = "    protocol: https\n    tls: { certificates: [ { cert: \"" + cert.cert() + "\", key: \""
                + cert.key() + "\" } ] }\n    proxy_protocol: accept\n    trusted_proxies: [127.0.0.1/32]\n";
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(listener(tls), pool("p", "", backend.port())))
                     .build().start();
             Socket plain = new Socket()) {
            InetSocketAddress at = sluice.listenerAddress("web");
            plain.connect(at, 5000);
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(header(ProxyVersion.V1, CLIENT, DEST));
            try (SSLSocket s = (SSLSocket) TestCerts.trusting(cert.cert()).getSocketFactory()
                    .createSocket(plain, "localhost", at.getPort(), true)) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                OutputStream out = s.getOutputStream();
                out.write("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                assertThat(text(in.readAllBytes())).startsWith("HTTP/1.1 200");
            }
            assertThat(backend.requests().get(0).header("X-Forwarded-For")).isEqualTo("203.0.113.7");
            assertThat(backend.requests().get(0).header("X-Forwarded-Proto")).isEqualTo("https");
        }
    }

    @Test
    void aPoolSendsTheHeaderFirstAndKeepsSuchConnectionsToTheirClient() throws Exception {
        for (ProxyVersion v : new ProxyVersion[] {ProxyVersion.V1, ProxyVersion.V2}) {
            String send = "    send_proxy_protocol: " + v.name().toLowerCase() + "\n";
            try (RecordingBackend backend = new RecordingBackend();
                 Sluice sluice = Sluice.builder().config(config(listener(""), pool("p", send, backend.port())))
                         .build().start()) {
                InetSocketAddress at = sluice.listenerAddress("web");
                try (RawHttp one = new RawHttp(at); RawHttp two = new RawHttp(at)) {
                    assertThat(one.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                    assertThat(one.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                    String first = text(header(v, one.localAddress(), at));
                    assertThat(backend.received()).as(v.name())
                            .startsWith(first + "GET /one HTTP/1.1\r\n");
                    assertThat(backend.connections()).as("the same client reuses its connection").isEqualTo(1);

                    assertThat(two.send("GET /two HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                    assertThat(backend.connections()).as("another client never gets the first one's").isEqualTo(2);
                    String second = text(header(v, two.localAddress(), at));
                    String all = backend.received();
                    assertThat(all).contains(second + "GET /two HTTP/1.1\r\n");
                    assertThat(all.indexOf(first)).isEqualTo(all.lastIndexOf(first)).isZero();
                    assertThat(sluice.upstreamConnections()).isEqualTo(2);
                    one.close();
                    await().atMost(WAIT).until(() -> sluice.upstreamConnections() == 1);
                }
                await().atMost(WAIT).until(() -> sluice.upstreamConnections() == 0);
            }
        }
    }

    @Test
    void probesOfSuchPoolsSendALocalHeaderFirst() throws Exception {
        String check = "    health_check: { type: %s, interval: 100ms, timeout: 1s }\n";
        try (RecordingBackend tcp = new RecordingBackend(); RecordingBackend http = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(listener(""),
                     pool("p", "    send_proxy_protocol: v2\n" + check.formatted("tcp"), tcp.port())
                             + pool("q", "    send_proxy_protocol: v1\n" + check.formatted("http"), http.port())))
                     .build().start()) {
            await().atMost(WAIT).until(() -> tcp.connections() >= 2 && http.requests().size() >= 2);
            assertThat(tcp.received()).startsWith(text(local(ProxyVersion.V2)));
            assertThat(tcp.received().length() % 16).as("LOCAL headers and nothing else").isZero();
            assertThat(http.received()).startsWith(text(local(ProxyVersion.V1)) + "GET / HTTP/1.1\r\n");
            assertThat(sluice.snapshot().pool("q").backends().get(0).state().activeHealth().failed()).isZero();
        }
    }

    @Test
    void haproxySendProxyInFrontOfSluice() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = Sluice.builder().config(config(
                     listener("    proxy_protocol: require\n    trusted_proxies: [127.0.0.1/32]\n"),
                     pool("p", "", backend.port()))).build().start()) {
            int sluicePort = sluice.listenerAddress("web").getPort();
            int v1 = SluiceProcess.freePort();
            int v2 = SluiceProcess.freePort();
            Haproxy haproxy = started(Haproxy.start(dir, """
                    frontend send_v1
                        bind 127.0.0.1:%d
                        default_backend sluice_v1
                    backend sluice_v1
                        server s 127.0.0.1:%d send-proxy
                    frontend send_v2
                        bind 127.0.0.1:%d
                        default_backend sluice_v2
                    backend sluice_v2
                        server s 127.0.0.1:%d send-proxy-v2
                    """.formatted(v1, sluicePort, v2, sluicePort), v1, v2));
            List<Integer> clientPorts = new ArrayList<>();
            for (int port : new int[] {v1, v2}) {
                try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", port), CLIENT_LOOPBACK)) {
                    clientPorts.add(c.localAddress().getPort());
                    assertThat(c.send(REQUEST).read().status()).as(haproxy.output()).isEqualTo(200);
                }
            }
            assertThat(backend.requests()).hasSize(2).allSatisfy(r ->
                    assertThat(r.header("X-Forwarded-For")).as("the client, not haproxy").isEqualTo("127.0.0.2"));
            assertThat(backend.requests()).extracting(r -> r.header("X-Forwarded-Port"))
                    .containsOnly(Integer.toString(v1), Integer.toString(v2));
        }
    }

    @Test
    void haproxyReadsTheHeadersSluiceSends() throws Exception {
        int echo = SluiceProcess.freePort();
        Haproxy haproxy = started(Haproxy.start(dir, """
                frontend echo_source
                    mode http
                    bind 127.0.0.1:%d accept-proxy
                    http-request return status 200 content-type text/plain lf-string "%%[src]:%%[src_port] %%[dst_port]"
                """.formatted(echo), echo));
        String check = "    health_check: { type: http, interval: 100ms, timeout: 1s }\n";
        String listener = "  - name: web\n    bind: 127.0.0.1:0\n"
                + "    routes: [ { match: { path_prefix: /v1 }, pool: v1 }, { pool: v2 } ]\n";
        try (Sluice sluice = Sluice.builder().config(config(listener,
                pool("v1", "    send_proxy_protocol: v1\n" + check, echo)
                        + pool("v2", "    send_proxy_protocol: v2\n" + check, echo))).build().start()) {
            int sluicePort = sluice.listenerAddress("web").getPort();
            for (String path : List.of("/v1", "/v2")) {
                try (RawHttp c = new RawHttp(sluice.listenerAddress("web"), CLIENT_LOOPBACK)) {
                    RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertThat(r.status()).as(haproxy.output()).isEqualTo(200);
                    assertThat(r.body()).as(path).isEqualTo("127.0.0.2:" + c.localAddress().getPort() + " " + sluicePort);
                }
            }
            // haproxy drops a connection without a header: passing probes show it took their LOCAL ones
            for (String pool : List.of("v1", "v2")) {
                Backend b = sluice.snapshot().pool(pool).backends().get(0);
                await().atMost(WAIT).until(() -> b.state().activeHealth().passed() >= 3);
                assertThat(b.state().activeHealth().failed()).as(pool + " " + haproxy.output()).isZero();
            }
        }
    }

    private static Haproxy started(Haproxy h) {
        HAPROXIES.add(h);
        return h;
    }
}
