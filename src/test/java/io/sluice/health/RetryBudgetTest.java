package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.runtime.LoopThread;
import io.sluice.runtime.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The retry budget on a fake clock. */
class RetryBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void retriesStayWithinTheShareOfRequestsPlusTheFloor() {
        RetryBudget budget = new RetryBudget(20, 10);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            long now = i * 1_000_000L; // 1000 requests in one second
            budget.onRequest(now);
            for (int r = 0; r < 3; r++) { // each would like three retries
                if (budget.tryRetry(now)) {
                    allowed++;
                }
            }
        }
        assertThat(allowed).isBetween(200, 210);
    }

    @Test
    void aQuietPoolStillGetsItsFloor() {
        RetryBudget budget = new RetryBudget(20, 3);
        budget.onRequest(0);
        assertThat(budget.tryRetry(0)).isTrue();
        assertThat(budget.tryRetry(0)).isTrue();
        assertThat(budget.tryRetry(0)).isTrue();
        assertThat(budget.tryRetry(0)).isFalse();
    }

    @Test
    void theWindowForgetsAfterTenSeconds() {
        RetryBudget budget = new RetryBudget(0, 2);
        assertThat(budget.tryRetry(0)).isTrue();
        assertThat(budget.tryRetry(SECOND)).isTrue();
        assertThat(budget.tryRetry(2 * SECOND)).isFalse();
        assertThat(budget.recentRetries(9 * SECOND)).isEqualTo(2);
        assertThat(budget.tryRetry(10 * SECOND)).as("the retry at 0 s has left the window").isTrue();
        assertThat(budget.tryRetry(10 * SECOND)).isFalse();
        assertThat(budget.recentRetries(30 * SECOND)).isZero();
        assertThat(budget.tryRetry(30 * SECOND)).isTrue();
    }

    @Test
    void requestsOfLongAgoGiveNoBudgetNow() {
        RetryBudget budget = new RetryBudget(50, 0);
        for (int i = 0; i < 100; i++) {
            budget.onRequest(0);
        }
        assertThat(budget.tryRetry(SECOND)).isTrue();
        assertThat(budget.tryRetry(20 * SECOND)).isFalse();
    }

    /** Requests counted on event loops (striped, no atomics) give budget; a reused second starts from zero. */
    @Test
    void requestsCountedOnEventLoopsGiveBudgetAndAReusedSecondStartsEmpty() throws Exception {
        RetryBudget budget = new RetryBudget(10, 0);
        EventLoopGroup group = Transport.newGroup(2, "budget-test");
        try {
            List<Future<?>> done = new ArrayList<>();
            for (EventExecutor loop : group) {
                done.add(loop.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        budget.onRequest(0);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(retriesAllowed(budget, 0)).as("10%% of 200 requests").isEqualTo(20);
            done.clear();
            for (EventExecutor loop : group) { // ten seconds on: the same slot, a new second
                done.add(loop.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        budget.onRequest(10 * SECOND);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(retriesAllowed(budget, 10 * SECOND)).as("10%% of the 10 requests of this second").isEqualTo(1);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Two loop threads count requests into a slot being reused for a new second at the same instant, round after
     * round: no request may be lost to the other's reuse of the slot (each round must allow exactly 10% of its 20).
     */
    @Test
    void loopsReusingASlotTogetherLoseNoRequests() throws Exception {
        RetryBudget budget = new RetryBudget(10, 0);
        int rounds = 20_000;
        CyclicBarrier barrier = new CyclicBarrier(2);
        AtomicInteger wrong = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadFactory loops = LoopThread.factory("budget-race");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            boolean checker = t == 0;
            threads.add(loops.newThread(() -> {
                try {
                    for (int r = 1; r <= rounds; r++) {
                        long now = r * 10 * SECOND; // always slot 0, always a new second
                        barrier.await(10, TimeUnit.SECONDS);
                        for (int i = 0; i < 10; i++) {
                            budget.onRequest(now);
                        }
                        barrier.await(10, TimeUnit.SECONDS);
                        if (checker && retriesAllowed(budget, now) != 2) {
                            wrong.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failure.set(e);
                    barrier.reset();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(wrong.get()).as("rounds whose budget missed requests, of " + rounds).isZero();
    }

    private static int retriesAllowed(RetryBudget budget, long now) {
        int n = 0;
        while (n < 1000 && budget.tryRetry(now)) {
            n++;
        }
        return n;
    }
}
