package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.Config;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.HostPort;
import io.sluice.config.L4Config;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.L4RouteConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyProtocolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.config.UpstreamProtocol;
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
    void aPathAloneChecksEveryThirtySeconds() {
        assertThat(pool("--health-check-path", "/health").healthCheck())
                .isEqualTo(HealthCheckConfig.every(Duration.ofSeconds(30)).withPath("/health"));
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
                "without --health-check-interval, checks run every 30 seconds");
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

    @Test
    void modeTcpIsOneTcpListenerSendingEverythingToOneTcpPoolWithTheDefaultProbe() {
        Config c = parse("--mode", "tcp", "--algorithm", "least_connections").quickConfig();

        ListenerConfig l = c.listeners().get(0);
        assertThat(c.listeners()).hasSize(1);
        assertThat(l).isEqualTo(ListenerConfig.l4("default", new HostPort("0.0.0.0", 0), ListenerConfig.TCP,
                L4Config.tcp(List.of(), L4RouteConfig.toPool(L4MatchConfig.ANY, "default")), ProxyProtocolConfig.OFF));
        assertThat(l.l4().detects()).as("nothing to detect: connections go straight to the pool").isFalse();
        PoolConfig p = c.pool("default");
        assertThat(p.protocol()).isEqualTo(UpstreamProtocol.TCP);
        assertThat(p.strategy()).isEqualTo("least_connections");
        assertThat(p.healthCheck()).isEqualTo(L4Config.TCP_POOL_CHECK);
        assertThat(p.healthCheck().type()).isEqualTo(HealthCheckConfig.Type.TCP);
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS);
    }

    @Test
    void modeTcpTakesAnIntervalAndRetries() {
        PoolConfig p = pool("--mode", "tcp", "--health-check-interval", "30", "--retries", "0");

        assertThat(p.healthCheck()).isEqualTo(L4Config.TCP_POOL_CHECK.withInterval(Duration.ofSeconds(30)));
        assertThat(p.retry().maxRetries()).isZero();
    }

    @Test
    void modeUdpIsOneUdpListenerAndOneUdpPoolWithoutChecks() {
        Config c = parse("--mode", "UDP").quickConfig();

        assertThat(c.listeners()).singleElement().isEqualTo(ListenerConfig.l4("default", new HostPort("0.0.0.0", 0),
                ListenerConfig.UDP, L4Config.udp(List.of(), L4RouteConfig.toPool(L4MatchConfig.ANY, "default")),
                ProxyProtocolConfig.OFF));
        assertThat(c.pool("default").protocol()).isEqualTo(UpstreamProtocol.UDP);
        assertThat(c.pool("default").healthCheck()).isNull();
        assertThat(c.listeners().get(0).l4().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void modeHttpIsTheDefault() {
        assertThat(parse("--mode", "http").quickConfig()).isEqualTo(parse().quickConfig());
        assertThat(parse().quickConfig().listeners().get(0).protocol()).isEqualTo(ListenerConfig.HTTP);
    }

    @Test
    void httpOnlyOptionsWithAnotherModeAreErrorsAllAtOnce(@TempDir Path dir) {
        TestCerts.Issued cert = TestCerts.ca(dir, "Test CA").issue(dir, "site", List.of("DNS:localhost"));

        assertThatThrownBy(parse("--mode", "tcp", "--tls-cert", cert.cert().toString(), "--tls-key",
                cert.key().toString(), "--health-check-path", "/hz")::quickConfig)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-cert/--tls-key is for --mode http only; a tcp listener passes TLS through untouched"
                        + "\nerror: --health-check-path is for --mode http only; a tcp pool's backends need not"
                        + " speak HTTP; tcp checks only connect");
        assertThatThrownBy(parse("--mode", "udp", "--health-check-interval", "5", "--retries", "1")::quickConfig)
                .hasMessage("--health-check-interval does not apply to --mode udp: a udp backend has no connection"
                        + " to probe (breakers still take failing backends out)"
                        + "\nerror: --retries does not apply to --mode udp: a datagram is not sent twice");
        assertThatThrownBy(parse("--mode", "sctp")::quickConfig).hasMessage("--mode must be http, tcp or udp, got \"sctp\"");
    }

    @Test
    void aUrlBackendIsRefusedOutsideHttpMode() {
        CommandLine cl = Main.commandLine();
        cl.parseArgs("--mode", "tcp", "--port", "0", "--backends", "http://127.0.0.1:3001");
        Main m = cl.getCommand();

        assertThatThrownBy(m::quickConfig).hasMessage("--backends: --mode tcp takes host:port, not a URL:"
                + " http://127.0.0.1:3001");
    }

    private static Main parseOnly(String... args) {
        CommandLine cl = Main.commandLine();
        cl.parseArgs(args);
        return cl.getCommand();
    }

    @Test
    void shortOptionsAreTheLongOnes() {
        Config c = parseOnly("-p", "9000", "-b", "127.0.0.1:4001,http://127.0.0.1:4002", "-a", "least_connections")
                .quickConfig();

        assertThat(c).isEqualTo(parseOnly("--port", "9000", "--backends", "127.0.0.1:4001,http://127.0.0.1:4002",
                "--algorithm", "least_connections").quickConfig());
        assertThat(c.listeners().get(0).bind()).isEqualTo(new HostPort("0.0.0.0", 9000));
        assertThat(c.pool("default").backends()).extracting(b -> b.address())
                .containsExactly(new HostPort("127.0.0.1", 4001), new HostPort("127.0.0.1", 4002));
        assertThat(c.pool("default").strategy()).isEqualTo("least_connections");
    }

    @Test
    void withoutPortAndBackendsQuickModeListensOn8080ToTheDemoBackends() {
        Main m = parseOnly("-a", "least_connections");
        Config c = m.quickConfig();

        assertThat(m.quickOptionGiven()).isTrue();
        assertThat(c.listeners().get(0).bind()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(c.pool("default").backends()).extracting(b -> b.address()).containsExactly(
                new HostPort("127.0.0.1", 3001), new HostPort("127.0.0.1", 3002), new HostPort("127.0.0.1", 3003));
        assertThat(parseOnly("-p", "9000").quickOptionGiven()).isTrue();
        assertThat(parseOnly("-p", "9000").quickConfig().pool("default").strategy()).isEqualTo("round_robin");
    }

    @Test
    void noQuickOptionMeansNoQuickMode() {
        assertThat(parseOnly().quickOptionGiven()).isFalse();
        assertThat(parseOnly("--workers", "2", "--bind", "127.0.0.1").quickOptionGiven()).isFalse();
        assertThat(parseOnly("-c", "x.yaml").quickOptionGiven()).isFalse();
    }

    @Test
    void plainSluiceStillPrintsTheUsageAndExits2() {
        CommandLine cl = Main.commandLine();
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = cl.execute();
        } finally {
            System.setOut(old);
        }

        assertThat(code).isEqualTo(2);
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("Usage: sluice");
    }

    @Test
    void algorithmNamesOfOtherToolsAreAcceptedAndCanonical() {
        assertThat(pool("-a", "Weighted").strategy()).isEqualTo("weighted_round_robin");
        assertThat(pool("--algorithm", "LeastConnections").strategy()).isEqualTo("least_connections");
        assertThat(pool("-a", "IpHash").strategy()).isEqualTo("ip_hash");
        assertThat(pool("--mode", "tcp", "-a", "RoundRobin").strategy()).isEqualTo("round_robin");
        assertThatThrownBy(parse("-a", "Fairest")::quickConfig).hasMessageStartingWith("unknown algorithm \"Fairest\";"
                + " known: adaptive, consistent_hash");
    }

    @Test
    void quickModeTurnsTheStatusEndpointsOnForHttpAndHttps() {
        assertThat(parse().quickConfig().listeners().get(0).policy().statusEndpoints()).isTrue();
    }

    @Test
    void helpDescribesTheShortOptionsAndDefaults() {
        String help = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        assertThat(help).contains("-p, --port=PORT", "-b, --backends=LIST", "-a, --algorithm=NAME",
                "(default: 8080)", "127.0.0.1:3001,127.0.0.1:3002,127.0.0.1:3003", "RoundRobin, Weighted");
    }

    @Test
    void helpDescribesMode() {
        String help = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        assertThat(help).contains("--mode=MODE", "http (default), tcp or udp", "sluice --mode tcp --port 2222",
                "TCP connect every 5 seconds in tcp mode");
    }
}
