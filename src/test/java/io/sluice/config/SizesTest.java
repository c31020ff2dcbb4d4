package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
            "100, 100",
            "100B, 100",
            "512KiB, 524288",
            "10MiB, 10485760",
            "1GiB, 1073741824",
            "10KB, 10000",
            "10MB, 10000000",
            "2GB, 2000000000",
            "512k, 524288",
            "512K, 524288",
            "4M, 4194304",
            "1G, 1073741824",
            "1.5MiB, 1572864",
            "'16 KiB', 16384",
            "10kib, 10240",
            "0, 0",
    })
    void parses(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "10XB       | size \"10XB\" has unknown unit \"XB\"",
            "-1KiB      | negative",
            "''         | not a size: \"\"",
            "KiB        | not a size: \"KiB\"",
            "1.5B       | not a whole number of bytes",
            "99999999TB | too large",
    })
    void rejectsWithAMessageNamingTheText(String text, String message) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
