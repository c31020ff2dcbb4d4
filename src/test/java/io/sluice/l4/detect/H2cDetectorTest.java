package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** The h2c detector: exactly the HTTP/2 client connection preface. */
class H2cDetectorTest {
    private final H2cDetector h2c = new H2cDetector();

    @Test
    void thePrefaceMatchesOnceWhole() {
        byte[] preface = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};

        assertThat(Feed.byteByByte(h2c, preface)).isEqualTo(Detection.MATCH);
        assertThat(detect(h2c, concat(preface, settings))).isEqualTo(Detection.MATCH);
    }

    @Test
    void anythingElseIsNoMatchAtTheFirstWrongByte() {
        assertThat(Feed.decidedAfter(h2c, ascii("PRI * HTTP/1.1\r\n"))).isEqualTo(12);
        assertThat(detect(h2c, ascii("GET / HTTP/1.1\r\n"))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(h2c, ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\n"))).isEqualTo(Detection.NO_MATCH);
    }
}
