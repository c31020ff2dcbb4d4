package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.sluice.Sluice;
import io.sluice.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** Event loops: one per core unless configured; native epoll where Netty's native library loads. */
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
    void nativeEpollIsUsedWhenAvailable() {
        assertThat(Transport.name()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
        if (System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64|aarch64")) {
            assertThat(Transport.name()).isEqualTo("epoll");
        }
    }
}
