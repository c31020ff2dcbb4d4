package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The http detector: HTTP/1.x request lines match once whole; the HTTP/2 preface and broken lines do not. */
class HttpDetectorTest {
    private final HttpDetector http = new HttpDetector();

    @Test
    void aRequestLineMatchesOnceWhole() {
        byte[] request = ascii("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        int line = "GET /index.html?q=1 HTTP/1.1\r\n".length();

        assertThat(Feed.byteByByte(http, Arrays.copyOf(request, line))).isEqualTo(Detection.MATCH);
        assertThat(detect(http, request)).isEqualTo(Detection.MATCH);
    }

    @Test
    void everyFormOfTargetAndExtensionMethodsMatch() {
        for (String line : new String[] {"OPTIONS * HTTP/1.1\r\n", "CONNECT db.internal:5432 HTTP/1.1\r\n",
                "POST http://example.com/a%20b HTTP/1.0\r\n", "PROPFIND /dav/ HTTP/1.1\r\n", "M-SEARCH * HTTP/1.1\r\n",
                "get / HTTP/1.1\r\n", "X".repeat(32) + " / HTTP/1.1\r\n"}) {
            assertThat(detect(http, ascii(line))).as(line).isEqualTo(Detection.MATCH);
        }
    }

    @Test
    void theHttp2PrefaceIsNoMatchAtItsVersion() {
        byte[] preface = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

        assertThat(Feed.decidedAfter(http, preface)).isEqualTo("PRI * HTTP/2".length());
        assertThat(detect(http, preface)).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void brokenLinesAreNoMatchAtTheFirstWrongByte() {
        assertThat(Feed.decidedAfter(http, ascii("GET  / HTTP/1.1\r\n"))).isEqualTo(5);
        assertThat(Feed.decidedAfter(http, ascii("GET /a b HTTP/1.1\r\n"))).isEqualTo(8);
        assertThat(Feed.decidedAfter(http, ascii("G(T / HTTP/1.1\r\n"))).isEqualTo(2);
        for (String line : new String[] {" GET / HTTP/1.1\r\n", "\r\nGET / HTTP/1.1\r\n", "GET / HTTP/1.1\n",
                "GET / HTTP/1.1\r\r", "GET / HTTP/1.x\r\n", "GET / http/1.1\r\n", "GET /\r\n", "GET / HTTP/1.1 \r\n",
                "GET /\u00e9 HTTP/1.1\r\n", "X".repeat(33) + " / HTTP/1.1\r\n"}) {
            assertThat(detect(http, ascii(line))).as(line).isEqualTo(Detection.NO_MATCH);
        }
    }

    @Test
    void aLineOver8KibIsNoMatch() {
        String fits = "GET /" + "a".repeat(HttpDetector.MAX_LINE - 16 - 5) + " HTTP/1.1\r\n";
        assertThat(fits).hasSize(HttpDetector.MAX_LINE - 5);
        String tooLong = "GET /" + "a".repeat(HttpDetector.MAX_LINE) + " HTTP/1.1\r\n";

        assertThat(detect(http, ascii(fits))).isEqualTo(Detection.MATCH);
        assertThat(detect(http, ascii(tooLong))).isEqualTo(Detection.NO_MATCH);
        assertThat(Feed.decidedAfter(http, ascii(tooLong))).isEqualTo(HttpDetector.MAX_LINE);
    }

    @Test
    void tlsAndBinaryAreNoMatchAtOnce() {
        assertThat(detect(http, new byte[] {0x16, 3, 1})).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(http, new byte[] {0})).isEqualTo(Detection.NO_MATCH);
    }
}
