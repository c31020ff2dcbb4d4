package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** PrefixDetector and the hex a route writes its prefix in. */
class PrefixDetectorTest {
    @Test
    void parsesHexPairsWithOrWithoutSpaces() {
        assertThat(PrefixDetector.parseHex("16 03")).containsExactly(0x16, 0x03);
        assertThat(PrefixDetector.parseHex("1603")).containsExactly(0x16, 0x03);
        assertThat(PrefixDetector.parseHex("  dE\tad BE ef ")).containsExactly(0xde, 0xad, 0xbe, 0xef);
    }

    @Test
    void badHexSaysWhatIsWrongAndWhere() {
        assertThatThrownBy(() -> PrefixDetector.parseHex("16 0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0' at 3 is half a byte");
        assertThatThrownBy(() -> PrefixDetector.parseHex("1 603")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1' at 0 is half a byte");
        assertThatThrownBy(() -> PrefixDetector.parseHex("0x16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' at 1 is not a hex digit");
        assertThatThrownBy(() -> PrefixDetector.parseHex("16 g3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'g' at 3 is not a hex digit");
        assertThatThrownBy(() -> PrefixDetector.parseHex("\uff11\uff16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a hex digit");
        assertThatThrownBy(() -> PrefixDetector.parseHex(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no bytes");
    }

    @Test
    void matchesItsBytesOnceAllWereSeen() {
        PrefixDetector prefix = new PrefixDetector(PrefixDetector.parseHex("16 03"));

        assertThat(Feed.byteByByte(prefix, new byte[] {0x16, 0x03})).isEqualTo(Detection.MATCH);
        assertThat(detect(prefix, new byte[] {0x16, 0x03, 0x01, 0x00})).isEqualTo(Detection.MATCH);
        assertThat(detect(prefix, new byte[] {0x16, 0x02})).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(prefix, new byte[] {0x17})).isEqualTo(Detection.NO_MATCH);
        assertThat(prefix.protocol()).isEqualTo("prefix");
        assertThat(prefix.stream()).isTrue();
        assertThat(prefix.datagram()).isTrue();
        assertThat(prefix).hasToString("prefix(16 03)");
    }

    @Test
    void keepsItsOwnCopy() {
        byte[] bytes = {1, 2};
        PrefixDetector prefix = new PrefixDetector(bytes);
        bytes[0] = 9;
        prefix.prefix()[1] = 9;

        assertThat(prefix.prefix()).containsExactly(1, 2);
    }

    @Test
    void anEmptyOrOverlongPrefixIsRefused() {
        assertThatThrownBy(() -> new PrefixDetector(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 256 bytes, not 0");
        assertThatThrownBy(() -> new PrefixDetector(new byte[257])).isInstanceOf(IllegalArgumentException.class);
    }
}
