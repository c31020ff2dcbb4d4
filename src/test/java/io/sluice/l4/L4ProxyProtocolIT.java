package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Haproxy;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROXY protocol on tcp listeners and tcp pools, against HAProxy in both directions: haproxy's send-proxy in
 * front of a Sluice tcp listener, whose pool sends its own header on to the backend naming the same client; and
 * Sluice's headers read by haproxy's accept-proxy.
 */
class L4ProxyProtocolIT {
    /** A second loopback address, so the client's address differs from haproxy's. */
    private static final String CLIENT = "127.0.0.2";
    private static final List<Haproxy> HAPROXIES = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    @AfterAll
    static void stop() {
        HAPROXIES.forEach(Haproxy::close);
    }

    private static Socket from(String local, int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(local), 0);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String exchange(Socket s, String send) throws IOException {
        s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
        s.shutdownOutput();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.getInputStream().transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void haproxyNamesTheClientAndSluicePassesItOnInItsOwnHeader() throws Exception {
        Haproxy.requireBinary();
        for (String version : List.of("v1", "v2")) {
            try (TcpBackend backend = TcpBackend.start(null);
                 Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                         listeners:
                           - name: edge
                             bind: 127.0.0.1:0
                             protocol: tcp
                             proxy_protocol: require
                             trusted_proxies: [ 127.0.0.1/32 ]
                             routes: [ { pool: p } ]
                         pools:
                           - name: p
                             protocol: tcp
                             send_proxy_protocol: v1
                             backends: [ { address: "127.0.0.1:%d" } ]
                         admin: { enabled: false }
                         """.formatted(backend.port()), "l4-proxy.yaml", n -> null)).build().start()) {
                int front = SluiceProcess.freePort();
                HAPROXIES.add(Haproxy.start(dir, """
                        frontend f
                            mode tcp
                            bind 127.0.0.1:%d
                            default_backend b
                        backend b
                            mode tcp
                            server s 127.0.0.1:%d %s
                        """.formatted(front, sluice.listenerAddress("edge").getPort(),
                        version.equals("v1") ? "send-proxy" : "send-proxy-v2"), front));
                try (Socket c = from(CLIENT, front)) {
                    int clientPort = c.getLocalPort();
                    String echoed = exchange(c, "hello");
                    // The backend echoes what it got: Sluice's v1 header naming the client haproxy named, then the bytes.
                    assertThat(echoed).as(version).startsWith("PROXY TCP4 " + CLIENT + " 127.0.0.1 " + clientPort + " "
                            + front + "\r\n").endsWith("hello");
                }
            }
        }
    }

    @Test
    void haproxyAcceptsTheHeadersOfATcpPool() throws Exception {
        Haproxy.requireBinary();
        int echo = SluiceProcess.freePort();
        HAPROXIES.add(Haproxy.start(dir, """
                frontend echo_source
                    mode http
                    bind 127.0.0.1:%d accept-proxy
                    http-request return status 200 content-type text/plain lf-string "%%[src]:%%[src_port]"
                """.formatted(echo), echo));
        try (Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - { name: one, bind: 127.0.0.1:0, protocol: tcp, routes: [ { pool: v1 } ] }
                  - { name: two, bind: 127.0.0.1:0, protocol: tcp, routes: [ { pool: v2 } ] }
                pools:
                  - { name: v1, protocol: tcp, send_proxy_protocol: v1, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: v2, protocol: tcp, send_proxy_protocol: v2, backends: [ { address: "127.0.0.1:%d" } ] }
                admin: { enabled: false }
                """.formatted(echo, echo), "l4-proxy.yaml", n -> null)).build().start()) {
            for (String listener : List.of("one", "two")) {
                InetSocketAddress a = sluice.listenerAddress(listener);
                try (Socket c = from(CLIENT, a.getPort())) {
                    String response = exchange(c, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
                    assertThat(response).as(listener).startsWith("HTTP/1.1 200")
                            .endsWith(CLIENT + ":" + c.getLocalPort());
                }
            }
        }
    }
}
