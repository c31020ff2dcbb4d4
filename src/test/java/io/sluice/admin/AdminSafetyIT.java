package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.RawHttp;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * The admin listener as an attacker or a careless config meets it, over real sockets: ":PORT" listens on
 * loopback only, a request must arrive within the admin header timeout (408 then close), oversize headers
 * and bodies are refused (431, 413, then close), and a non-loopback admin without a token is a config error
 * that `sluice validate` reports at its line with exit 2.
 */
class AdminSafetyIT {

    private static Config config(String admin) throws Exception {
        return ConfigLoader.parse("""
                listen: "127.0.0.1:%d"
                backends: ["127.0.0.1:%d"]
                %s
                """.formatted(SluiceProcess.freePort(), SluiceProcess.freePort(), admin), "test.yaml", n -> null);
    }

    @Test
    void anAddressWithoutAHostIsBoundOnLoopbackOnly() throws Exception {
        try (Sluice sluice = Sluice.builder().config(config("admin: { bind: \":0\" }")).build().start()) {
            InetSocketAddress bound = sluice.adminAddress();
            assertThat(bound.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", bound.getPort()))) {
                assertThat(c.send("GET /_live HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            }
            // Where the machine has another address, the admin port must not answer on it.
            InetAddress other = nonLoopbackAddress();
            if (other != null) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other, bound.getPort()), 2000);
                    throw new AssertionError("admin answered on " + other);
                } catch (ConnectException expected) {
                    // refused: nothing listens there
                }
            }
        }
    }

    @Test
    void aSilentClientGets408ThenTheConnectionCloses() throws Exception {
        try (Sluice sluice = Sluice.builder()
                .config(config("admin: { bind: \"127.0.0.1:0\", header_timeout: 300ms }")).build().start()) {
            try (Socket silent = connect(sluice)) {
                String answer = readToEnd(silent.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 408 ").contains("connection: close");
            }
            try (Socket slow = connect(sluice)) {
                slow.getOutputStream().write("GET /_live HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(slow.getInputStream())).startsWith("HTTP/1.1 408 ");
            }
            try (Socket keptAlive = connect(sluice)) {
                keptAlive.getOutputStream().write("GET /_live HTTP/1.1\r\nHost: a\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String both = readToEnd(keptAlive.getInputStream());
                assertThat(both).startsWith("HTTP/1.1 200 ").contains("HTTP/1.1 408 ");
            }
        }
    }

    @Test
    void anOversizeBodyGets413AndOversizeHeaders431ThenTheConnectionCloses() throws Exception {
        try (Sluice sluice = Sluice.builder().config(config("admin: { bind: \"127.0.0.1:0\", max_body_size: 1KiB }"))
                .build().start()) {
            try (Socket s = connect(sluice)) {
                s.getOutputStream().write(("PUT /api/pools/default/strategy HTTP/1.1\r\nHost: a\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"strategy\": \"")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = readToEnd(s.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 413 ");
            }
            try (Socket s = connect(sluice)) {
                StringBuilder chunked = new StringBuilder("PUT /api/pools/default/strategy HTTP/1.1\r\nHost: a\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n");
                for (int i = 0; i < 3; i++) {
                    chunked.append("200\r\n").append("x".repeat(512)).append("\r\n");
                }
                s.getOutputStream().write(chunked.toString().getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 413 ");
            }
            try (Socket s = connect(sluice)) {
                s.getOutputStream().write(("GET /_live HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(20_000)
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(s.getInputStream())).startsWith("HTTP/1.1 431 ");
            }
            try (RawHttp c = new RawHttp(sluice.adminAddress())) {
                assertThat(c.send("PUT /api/pools/default/strategy HTTP/1.1\r\nHost: a\r\nContent-Length: 27\r\n\r\n"
                        + "{\"strategy\": \"round_robin\"}").read().status()).as("a small body still works").isEqualTo(200);
            }
        }
    }

    @Test
    void validateRefusesAnExposedAdminWithoutATokenAtItsLineAndExits2() throws Exception {
        Path file = SluiceProcess.writeConfig("""
                listen: "127.0.0.1:8080"
                backends: ["127.0.0.1:3001"]
                admin:
                  bind: "0.0.0.0:9901"
                """);
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("admin.bind (4:9)", "allow_unauthenticated").doesNotContain("Exception");
        }
        Path allowed = SluiceProcess.writeConfig("""
                listen: "127.0.0.1:8080"
                backends: ["127.0.0.1:3001"]
                admin:
                  bind: "0.0.0.0:9901"
                  allow_unauthenticated: true
                """);
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", allowed.toString())) {
            assertThat(p.exitCode()).isZero();
        }
    }

    private static Socket connect(Sluice sluice) throws IOException {
        Socket s = new Socket();
        s.connect(sluice.adminAddress(), 2000);
        s.setSoTimeout(10_000); // a bound for a broken build, not a synchronisation
        return s;
    }

    /** Everything the server sends until it closes the connection, as lower-cased text. */
    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT)
                .replace("http/1.1", "HTTP/1.1");
    }

    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
