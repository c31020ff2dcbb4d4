package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Feed.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** The postgres detector on the first messages libpq sends, decided on their first 8 bytes. */
class PostgresDetectorTest {
    private final PostgresDetector postgres = new PostgresDetector();

    @Test
    void sslRequestMatches() {
        assertThat(Feed.byteByByte(postgres, hex("00 00 00 08 04 d2 16 2f"))).isEqualTo(Detection.MATCH);
    }

    @Test
    void gssEncRequestAndCancelRequestMatch() {
        assertThat(Feed.byteByByte(postgres, hex("00 00 00 08 04 d2 16 30"))).isEqualTo(Detection.MATCH);
        byte[] cancel = hex("00 00 00 10 04 d2 16 2e 00 00 30 39 12 34 56 78");
        assertThat(Feed.decidedAfter(postgres, cancel)).isEqualTo(8);
        assertThat(detect(postgres, cancel)).isEqualTo(Detection.MATCH);
    }

    @Test
    void aStartupMessageMatches() {
        byte[] parameters = ascii("user\0app\0database\0orders\0application_name\0psql\0\0");
        int length = 8 + parameters.length;
        byte[] startup = concat(new byte[] {0, 0, 0, (byte) length, 0, 3, 0, 0}, parameters);

        assertThat(Feed.decidedAfter(postgres, startup)).isEqualTo(8);
        assertThat(detect(postgres, startup)).isEqualTo(Detection.MATCH);
        assertThat(detect(postgres, hex("00 00 27 10 00 03 00 02"))).isEqualTo(Detection.MATCH); // 10000 bytes, 3.2
    }

    @Test
    void otherHeadersAreNoMatchAsSoonAsTheyCannotBeOne() {
        assertThat(Feed.decidedAfter(postgres, hex("01 00 00 08 04 d2 16 2f"))).isEqualTo(1);
        assertThat(Feed.decidedAfter(postgres, hex("00 00 27 11 00 03 00 00"))).isEqualTo(4); // 10001 bytes
        assertThat(Feed.decidedAfter(postgres, hex("00 00 00 07 00 03 00 00"))).isEqualTo(4);
        assertThat(Feed.decidedAfter(postgres, hex("00 00 00 08 00 02 00 00"))).isEqualTo(6); // protocol 2.0
        assertThat(detect(postgres, hex("00 00 00 10 04 d2 16 2f"))).isEqualTo(Detection.NO_MATCH); // SSL, 16 bytes
        assertThat(detect(postgres, hex("00 00 00 08 04 d2 16 2e"))).isEqualTo(Detection.NO_MATCH); // cancel, 8 bytes
        assertThat(detect(postgres, hex("00 00 00 20 00 03 00 03"))).isEqualTo(Detection.NO_MATCH); // 3.3
        assertThat(detect(postgres, ascii("GET / HT"))).isEqualTo(Detection.NO_MATCH);
    }
}
