package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Feed.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The dns detector on queries built by hand as dig sends them, and on responses and broken datagrams. */
class DnsDetectorTest {
    /** ID 0x1234, RD set, one question: example.com A IN. */
    private static final byte[] QUERY = hex("1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001");
    /** The same with AD set and an EDNS OPT record (UDP size 1232), as dig sends it. */
    private static final byte[] EDNS = hex("abcd 0120 0001 0000 0000 0001 07 6578616d706c65 03 636f6d 00 0001 0001"
            + "00 0029 04d0 00000000 0000");

    private final DnsDetector dns = new DnsDetector();

    @Test
    void queriesMatch() {
        assertThat(detect(dns, QUERY)).isEqualTo(Detection.MATCH);
        assertThat(detect(dns, EDNS)).isEqualTo(Detection.MATCH);
        assertThat(detect(dns, hex("0001 0000 0001 0000 0000 0000 00 0002 0001"))).isEqualTo(Detection.MATCH); // . NS
        assertThat(detect(dns, hex("0000 0000 0001 0000 0000 0000 05 5f68747470 00 000c 8001"))).isEqualTo(Detection.MATCH); // mDNS QU
        assertThat(detect(dns, hex("0001 2800 0001 0000 0000 0000 03 636f6d 00 0006 0001"))).isEqualTo(Detection.MATCH); // UPDATE
    }

    @Test
    void responsesAndOtherOpcodesAreNoMatch() {
        byte[] response = QUERY.clone();
        response[2] |= (byte) 0x80;
        byte[] inverse = QUERY.clone();
        inverse[2] |= 1 << 3; // opcode 1, IQUERY
        byte[] refused = QUERY.clone();
        refused[3] |= 5;

        assertThat(detect(dns, response)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(dns, inverse)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(dns, refused)).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void brokenQuestionsAreNoMatch() {
        for (int n = 0; n < QUERY.length; n++) {
            assertThat(detect(dns, Arrays.copyOf(QUERY, n))).as("%d bytes", n).isEqualTo(Detection.NO_MATCH);
        }
        byte[] noQuestion = QUERY.clone();
        noQuestion[5] = 0;
        byte[] manyQuestions = QUERY.clone();
        manyQuestions[5] = 5;
        byte[] pointer = concat(Arrays.copyOf(QUERY, 12), hex("c00c 0001 0001"));
        byte[] longLabel = concat(Arrays.copyOf(QUERY, 12), new byte[] {64}, new byte[64], hex("00 0001 0001"));
        byte[] chaos = QUERY.clone();
        chaos[chaos.length - 1] = 2; // class 2 is unassigned

        for (byte[] d : new byte[][] {noQuestion, manyQuestions, pointer, longLabel, chaos}) {
            assertThat(detect(dns, d)).isEqualTo(Detection.NO_MATCH);
        }
    }

    @Test
    void aNameIsAtMost255Bytes() {
        byte[] label = concat(new byte[] {63}, new byte[63]);
        byte[] header = Arrays.copyOf(QUERY, 12);
        byte[] longest = concat(header, label, label, label, new byte[] {61}, new byte[61], hex("00 0001 0001"));
        byte[] tooLong = concat(header, label, label, label, new byte[] {62}, new byte[62], hex("00 0001 0001"));

        assertThat(detect(dns, longest)).isEqualTo(Detection.MATCH);
        assertThat(detect(dns, tooLong)).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void isForDatagramsOnly() {
        assertThat(dns.datagram()).isTrue();
        assertThat(dns.stream()).isFalse();
    }
}
