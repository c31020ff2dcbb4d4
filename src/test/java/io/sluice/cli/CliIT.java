package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SluiceProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line as a user meets it: exit codes, error messages, help. */
class CliIT {

    private static final String BAD = """
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                routes:
                  - pool: nowhere
            pools:
              - name: web
                strategy: fastest_guess
                backends:
                  - address: "not an address"
                timeouts: { connect: soon }
            limits:
              max_body_size: lots
            """;

    @Test
    void validateReportsEveryErrorWithItsLineAndExits2() throws Exception {
        Path file = SluiceProcess.writeConfig(BAD.formatted(18080));
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output())
                    .contains("5:")      // route to an unknown pool
                    .contains("8:")      // unknown strategy
                    .contains("10:")     // bad address
                    .contains("11:")     // bad duration
                    .contains("13:")     // bad size
                    .contains("nowhere").contains("fastest_guess").contains("soon").contains("lots")
                    .doesNotContain("Exception");
        }
    }

    private static final String BAD_L4 = """
            listeners:
              - name: edge
                bind: 127.0.0.1:7000
                protocol: tcp
                tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                routes:
                  - match: { protocol: dns }
                    pool: shell
                  - match: { protocol: tls }
                    listener: nowhere
              - name: dns
                bind: 127.0.0.1:7000
                protocol: udp
                proxy_protocol: accept
                fallback: shell
            pools:
              - name: shell
                protocol: tcp
                backends: [ "10.0.0.2:22" ]
              - name: resolvers
                protocol: udp
                health_check: true
                backends: [ "10.0.0.3:53" ]
            """;

    @Test
    void validateReportsEveryL4ErrorWithItsLineAndColumnAndExits2() throws Exception {
        Path file = SluiceProcess.writeConfig(BAD_L4);
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains(file + ": 6 error(s)")
                    .contains("listeners[0].tls (5:5): `tls` (certificates) belongs on https listeners")
                    .contains("listeners[0].routes[0].match.protocol (7:28): `dns` is detected on udp listeners")
                    .contains("listeners[0].routes[1].listener (10:19): no listener named `nowhere`")
                    .contains("listeners[1].proxy_protocol (14:5): PROXY headers come at the start of TCP")
                    .contains("listeners[1].fallback (15:15): pool `shell` has protocol tcp, but listener `dns` is udp")
                    .contains("pools[1].health_check (22:19): a udp pool has no connection to probe")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void quickModeTcpRefusesHttpOnlyOptions() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--mode", "tcp", "--port", "0", "--backends", "127.0.0.1:22",
                "--health-check-path", "/hz")) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("error: --health-check-path is for --mode http only");
        }
    }

    @Test
    void runWithBadConfigExits2WithoutListening() throws Exception {
        int port = SluiceProcess.freePort();
        Path file = SluiceProcess.writeConfig(BAD.formatted(port));
        try (SluiceProcess p = SluiceProcess.runToEnd("run", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("error");
        }
        assertThat(SluiceProcess.accepts(port)).isFalse();
    }

    @Test
    void validateAcceptsAGoodFile() throws Exception {
        Path file = SluiceProcess.writeConfig("""
                listen: "127.0.0.1:8080"
                algorithm: round_robin
                backends:
                  - url: "http://127.0.0.1:3001"
                    weight: 3
                  - url: "http://127.0.0.1:3002"
                max_request_body_mb: 10
                """);
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).startsWith("OK");
        }
    }

    private static final String TOML = """
            listen = "127.0.0.1:8080"
            algorithm = "round_robin"

            [[backends]]
            url = "http://127.0.0.1:3001"
            weight = 3

            [[backends]]
            url = "http://127.0.0.1:3002"
            """;

    @Test
    void validateReadsTomlWhenToldSoWhateverTheFileIsCalled() throws Exception {
        Path file = SluiceProcess.writeConfig(TOML); // named .yaml
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "--format", "toml", "-c", file.toString())) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).startsWith("OK: 1 listener(s), 1 pool(s)");
        }
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("expected a map of settings").doesNotContain("Exception");
        }
    }

    @Test
    void validateReportsTomlErrorsWithTheirLineAndColumn() throws Exception {
        Path file = SluiceProcess.writeConfig(TOML.replace("weight = 3", "wieght = 3")
                .replace("algorithm = \"round_robin\"", "algorithm = \"fastest_guess\""));
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "--format", "TOML", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains(file + ": 2 error(s)")
                    .contains("algorithm (2:13): unknown strategy `fastest_guess`")
                    .contains("backends[0].wieght (6:1): unknown key `wieght`")
                    .doesNotContain("Exception");
        }
        Path broken = SluiceProcess.writeConfig("listen = \"127.0.0.1:8080\"\nbackends = [\"a:1\",, ]\n");
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "--format", "toml", "-c", broken.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("(2:").contains("TOML syntax error").doesNotContain("Exception");
        }
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "--format", "json", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("use yaml or toml");
        }
    }

    @Test
    void quickModeRejectsAnUnknownAlgorithm() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--port", "0", "--backends", "127.0.0.1:3001",
                "--algorithm", "telepathy")) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("telepathy").contains("round_robin");
        }
    }

    @Test
    void shortOptionsStartQuickModeWithTheStatusEndpoints() throws Exception {
        try (io.sluice.demo.DemoBackend backend = io.sluice.demo.DemoBackend.start("127.0.0.1", 0, "b1")) {
            int port = SluiceProcess.freePort();
            try (SluiceProcess p = SluiceProcess.start(java.util.List.of(), "-p", Integer.toString(port), "--bind",
                    "127.0.0.1", "-b", "127.0.0.1:" + backend.port(), "-a", "LeastConnections", "--admin",
                    "127.0.0.1:" + SluiceProcess.freePort()).awaitListening(port)) {
                java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
                java.net.http.HttpResponse<String> stats = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/lb-stats")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                java.net.http.HttpResponse<String> proxied = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());

                assertThat(stats.statusCode()).isEqualTo(200);
                assertThat(stats.body()).contains("\"algorithm\":\"LeastConnections\"")
                        .contains("\"url\":\"http://127.0.0.1:" + backend.port() + "\"");
                assertThat(proxied.headers().firstValue("x-served-by")).hasValue("b1");
            }
        }
    }

    @Test
    void plainSluiceStillPrintsTheUsageAndExits2() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd()) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("Usage: sluice").contains("-a, --algorithm=NAME");
        }
    }

    @Test
    void helpDescribesTheCommands() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("run").contains("validate").contains("demo").contains("backend")
                    .contains("status").contains("schema").contains("--backends").contains("--algorithm")
                    .contains("--health-check-path").contains("--retries").contains("--mode").contains("--format")
                    .contains("least_ewma").contains("consistent_hash");
        }
        try (SluiceProcess p = SluiceProcess.runToEnd("backend", "--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("/bytes/{n}", "i % 251", "--delay").doesNotContain("WARN");
        }
    }
}
