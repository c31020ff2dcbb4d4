package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.config.RetryConfig;
import io.sluice.runtime.FailureKind;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The retry rules apart from the data path. */
class RetriesTest {

    @Test
    void onlyIdempotentOrListedMethodsAreRetriedAfterSending() {
        RetryConfig rc = RetryConfig.DEFAULTS;
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT,
                HttpMethod.DELETE)) {
            assertThat(Retries.retryableAfterSend(m, rc)).as(m.name()).isTrue();
        }
        assertThat(Retries.retryableAfterSend(HttpMethod.POST, rc)).isFalse();
        assertThat(Retries.retryableAfterSend(HttpMethod.PATCH, rc)).isFalse();
        assertThat(Retries.retryableAfterSend(HttpMethod.POST, rc.withMethods(List.of("POST")))).isTrue();
    }

    @Test
    void failuresMapToTheirRetryConditions() {
        RetryConfig rc = RetryConfig.DEFAULTS;
        assertThat(Retries.retriesOn(FailureKind.CONNECT_REFUSED, rc)).isTrue();
        assertThat(Retries.retriesOn(FailureKind.CONNECT_TIMEOUT, rc)).isTrue();
        assertThat(Retries.retriesOn(FailureKind.RESET, rc)).isTrue();
        assertThat(Retries.retriesOn(FailureKind.RESPONSE_TIMEOUT, rc)).isTrue();
        assertThat(Retries.retriesOn(FailureKind.CLIENT_ABORT, rc)).isFalse();
        assertThat(Retries.retriesOn(FailureKind.RESET, RetryConfig.NONE)).isFalse();
        assertThat(Retries.beforeSending(FailureKind.CONNECT_REFUSED)).isTrue();
        assertThat(Retries.beforeSending(FailureKind.RESET)).isFalse();
    }

    @Test
    void backoffIsFullJitterUnderAnExponentialCap() {
        RetryConfig rc = RetryConfig.DEFAULTS.withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        SplittableRandom r = new SplittableRandom(5);
        long[] max = new long[8];
        for (int n = 1; n < 8; n++) {
            for (int i = 0; i < 2000; i++) {
                long w = Retries.backoffNanos(rc, n, r);
                assertThat(w).isBetween(0L, Math.min(2_000_000_000L, 100_000_000L << (n - 1)));
                max[n] = Math.max(max[n], w);
            }
        }
        assertThat(max[1]).isGreaterThan(90_000_000L);
        assertThat(max[3]).isGreaterThan(360_000_000L);
        assertThat(max[7]).isGreaterThan(1_900_000_000L);
        assertThat(Retries.backoffNanos(rc.withBackoff(Duration.ZERO, Duration.ZERO), 3, r)).isZero();
    }

    @Test
    void retryAfterReadsSecondsAndDatesAndCapsThem() {
        long now = 1_700_000_000_000L;
        assertThat(Retries.retryAfterNanos(headers("7"), now)).isEqualTo(7_000_000_000L);
        assertThat(Retries.retryAfterNanos(headers("0"), now)).isZero();
        assertThat(Retries.retryAfterNanos(headers("999999999"), now)).isEqualTo(Retries.MAX_RETRY_AFTER_NANOS);
        assertThat(Retries.retryAfterNanos(headers("soon"), now)).isZero();
        assertThat(Retries.retryAfterNanos(new DefaultHttpHeaders(), now)).isZero();
        String inTenSeconds = DateFormatter.format(new Date(now + 10_000));
        assertThat(Retries.retryAfterNanos(headers(inTenSeconds), now)).isEqualTo(10_000_000_000L);
        String past = DateFormatter.format(new Date(now - 10_000));
        assertThat(Retries.retryAfterNanos(headers(past), now)).isZero();
    }

    private static HttpHeaders headers(String retryAfter) {
        return new DefaultHttpHeaders().set("Retry-After", retryAfter);
    }
}
