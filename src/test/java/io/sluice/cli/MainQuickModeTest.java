package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.HealthCheckConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RetryConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Quick mode's health-check and retry options, turned into the one pool it runs (no sockets). */
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
}
