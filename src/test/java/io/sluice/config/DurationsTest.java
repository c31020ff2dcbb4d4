package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
            "250ms, 250",
            "10s, 10000",
            "2m, 120000",
            "1h, 3600000",
            "1m30s, 90000",
            "1h2m3s4ms, 3723004",
            "1.5s, 1500",
            "0s, 0",
            "' 5s ', 5000",
    })
    void parses(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "10      | duration \"10\" has no unit; add a unit, e.g. 10s",
            "0       | add a unit, e.g. 0s",
            "''      | empty duration",
            "-5s     | negative",
            "10x     | unknown unit \"x\"",
            "10S     | unknown unit \"S\"",
            "1m30    | 30 has no unit",
            "s       | not a duration: \"s\"",
            "1..5s   | not a duration",
            "1 s     | \"1 s\"",
            "9999999999h | too long",
    })
    void rejectsWithAMessageNamingTheText(String text, String message) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
