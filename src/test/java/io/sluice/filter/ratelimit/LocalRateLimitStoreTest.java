package io.sluice.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets and their bounded, expiring map, on a fake clock. */
class LocalRateLimitStoreTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private LocalRateLimitStore store(double rps, long burst, long maxKeys) {
        return new LocalRateLimitStore(rps, burst, maxKeys, now::get, Runnable::run);
    }

    @Test
    void aFullBucketPassesBurstThenRefusesWithTheWaitForOneToken() {
        LocalRateLimitStore s = store(10, 5, 100);
        for (int i = 4; i >= 0; i--) {
            assertThat(s.tryConsume("k")).isEqualTo(i);
        }
        long refused = s.tryConsume("k");
        assertThat(RateLimitStore.refused(refused)).isTrue();
        assertThat(RateLimitStore.waitNanos(refused)).isEqualTo(SECOND / 10); // 10/s: a token per 100 ms

        now.addAndGet(SECOND / 20); // half a token
        assertThat(RateLimitStore.waitNanos(s.tryConsume("k"))).isEqualTo(SECOND / 20);
        now.addAndGet(SECOND / 20);
        assertThat(s.tryConsume("k")).isZero();
        now.addAndGet(10 * SECOND); // refills to the burst, not beyond
        for (int i = 4; i >= 0; i--) {
            assertThat(s.tryConsume("k")).isEqualTo(i);
        }
        assertThat(RateLimitStore.refused(s.tryConsume("k"))).isTrue();
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        LocalRateLimitStore s = store(1, 1, 100);
        assertThat(s.tryConsume("a")).isZero();
        assertThat(RateLimitStore.refused(s.tryConsume("a"))).isTrue();
        assertThat(s.tryConsume("b")).isZero();
        assertThat(s.tryConsume(java.util.List.of("a", "x"))).isZero();
    }

    @Test
    void aRateBelowOnePerSecondWaitsSeconds() {
        LocalRateLimitStore s = store(0.5, 1, 100);
        assertThat(s.tryConsume("k")).isZero();
        assertThat(RateLimitStore.waitNanos(s.tryConsume("k"))).isEqualTo(2 * SECOND);
        now.addAndGet(2 * SECOND);
        assertThat(s.tryConsume("k")).isZero();
    }

    @Test
    void aMillionDistinctClientIpsKeepTheMapAtItsBound() throws Exception {
        LocalRateLimitStore s = store(100, 200, 10_000);
        byte[] ip = new byte[4];
        for (int i = 0; i < 1_000_000; i++) {
            ip[0] = 10;
            ip[1] = (byte) (i >>> 16);
            ip[2] = (byte) (i >>> 8);
            ip[3] = (byte) i;
            assertThat(s.tryConsume(InetAddress.getByAddress(ip))).isEqualTo(199);
        }
        s.cleanUp();
        assertThat(s.estimatedSize()).isEqualTo(10_000);
    }

    @Test
    void anIdleKeyIsForgottenOnceItsBucketWouldBeFullAgain() {
        LocalRateLimitStore s = store(100, 200, 10_000);
        for (int i = 0; i < 500; i++) {
            s.tryConsume("client-" + i);
        }
        s.cleanUp();
        assertThat(s.estimatedSize()).isEqualTo(500);
        assertThat(s.refillPeriod().toMillis()).isEqualTo(2_000); // 200 tokens at 100/s
        now.addAndGet(s.refillPeriod().toNanos() - 1);
        s.tryConsume("client-0"); // used again: kept
        now.addAndGet(2);
        s.cleanUp();
        assertThat(s.estimatedSize()).isEqualTo(1);
        assertThat(s.tryConsume("client-1")).isEqualTo(199); // forgotten: as full as it would have been
    }
}
