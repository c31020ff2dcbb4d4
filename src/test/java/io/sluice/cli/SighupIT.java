package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.SluiceProcess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP, the signal operators send to ask for a reload: the packaged proxy reloads its file and keeps serving
 * every connection, where the JVM's default would have ended it without a word.
 */
class SighupIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    /** What a SIGHUP with an unchanged file logs once its reload is done. */
    private static final String LOGGED = "reload: nothing changed";

    @Test
    void sighupReloadsAnUnchangedFileAndTheProxyKeepsServingOnTheSameConnectionAndNewOnes() throws Exception {
        try (DemoBackend backend = DemoBackend.start("127.0.0.1", 0, "b1")) {
            int port = SluiceProcess.freePort();
            String yaml = """
                    listeners:
                      - name: web
                        bind: 127.0.0.1:%d
                    pools:
                      - name: web
                        backends: [ { address: "127.0.0.1:%d" } ]
                    admin: { enabled: false }
                    """.formatted(port, backend.port());
            try (SluiceProcess proxy = SluiceProcess.start(List.of(), "run", "-c",
                    SluiceProcess.writeConfig(yaml).toString()).awaitListening(port);
                 RawHttp kept = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(kept.send(GET).read().status()).isEqualTo(200);

                for (int i = 1; i <= 2; i++) {
                    proxy.signal("HUP");
                    int times = i;
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                            .until(() -> count(proxy.output(), LOGGED) == times || !proxy.isAlive());
                    assertThat(proxy.isAlive()).as("alive after SIGHUP %d:%n%s", i, proxy.output()).isTrue();
                    assertThat(kept.send(GET).read().status()).as("the open connection").isEqualTo(200);
                    try (RawHttp fresh = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
                        assertThat(fresh.send(GET).read().status()).as("a new connection").isEqualTo(200);
                    }
                }
                assertThat(proxy.output()).doesNotContain("Exception");
                // One reload per signal, each saying what it read and that nothing changed.
                assertThat(proxy.output().lines().filter(l -> l.contains("SIGHUP: reloading")))
                        .hasSize(2).allSatisfy(l -> assertThat(l).contains("INFO").contains(".yaml"));

                proxy.terminate();
                assertThat(proxy.waitForExit(Duration.ofSeconds(20))).as("SIGTERM still drains and exits 0").isZero();
            }
        }
    }

    @Test
    void helpMentionsSighup() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("SIGHUP");
        }
        try (SluiceProcess p = SluiceProcess.runToEnd("run", "--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("SIGHUP");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
