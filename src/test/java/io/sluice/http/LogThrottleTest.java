package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogThrottleTest {

    @Test
    void theFirstEventPassesAndTheNextWithinThePeriodDoesNot() {
        LogThrottle hourly = new LogThrottle(3_600_000_000_000L);
        assertThat(hourly.allow()).isTrue();
        assertThat(hourly.allow()).isFalse();
        assertThat(hourly.allow()).isFalse();
    }

    @Test
    void withNoPeriodEveryEventPasses() {
        LogThrottle none = new LogThrottle(0);
        assertThat(none.allow()).isTrue();
        assertThat(none.allow()).isTrue();
    }
}
