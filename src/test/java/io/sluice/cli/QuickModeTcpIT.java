package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code sluice --mode tcp} as a user starts it: the packaged jar relays bytes both ways to TCP echo backends. */
class QuickModeTcpIT {

    @Test
    void modeTcpRelaysEveryByteBothWaysAndSpreadsConnectionsOverTheBackends() throws Exception {
        try (TcpBackend a = TcpBackend.start(null); TcpBackend b = TcpBackend.start(null)) {
            int port = SluiceProcess.freePort();
            try (SluiceProcess proxy = SluiceProcess.start(List.of(), "--mode", "tcp", "--bind", "127.0.0.1",
                    "--port", Integer.toString(port), "--backends", "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port(),
                    "--admin", "127.0.0.1:" + SluiceProcess.freePort()).awaitListening(port)) {
                byte[] big = new byte[1024 * 1024];
                new Random(7).nextBytes(big);
                assertThat(echo(port, big)).as("1 MiB through and back").isEqualTo(big);
                for (int i = 0; i < 3; i++) {
                    byte[] line = ("hello " + i + "\n").getBytes(StandardCharsets.ISO_8859_1);
                    assertThat(echo(port, line)).isEqualTo(line);
                }

                // Health probes connect too, without sending; the clients' bytes show where connections went.
                List<String> all = new java.util.ArrayList<>(a.receivedText());
                all.addAll(b.receivedText());
                assertThat(all).filteredOn(s -> !s.isEmpty()).hasSize(4).contains("hello 0\n", "hello 1\n",
                        "hello 2\n");
                assertThat(a.receivedText()).as("round robin uses both").anyMatch(s -> !s.isEmpty());
                assertThat(b.receivedText()).as("round robin uses both").anyMatch(s -> !s.isEmpty());

                proxy.terminate();
                assertThat(proxy.waitForExit(Duration.ofSeconds(20))).isZero();
                assertThat(proxy.output()).doesNotContain("Exception");
            }
        }
    }

    /** Sends {@code data}, shuts the sending side, and reads until the proxy closes: the echo. */
    private static byte[] echo(int port, byte[] data) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[16 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        got.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // the assertion on what arrived says enough
                }
            });
            reader.start();
            s.getOutputStream().write(data);
            s.getOutputStream().flush();
            s.shutdownOutput();
            try {
                reader.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return got.toByteArray();
        }
    }
}
