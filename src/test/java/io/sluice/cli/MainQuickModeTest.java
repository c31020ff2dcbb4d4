package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.HealthCheckConfig;
import io.sluice.config.HostPort;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.testing.TestCerts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Quick mode's health-check, retry and admin options, turned into the config it runs (no sockets). */
class MainQuickModeTest {

    private static Main parse(String... extra) {
        CommandLine cl = Main.commandLine();
        String[] args = new String[extra.length + 4];
        args[0] = "--port";
        args[1] = "0";
        args[2] = "--backends";
        args[3] = "127.0.0.1:3001";
        System.arraycopy(extra, 0, args, 4, extra.length);
        cl.parseArgs(args);
        return cl.getCommand();
    }

    private static PoolConfig pool(String... extra) {
        return parse(extra).quickConfig().pool("default");
    }

    @Test
    void anAdminAddressWithoutAHostIsLoopbackAndAnExposedOneIsRefused() {
        assertThat(parse("--admin", ":9911").quickConfig().admin().bind())
                .isEqualTo(new HostPort("127.0.0.1", 9911));
        assertThatThrownBy(() -> parse("--admin", "0.0.0.0:9911").quickConfig())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--admin: 0.0.0.0:9911 is not a loopback address");
    }

    @Test
    void withoutOptionsThereAreNoChecksAndTwoRetries() {
        PoolConfig p = pool();

        assertThat(p.healthCheck()).isNull();
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS);
    }

    @Test
    void aPathAloneChecksAtTheDefaultInterval() {
        assertThat(pool("--health-check-path", "/health").healthCheck())
                .isEqualTo(HealthCheckConfig.DEFAULTS.withPath("/health"));
    }

    @Test
    void intervalAndPathTogether() {
        assertThat(pool("--health-check-interval", "3", "--health-check-path", "/hz").healthCheck())
                .isEqualTo(HealthCheckConfig.every(Duration.ofSeconds(3)).withPath("/hz"));
        assertThat(pool("--health-check-interval", "3").healthCheck())
                .isEqualTo(HealthCheckConfig.every(Duration.ofSeconds(3)));
    }

    @Test
    void retriesSetTheCount() {
        assertThat(pool("--retries", "0").retry().maxRetries()).isZero();
        assertThat(pool("--retries", "10").retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxRetries(10));
    }

    @Test
    void badValuesAreReportedTogether() {
        Main m = parse("--health-check-path", "health", "--retries", "11");

        assertThatThrownBy(m::quickConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--health-check-path must start with / and have no spaces, got \"health\""
                        + "\nerror: --retries must be 0-10");
    }

    @Test
    void helpDescribesTheNewOptions() {
        String help = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        assertThat(help).contains("--health-check-path=PATH", "--retries=N", "(default: 2; 0 = off)",
                "without --health-check-interval, checks run every 10 seconds");
    }

    @Test
    void tlsCertAndKeyMakeAnHttpsListener(@TempDir Path dir) {
        TestCerts.Issued cert = TestCerts.ca(dir, "Test CA").issue(dir, "site", List.of("DNS:localhost"));

        ListenerConfig l = parse("--tls-cert", cert.cert().toString(), "--tls-key", cert.key().toString())
                .quickConfig().listeners().get(0);

        assertThat(l.protocol()).isEqualTo(ListenerConfig.HTTPS);
        assertThat(l.tls()).isEqualTo(ListenerTlsConfig.of(cert.cert().toAbsolutePath(), cert.key().toAbsolutePath()));
        assertThat(parse().quickConfig().listeners().get(0).tls()).isNull();
    }

    @Test
    void tlsOptionsGoTogetherAndTheFilesAreChecked(@TempDir Path dir) {
        TestCerts.Ca ca = TestCerts.ca(dir, "Test CA");
        TestCerts.Issued a = ca.issue(dir, "a", List.of("DNS:a.test"));
        TestCerts.Issued b = ca.issue(dir, "b", List.of("DNS:b.test"));

        assertThatThrownBy(parse("--tls-cert", a.cert().toString())::quickConfig)
                .hasMessage("--tls-cert needs --tls-key, its private key");
        assertThatThrownBy(parse("--tls-key", a.key().toString())::quickConfig)
                .hasMessage("--tls-key needs --tls-cert, the certificate it belongs to");
        assertThatThrownBy(parse("--tls-cert", a.cert().toString(), "--tls-key", b.key().toString())::quickConfig)
                .hasMessageContaining("does not match the certificate");
        assertThatThrownBy(parse("--tls-cert", dir.resolve("none.pem").toString(), "--tls-key",
                a.key().toString())::quickConfig).hasMessageContaining("no such file: " + dir.resolve("none.pem"));
        String help = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertThat(help).contains("--tls-cert=FILE", "--tls-key=FILE", "serve HTTPS");
    }
}
