package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StripedCountersTest {

    @Test
    void addsFromEventLoopsAndOtherThreadsAllCount() throws Exception {
        StripedCounters c = new StripedCounters(3);
        EventLoopGroup group = Transport.newGroup(4, "striped-test");
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(group.submit(() -> {
                    go.await();
                    for (int i = 0; i < 100_000; i++) {
                        c.increment(0);
                        c.add(2, 3);
                    }
                    return null;
                }));
            }
            Thread plain = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    c.increment(0);
                    c.increment(1);
                }
            });
            go.countDown();
            plain.start();
            for (Future<?> f : done) {
                assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(f.isSuccess()).isTrue();
            }
            plain.join();
            assertThat(c.sum(0)).isEqualTo(850_000);
            assertThat(c.sum(1)).isEqualTo(50_000);
            assertThat(c.sums()).containsExactly(850_000, 50_000, 2_400_000);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void eventLoopThreadsHaveDistinctStripesAndOtherThreadsNone() throws Exception {
        assertThat(LoopThread.currentStripe()).isEqualTo(-1);
        EventLoopGroup group = Transport.newGroup(3, "stripes-test");
        try {
            List<Integer> stripes = new ArrayList<>();
            for (io.netty.util.concurrent.EventExecutor e : group) {
                stripes.add(e.submit(LoopThread::currentStripe).get(10, TimeUnit.SECONDS));
            }
            assertThat(stripes).doesNotHaveDuplicates().allMatch(s -> s >= 0 && s < LoopThread.STRIPES);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aStripeGivenBackKeepsWhatItsThreadCountedForTheNextOwner() throws Exception {
        StripedCounters c = new StripedCounters(1);
        for (int round = 0; round < 3; round++) {
            EventLoopGroup group = Transport.newGroup(2, "stripes-reuse");
            try {
                for (io.netty.util.concurrent.EventExecutor e : group) {
                    e.submit(() -> c.add(0, 10)).get(10, TimeUnit.SECONDS);
                }
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                group.terminationFuture().syncUninterruptibly();
            }
        }
        assertThat(c.sum(0)).isEqualTo(60);
    }
}
