package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the real program: SIGHUP, a save of the file (the watch), {@code sluice reload} against the admin
 * listener with a bad file and a good one, and quick mode next to {@code sluice demo --backends-only}.
 */
class ReloadCliIT {

    private static String config(int port, int admin, String name, DemoBackend backend) {
        return """
                admin: { bind: "127.0.0.1:%d" }
                listeners:
                  - name: web
                    bind: "127.0.0.1:%d"
                    filters: [ { response_headers: { set: { X-Config: "%s" } } } ]
                    routes: [ { pool: app } ]
                pools:
                  - name: app
                    backends: [ { address: "127.0.0.1:%d" } ]
                """.formatted(admin, port, name, backend.port());
    }

    private static String answer(int port) {
        try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            return r.header("X-Config") + "/" + r.header("X-Served-By");
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void sighupReloadsTheFileAndABadFileChangesNothing(@TempDir Path dir) throws Exception {
        int port = SluiceProcess.freePort();
        int admin = SluiceProcess.freePort();
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b")) {
            Files.writeString(file, config(port, admin, "one", a));
            try (SluiceProcess p = SluiceProcess.start(List.of(), "-c", file.toString(), "--no-watch")
                    .awaitListening(port)) {
                assertThat(answer(port)).isEqualTo("one/a");
                Files.writeString(file, config(port, admin, "two", b));
                p.signal("HUP");
                await().atMost(Duration.ofSeconds(30)).until(() -> answer(port).equals("two/b"));

                // A bad file: 'sluice reload' prints every error with its line and exits 2; nothing changes.
                Files.writeString(file, config(port, admin, "three", a).replace("backends:", "backendz:"));
                SluiceProcess bad = SluiceProcess.runToEnd("reload", "--admin", "127.0.0.1:" + admin);
                assertThat(bad.exitCode()).as(bad.output()).isEqualTo(2);
                assertThat(bad.output()).contains("backendz").contains("(9:");
                assertThat(answer(port)).isEqualTo("two/b");
                assertThat(p.output()).contains("reload refused");

                Files.writeString(file, config(port, admin, "three", a));
                SluiceProcess good = SluiceProcess.runToEnd("reload", "--admin", "127.0.0.1:" + admin);
                assertThat(good.exitCode()).as(good.output()).isZero();
                assertThat(good.output()).contains("\"result\"").contains("\"ok\"");
                assertThat(answer(port)).isEqualTo("three/a");
                p.terminate();
                assertThat(p.waitForExit(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    @Test
    void savingTheFileReloadsIt(@TempDir Path dir) throws Exception {
        int port = SluiceProcess.freePort();
        int admin = SluiceProcess.freePort();
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b")) {
            Files.writeString(file, config(port, admin, "one", a));
            try (SluiceProcess p = SluiceProcess.start(List.of(), "-c", file.toString()).awaitListening(port)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> p.output().contains("watching"));
                assertThat(answer(port)).isEqualTo("one/a");
                // as editors save: a new file renamed over the old one
                Path tmp = dir.resolve(".sluice.yaml.swp");
                Files.writeString(tmp, config(port, admin, "two", b));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                await().atMost(Duration.ofSeconds(30)).until(() -> answer(port).equals("two/b"));
                Files.writeString(file, config(port, admin, "three", a));
                await().atMost(Duration.ofSeconds(30)).until(() -> answer(port).equals("three/a"));
                p.terminate();
                assertThat(p.waitForExit(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    @Test
    void quickModeWithItsDefaultsProxiesTheDemoBackends() throws Exception {
        Assumptions.assumeTrue(List.of(8080, 3001, 3002, 3003).stream().noneMatch(SluiceProcess::accepts),
                "the default ports 8080 and 3001-3003 are taken on this machine");
        int admin = SluiceProcess.freePort();
        try (SluiceProcess backends = SluiceProcess.start(List.of(), "demo", "--backends-only").awaitListening(3003);
             SluiceProcess quick = SluiceProcess.start(List.of(), "-a", "least_connections", "--admin",
                     "127.0.0.1:" + admin).awaitListening(8080)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> answer(8080).startsWith("null/backend-"));
            assertThat(backends.output()).contains("./sluice -a least_connections");
            quick.terminate();
            backends.terminate();
            assertThat(quick.waitForExit(Duration.ofSeconds(30))).isZero();
            assertThat(backends.waitForExit(Duration.ofSeconds(30))).isZero();
        }
    }
}
