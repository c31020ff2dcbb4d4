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

    @Test
    void quickModeRejectsAnUnknownAlgorithm() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--port", "0", "--backends", "127.0.0.1:3001",
                "--algorithm", "telepathy")) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("telepathy").contains("round_robin");
        }
    }

    @Test
    void helpDescribesTheCommands() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("run").contains("validate").contains("demo").contains("backend")
                    .contains("status").contains("--backends").contains("--algorithm")
                    .contains("--health-check-path").contains("--retries")
                    .contains("least_ewma").contains("consistent_hash");
        }
        try (SluiceProcess p = SluiceProcess.runToEnd("backend", "--help")) {
            assertThat(p.exitCode()).isZero();
            assertThat(p.output()).contains("/bytes/{n}", "i % 251", "--delay").doesNotContain("WARN");
        }
    }
}
