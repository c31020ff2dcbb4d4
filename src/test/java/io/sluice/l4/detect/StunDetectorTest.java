package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Feed.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The stun detector on Binding requests as ICE agents send them, and on datagrams that only look alike. */
class StunDetectorTest {
    /** A Binding request with no attributes. */
    private static final byte[] BINDING = hex("0001 0000 2112a442 b7e7a701bc34d686fa87dfae");
    /** A Binding request with SOFTWARE ("sluice test", padded to 12) and FINGERPRINT. */
    private static final byte[] WITH_ATTRIBUTES = hex("0001 0018 2112a442 b7e7a701bc34d686fa87dfae"
            + "8022 000b 736c75696365207465737400" + "8028 0004 e57a3bcf");

    private final StunDetector stun = new StunDetector();

    @Test
    void bindingRequestsMatch() {
        assertThat(detect(stun, BINDING)).isEqualTo(Detection.MATCH);
        assertThat(detect(stun, WITH_ATTRIBUTES)).isEqualTo(Detection.MATCH);
        assertThat(detect(stun, concat(hex("0003 0008 2112a442"), new byte[12], hex("0019 0004 11000000"))))
                .isEqualTo(Detection.MATCH); // a TURN Allocate
    }

    @Test
    void lookAlikesAreNoMatch() {
        byte[] wrongCookie = BINDING.clone();
        wrongCookie[7] = 0x43;
        byte[] topBits = BINDING.clone();
        topBits[0] = 0x40; // TURN ChannelData, channel 0x4001
        byte[] oddLength = concat(hex("0001 0002 2112a442"), new byte[12], new byte[2]);

        assertThat(detect(stun, wrongCookie)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(stun, topBits)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(stun, oddLength)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(stun, concat(BINDING, new byte[4]))).isEqualTo(Detection.NO_MATCH); // length says 0
        assertThat(detect(stun, Arrays.copyOf(WITH_ATTRIBUTES, 40))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(stun, Arrays.copyOf(BINDING, 19))).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void isForDatagramsOnly() {
        assertThat(stun.datagram()).isTrue();
        assertThat(stun.stream()).isFalse();
    }
}
