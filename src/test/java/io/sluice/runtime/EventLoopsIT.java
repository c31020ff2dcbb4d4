package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.testing.TestConfigs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Event loops: one per core unless configured; io_uring, then epoll, where the kernel and Netty's native libraries allow. */
class EventLoopsIT {

    @Test
    void oneEventLoopPerCoreByDefault() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(0).pool("p").build()).build().start()) {
            assertThat(sluice.eventLoopThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void workersSetsTheNumber() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(3).pool("p").build()).build().start()) {
            assertThat(sluice.eventLoopThreads()).isEqualTo(3);
        }
    }

    @Test
    void theBestTransportThisMachineRunsIsUsedUnlessOneIsForced() {
        String forced = System.getProperty("sluice.transport");
        if (forced != null) {
            assertThat(Transport.name()).isEqualTo(forced);
            return;
        }
        assertThat(Transport.name()).isEqualTo(IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio");
        if (System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64|aarch64")) {
            assertThat(Transport.name()).as("a native transport on Linux").isIn("io_uring", "epoll");
        }
    }

    @Test
    void aConfigCanAskForTheTransportInUseButNotForAnotherOne() throws Exception {
        String other = Transport.kind() == Transport.Kind.NIO ? "epoll" : "nio";
        Assumptions.assumeTrue(Transport.kind() != Transport.Kind.NIO || Epoll.isAvailable());
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p").build()).build().start()) {
            assertThat(sluice.eventLoopThreads()).isPositive();
        }
        Config same = TestConfigs.create().pool("p").build().withTransport(Transport.name());
        try (Sluice sluice = Sluice.builder().config(same).build().start()) {
            assertThat(sluice.eventLoopThreads()).isPositive();
        }
        Config another = same.withTransport(other);
        Sluice refused = Sluice.builder().config(another).build();
        assertThatThrownBy(refused::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already runs " + Transport.name());
    }

    @Test
    void unknownTransportsAreNamedInTheError() {
        assertThatThrownBy(() -> Transport.resolve("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown transport 'kqueue'").hasMessageContaining("io_uring");
        assertThat(Transport.resolve("NIO")).isEqualTo(Transport.Kind.NIO);
        assertThat(Transport.resolve(null)).isEqualTo(Transport.resolve("auto"));
    }
}
