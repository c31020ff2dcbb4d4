package io.sluice.health;

import static io.sluice.health.HealthFixtures.pool;
import static io.sluice.health.HealthFixtures.probes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.config.HealthCheckConfig;
import io.sluice.runtime.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checker's scheduling and bookkeeping with fake probes on a real event loop (no sockets): one probe
 * in flight, start-to-start intervals, a capped first delay, misbehaving probes, reloads and close.
 */
class HealthCheckerTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final HealthCheckConfig EVERY_20MS = HealthCheckConfig.DEFAULTS
            .withInterval(Duration.ofMillis(20)).withTimeout(Duration.ofMillis(200));

    private final EventLoopGroup group = Transport.newGroup(2, "health-test");
    private final HealthFixtures fixtures = new HealthFixtures();

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A probe that finishes after {@code millis} with the given result, counting overlaps and starts. */
    private static final class SlowProbe implements Probe {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final List<Long> starts = new CopyOnWriteArrayList<>();
        final List<Promise<Result>> promises = new CopyOnWriteArrayList<>();
        final long millis;
        final Result result;

        SlowProbe(long millis, Result result) {
            this.millis = millis;
            this.result = result;
        }

        @Override
        public void run(Backend backend, HealthCheckConfig check, EventLoop loop,
                        Promise<Result> promise) {
            starts.add(System.nanoTime());
            promises.add(promise);
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            promise.addListener(f -> running.decrementAndGet());
            if (millis >= 0) {
                loop.schedule(() -> promise.trySuccess(result), millis, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Test
    void oneProbeAtATimeAndStartsAtLeastAnIntervalApart() {
        SlowProbe fast = new SlowProbe(5, Probe.Result.pass());
        SlowProbe slow = new SlowProbe(60, Probe.Result.pass());
        try (HealthChecker checker = new HealthChecker(group, c -> c.path().equals("/slow") ? slow : fast)) {
            checker.apply(fixtures.snapshot(pool("fast", EVERY_20MS, 1), pool("slow", EVERY_20MS.withPath("/slow"), 2)));
            await().atMost(LIMIT).until(() -> fast.starts.size() >= 10 && slow.starts.size() >= 6);
        }
        assertThat(fast.maxRunning.get()).isEqualTo(1);
        assertThat(slow.maxRunning.get()).isEqualTo(1);
        // Netty never runs a scheduled task early; a probe slower than the interval delays the next one.
        // The checker reads its clock just before calling the probe, which reads its own: a thread preempted in
        // between makes one gap look short by that much and the one before it long. So each gap is checked
        // loosely, and the whole span (where those shifts cancel out) closely.
        assertStartsApart(fast.starts, 20);
        assertStartsApart(slow.starts, 60);
    }

    private static void assertStartsApart(List<Long> starts, double intervalMillis) {
        List<Double> gaps = gapsMillis(starts);
        assertThat(gaps).allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(intervalMillis - 10));
        double span = gaps.stream().mapToDouble(Double::doubleValue).sum();
        assertThat(span).as("%s", gaps).isGreaterThanOrEqualTo(gaps.size() * intervalMillis - 2);
    }

    private static List<Double> gapsMillis(List<Long> starts) {
        List<Long> s = List.copyOf(starts);
        return IntStream.range(1, s.size()).mapToObj(i -> (s.get(i) - s.get(i - 1)) / 1e6).toList();
    }

    @Test
    void theFirstProbeWaitsLessThanASecondEvenWithALongInterval() {
        SlowProbe probe = new SlowProbe(0, Probe.Result.pass());
        long t0 = System.nanoTime();
        try (HealthChecker checker = new HealthChecker(group, c -> probe)) {
            checker.apply(fixtures.snapshot(pool("p", HealthCheckConfig.every(Duration.ofSeconds(30)), 1, 2, 3, 4, 5)));
            await().atMost(LIMIT).until(() -> probe.starts.size() == 5);
            assertThat((probe.starts.get(4) - t0) / 1e9).isLessThan(1.5);
            assertThat(checker.probesRun()).isLessThanOrEqualTo(5);
        }
    }

    @Test
    void aThrowingProbeCountsAsAFailureAndTheScheduleGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Probe broken = (backend, check, loop, result) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("plug-in bug");
        };
        try (HealthChecker checker = new HealthChecker(group, c -> broken)) {
            checker.apply(fixtures.snapshot(pool("p", EVERY_20MS, 1)));
            Backend b = fixtures.backend("p", 1);
            await().atMost(LIMIT).until(() -> b.state().activeHealth().failed() >= 5);
            assertThat(b.state().activeHealth().lastFailure()).isEqualTo("probe error: IllegalStateException: plug-in bug");
            assertThat(b.state().healthBits()).isEqualTo(BackendState.FAILED_ACTIVE_CHECK);
            assertThat(b.state().activeHealth().transitions()).isEqualTo(1);
        }
        // the event loop survived
        assertThat(group.next().submit(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void failedPromisesAndMissingResultsAreFailures() {
        Probe failing = (backend, check, loop, result) -> result.tryFailure(new IOException("Connection reset by peer"));
        Probe empty = (backend, check, loop, result) -> result.trySuccess(null);
        try (HealthChecker checker = new HealthChecker(group, c -> c.path().equals("/empty") ? empty : failing)) {
            checker.apply(fixtures.snapshot(pool("a", EVERY_20MS, 1), pool("b", EVERY_20MS.withPath("/empty"), 2)));
            Backend a = fixtures.backend("a", 1);
            Backend b = fixtures.backend("b", 2);
            await().atMost(LIMIT).until(() -> !a.available() && !b.available());
            assertThat(a.state().activeHealth().lastFailure()).isEqualTo("connection reset");
            assertThat(b.state().activeHealth().lastFailure()).isEqualTo("probe gave no result");
        }
    }

    @Test
    void aProbeThatNeverFinishesIsFailedByTheBackstop() {
        SlowProbe stuck = new SlowProbe(-1, null);
        HealthCheckConfig check = EVERY_20MS.withTimeout(Duration.ofMillis(100)).withThresholds(2, 1);
        try (HealthChecker checker = new HealthChecker(group, c -> stuck)) {
            checker.apply(fixtures.snapshot(pool("p", check, 1)));
            Backend b = fixtures.backend("p", 1);
            await().atMost(LIMIT).until(() -> b.state().activeHealth().failed() >= 2);
            assertThat(b.state().activeHealth().lastFailure()).isEqualTo("probe did not finish within 100ms");
            assertThat(b.available()).isFalse();
            assertThat(stuck.maxRunning.get()).isEqualTo(1);
        }
    }

    @Test
    void aReloadStopsProbingClearsTheBitAndPicksUpANewInterval() {
        SlowProbe failing = new SlowProbe(0, Probe.Result.fail("status 503"));
        SlowProbe passing = new SlowProbe(0, Probe.Result.pass());
        try (HealthChecker checker = new HealthChecker(group, c -> c.path().equals("/ok") ? passing : failing)) {
            HealthCheckConfig slow = EVERY_20MS.withPath("/ok").withInterval(Duration.ofSeconds(30));
            checker.apply(fixtures.snapshot(pool("down", EVERY_20MS, 1), pool("other", slow, 2)));
            Backend down = fixtures.backend("down", 1);
            Backend other = fixtures.backend("other", 2);
            await().atMost(LIMIT).until(() -> !down.available() && probes(other) == 1);
            assertThat(checker.checkedBackends()).isEqualTo(2);

            // "down" loses its check; "other" now probes every 20 ms instead of every 30 s.
            checker.apply(fixtures.snapshot(pool("down", null, 1), pool("other", slow.withInterval(Duration.ofMillis(20)), 2)));
            assertThat(checker.checkedBackends()).isEqualTo(1);
            await().atMost(LIMIT).until(down::available);
            long frozen = probes(down);
            long from = probes(other);
            await().atMost(LIMIT).until(() -> probes(other) >= from + 10);
            assertThat(probes(down)).isEqualTo(frozen);
            assertThat(fixtures.backend("down", 1).state()).isSameAs(down.state());

            // Checked again, it is down at once (its record says so) until it passes.
            checker.apply(fixtures.snapshot(pool("down", EVERY_20MS.withPath("/ok"), 1), pool("other", null, 2)));
            await().atMost(LIMIT).until(() -> down.state().activeHealth().healthy() && down.available());
            assertThat(down.state().activeHealth().transitions()).isEqualTo(2);
        }
    }

    @Test
    void closeCancelsPendingProbesClearsBitsAndStopsEverything() {
        SlowProbe stuck = new SlowProbe(-1, null);
        SlowProbe failing = new SlowProbe(0, Probe.Result.fail("status 500"));
        SlowProbe passing = new SlowProbe(0, Probe.Result.pass());
        HealthChecker checker = new HealthChecker(group, c -> c.path().equals("/stuck") ? stuck : failing);
        checker.apply(fixtures.snapshot(pool("a", EVERY_20MS.withPath("/stuck").withTimeout(Duration.ofSeconds(30)), 1),
                pool("b", EVERY_20MS, 2), pool("clock", null, 3)));
        Backend b = fixtures.backend("b", 2);
        await().atMost(LIMIT).until(() -> stuck.promises.size() == 1 && !b.available());
        checker.close();
        checker.close();
        await().atMost(LIMIT).until(() -> stuck.promises.get(0).isCancelled() && b.available());
        assertThat(checker.checkedBackends()).isZero();
        long run = checker.probesRun();
        long probesOfB = probes(b);
        // Another checker's backend, probed on the same loops, tells when several intervals have passed.
        try (HealthChecker clock = new HealthChecker(group, c -> passing)) {
            clock.apply(fixtures.snapshot(pool("clock", EVERY_20MS, 3)));
            await().atMost(LIMIT).until(() -> clock.probesRun() >= 6);
        }
        assertThat(checker.probesRun()).isEqualTo(run);
        assertThat(probes(b)).isEqualTo(probesOfB);
        checker.apply(fixtures.snapshot(pool("b", EVERY_20MS, 2)));
        assertThat(checker.checkedBackends()).isZero();
    }
}
