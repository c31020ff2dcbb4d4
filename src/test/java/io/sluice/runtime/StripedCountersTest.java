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

    @Test
    void taggedCountsStartOverInANewPeriodAndOnlyRecentPeriodsAreSummed() throws Exception {
        StripedCounters c = new StripedCounters(2);
        EventLoopGroup group = Transport.newGroup(2, "tagged-test");
        try {
            for (io.netty.util.concurrent.EventExecutor e : group) {
                e.submit(() -> {
                    for (int i = 0; i < 4; i++) {
                        c.incrementTagged(0, 7);
                    }
                }).get(10, TimeUnit.SECONDS);
            }
            c.incrementTagged(0, 7); // this thread: the shared, atomic path
            assertThat(c.sumTagged(0, 7, 1)).isEqualTo(9);
            assertThat(c.sumTagged(0, 16, 10)).as("period 7 is within the 10 up to 16").isEqualTo(9);
            assertThat(c.sumTagged(0, 17, 10)).as("period 7 has left the window").isZero();
            assertThat(c.sumTagged(0, 6, 10)).as("a count for a later period than asked about").isZero();
            group.next().submit(() -> c.incrementTagged(0, 8)).get(10, TimeUnit.SECONDS);
            assertThat(c.sumTagged(0, 8, 1)).as("one loop's counter started over at period 8").isEqualTo(1);
            assertThat(c.sumTagged(0, 8, 2)).isEqualTo(6);
            assertThat(c.sumTagged(1, 8, 10)).isZero();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void taggedPeriodsWrapAroundTheirThirtyTwoBits() {
        long t = StripedCounters.countedIn(0, Integer.MAX_VALUE);
        t = StripedCounters.countedIn(t, Integer.MAX_VALUE);
        assertThat(StripedCounters.countIn(t, Integer.MIN_VALUE, 2)).isEqualTo(2);
        assertThat(StripedCounters.countIn(t, Integer.MIN_VALUE + 1, 2)).isZero();
        t = StripedCounters.countedIn(t, Integer.MIN_VALUE);
        assertThat(StripedCounters.countIn(t, Integer.MIN_VALUE, 1)).isEqualTo(1);
        assertThat(StripedCounters.countIn(StripedCounters.countedIn(0, -3), -1, 3)).isEqualTo(1);
    }
}
