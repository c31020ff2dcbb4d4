package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.testing.TrackingAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Fuzz target for the STUN codec and the Binding responder: the input is one datagram (or one framed TCP
 * message); its last byte picks TCP (bit 0x01) and an IPv6 sender (bit 0x02). Checked for every input:
 * <ul>
 *   <li>nothing throws, the input buffer is not read from, and every buffer the responder takes is released;</li>
 *   <li>an accepted message is exactly the input, and walking its attributes stays inside it, moves forward by
 *       whole padded attributes and ends; FINGERPRINT, when present, is the last attribute;</li>
 *   <li>an answer is itself a well-formed STUN message of the same transaction, a success or an error response
 *       to a request, and only a request is ever answered; over UDP a refused message is never answered.</li>
 * </ul>
 */
class StunMessageFuzzTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);
    private static final InetSocketAddress V4;
    private static final InetSocketAddress V6;

    static {
        try {
            V4 = new InetSocketAddress(InetAddress.getByName("198.51.100.20"), 50000);
            V6 = new InetSocketAddress(InetAddress.getByName("2001:db8::20"), 50001);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parsesWithinTheDatagramAndAnswersOnlyWithWellFormedResponses(byte[] input) {
        int last = input.length == 0 ? 0 : input[input.length - 1] & 0xff;
        boolean stream = (last & 0x01) != 0;
        InetSocketAddress sender = (last & 0x02) != 0 ? V6 : V4;
        ByteBuf in = Unpooled.wrappedBuffer(input);
        StunMessage m = new StunMessage();
        StunMessage.Problem problem = m.wrap(in);
        assertThat(in.readerIndex()).isZero();
        if (problem == null) {
            checkWalk(m, input.length);
        }
        TrackingAllocator alloc = new TrackingAllocator();
        StunResponder responder = new StunResponder("fuzz", new StunStats());
        ByteBuf out = responder.answer(alloc, in, sender, LOCAL, stream);
        assertThat(in.readerIndex()).isZero();
        try {
            if (out != null) {
                assertThat(problem == null || stream).as("a refused datagram is never answered").isTrue();
                assertThat(Stun.messageClass(in.getUnsignedShort(0))).as("only requests are answered")
                        .isEqualTo(Stun.REQUEST);
                byte[] answer = new byte[out.readableBytes()];
                out.getBytes(out.readerIndex(), answer);
                StunMessage a = new StunMessage();
                assertThat(a.wrap(Unpooled.wrappedBuffer(answer))).isNull();
                assertThat(a.messageClass()).isIn(Stun.SUCCESS, Stun.ERROR);
                assertThat(Arrays.copyOfRange(answer, 4, 20)).isEqualTo(Arrays.copyOfRange(input, 4, 20));
                checkWalk(a, answer.length);
            }
        } finally {
            if (out != null) {
                out.release();
            }
        }
        alloc.assertAllReleased("after the input");
    }

    private static void checkWalk(StunMessage m, int length) {
        assertThat(m.length()).isEqualTo(length);
        int previous = m.start();
        int fingerprint = -1;
        int steps = 0;
        for (int at = m.firstAttribute(); at >= 0; at = m.nextAttribute(at)) {
            assertThat(at).isGreaterThanOrEqualTo(previous + (steps == 0 ? Stun.HEADER : 4));
            assertThat((at - m.start()) % 4).isZero();
            assertThat(at + 4 + ((m.attributeLength(at) + 3) & ~3)).isLessThanOrEqualTo(m.start() + length);
            assertThat(fingerprint).as("nothing after FINGERPRINT").isEqualTo(-1);
            if (m.attributeType(at) == Stun.FINGERPRINT) {
                fingerprint = at;
            }
            previous = at;
            steps++;
            assertThat(steps).isLessThanOrEqualTo(length / 4);
        }
        assertThat(fingerprint >= 0).isEqualTo(m.hasFingerprint());
    }
}
