package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.Config;
import io.sluice.runtime.Transport;
import io.sluice.testing.TestConfigs;
import org.junit.jupiter.api.Test;

class ConfigDiffTransportTest {

    private static Config on(String transport) {
        return TestConfigs.create().pool("p", 1).build().withTransport(transport);
    }

    @Test
    void aReloadNamingTheRunningTransportOrAutoNeedsNoRestart() {
        String running = Transport.name();
        assertThat(ConfigDiff.needsRestart(on("auto"), on(running))).isEmpty();
        assertThat(ConfigDiff.needsRestart(on(running), on("auto"))).isEmpty();
    }

    @Test
    void anotherTransportNeedsARestartAndSaysSo() {
        String other = Transport.name().equals("nio") ? "epoll" : "nio";
        assertThat(ConfigDiff.needsRestart(on("auto"), on(other)))
                .containsExactly("transport (auto -> " + other + ")");
    }
}
