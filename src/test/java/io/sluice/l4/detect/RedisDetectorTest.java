package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** The redis detector on commands as redis-cli (RESP) and by hand (inline) send them; HTTP stays out. */
class RedisDetectorTest {
    private final RedisDetector redis = new RedisDetector();

    @Test
    void aRespPingMatchesOnceItsFirstBulkHeaderWasSeen() {
        byte[] ping = ascii("*1\r\n$4\r\nPING\r\n");

        assertThat(Feed.decidedAfter(redis, ping)).isEqualTo("*1\r\n$4\r\n".length());
        assertThat(detect(redis, ping)).isEqualTo(Detection.MATCH);
    }

    @Test
    void resp3HelloAndLongerArraysMatch() {
        assertThat(detect(redis, ascii("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"))).isEqualTo(Detection.MATCH);
        assertThat(detect(redis, ascii("*1024\r\n$3\r\nDEL\r\n"))).isEqualTo(Detection.MATCH);
        assertThat(detect(redis, ascii("*3\r\n$123456789\r\n"))).isEqualTo(Detection.MATCH);
    }

    @Test
    void inlineCommandsMatchAtTheirLineEnd() {
        assertThat(Feed.byteByByte(redis, ascii("PING\r\n"))).isEqualTo(Detection.MATCH);
        assertThat(detect(redis, ascii("PING"))).isEqualTo(Detection.NEED_MORE);
        for (String line : new String[] {"ping\n", "AUTH secret\r\n", "auth user secret\r\n", "SELECT 2\r\n",
                "get key\r\n", "SET key value EX 10\r\n", "INFO server\r\n", "HELLO 3\r\n", "QUIT\r\n", "ECHO hi\r\n",
                "SET  key \t value\r\n", "COMMAND DOCS\r\n"}) {
            assertThat(detect(redis, ascii(line))).as(line).isEqualTo(Detection.MATCH);
        }
    }

    @Test
    void anHttpRequestLineIsNoMatch() {
        assertThat(Feed.decidedAfter(redis, ascii("GET / HTTP/1.1\r\n"))).isEqualTo("GET / H".length());
        assertThat(detect(redis, ascii("POST / HTTP/1.1\r\n"))).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void brokenOrUnknownCommandsAreNoMatch() {
        for (String line : new String[] {"*0\r\n", "*01\r\n$4\r\n", "*1025\r\n", "*-1\r\n", "*1\n$4\r\n", "*1\r\n$0\r\n",
                "*1\r\n+PING\r\n", "*1\r\n$04\r\n", "*1\r\n$1234567890\r\n", "PINGS\r\n", "PING1\r\n", "PING a b\r\n",
                "AUTH\r\n", "QUIT now\r\n", "FLUSHALL\r\n", "PING\r\r", "PING \u0001\r\n", "\r\n", "SSH-2.0-x\r\n"}) {
            assertThat(detect(redis, ascii(line))).as(line).isEqualTo(Detection.NO_MATCH);
        }
    }

    @Test
    void anInlineLineIsAtMost1024Bytes() {
        String longest = "ECHO " + "x".repeat(RedisDetector.MAX_INLINE - 7) + "\r\n";
        assertThat(longest).hasSize(RedisDetector.MAX_INLINE);

        assertThat(detect(redis, ascii(longest))).isEqualTo(Detection.MATCH);
        assertThat(detect(redis, ascii("ECHO " + "x".repeat(RedisDetector.MAX_INLINE)))).isEqualTo(Detection.NO_MATCH);
    }
}
