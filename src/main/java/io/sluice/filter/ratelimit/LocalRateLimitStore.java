package io.sluice.filter.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process: a Bucket4j bucket per key (lock-free, greedy refill) in a Caffeine cache
 * bounded by {@code maxKeys}. A key unused for as long as its bucket takes to fill up again is dropped: a
 * fresh bucket would be full too, so nothing is lost. When there are more keys than {@code maxKeys}, Caffeine
 * evicts the least useful ones; an evicted key starts again with a full bucket (a flood of distinct keys can
 * therefore let an evicted client burst once more, but memory stays bounded).
 *
 * <p>Lookups take Caffeine's lock-free read path; a bucket is made only on a miss. Thread-safe.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    private final Cache<Object, Bucket> buckets;
    private final long burst;
    private final Duration refillPeriod;
    private final TimeMeter time;

    /**
     * @param requestsPerSecond refill rate, more than zero
     * @param burst             bucket size, at least 1
     * @param maxKeys           the most keys remembered, at least 1
     * @param nanoClock         the clock, in {@link System#nanoTime()} terms (tests pass a fake one)
     * @param maintenance       where Caffeine does its upkeep (evictions); {@code Runnable::run} in tests
     */
    public LocalRateLimitStore(double requestsPerSecond, long burst, long maxKeys, LongSupplier nanoClock,
                               Executor maintenance) {
        if (!(requestsPerSecond > 0) || burst < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("rate must be > 0, burst and maxKeys >= 1");
        }
        this.burst = burst;
        // burst tokens over the time they take to come back: the same rate, also for rates below 1/s
        this.refillPeriod = Duration.ofNanos(Math.max(1, Math.round(burst * 1e9 / requestsPerSecond)));
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoClock.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(refillPeriod.toNanos(), TimeUnit.NANOSECONDS)
                .ticker(nanoClock::getAsLong)
                .executor(maintenance)
                .build();
    }

    /** A store on the real clock, with Caffeine's upkeep on the common pool. */
    public LocalRateLimitStore(double requestsPerSecond, long burst, long maxKeys) {
        this(requestsPerSecond, burst, maxKeys, System::nanoTime, java.util.concurrent.ForkJoinPool.commonPool());
    }

    @Override
    public long tryConsume(Object key) {
        Bucket b = buckets.getIfPresent(key);
        if (b == null) {
            b = buckets.get(key, k -> newBucket());
        }
        ConsumptionProbe p = b.tryConsumeAndReturnRemaining(1);
        return p.isConsumed() ? p.getRemainingTokens() : -Math.max(1, p.getNanosToWaitForRefill());
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(l -> l.capacity(burst).refillGreedy(burst, refillPeriod))
                .withCustomTimePrecision(time)
                .build();
    }

    /** How long an idle bucket takes to fill up again (and so how long an idle key is kept). */
    public Duration refillPeriod() {
        return refillPeriod;
    }

    /** Keys remembered now, approximately (exact after {@link #cleanUp}). */
    public long estimatedSize() {
        return buckets.estimatedSize();
    }

    /** Does pending evictions now. */
    public void cleanUp() {
        buckets.cleanUp();
    }
}
