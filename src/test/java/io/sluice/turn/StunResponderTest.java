package io.sluice.turn;

import static io.sluice.turn.StunTestMessages.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.testing.TrackingAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StunResponderTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 3478);
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final StunStats stats = new StunStats();
    private final StunResponder responder = new StunResponder("Sluice test", stats);
    private final StunMessage answer = new StunMessage();

    @AfterEach
    void nothingLeaks() {
        alloc.assertAllReleased("after the test");
    }

    /** The answer's bytes (the buffer released), or null. */
    private byte[] answer(byte[] request, InetSocketAddress from, boolean stream) {
        ByteBuf out = responder.answer(alloc, Unpooled.wrappedBuffer(request), from, LOCAL, stream);
        if (out == null) {
            return null;
        }
        byte[] b = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), b);
        out.release();
        assertThat(answer.wrap(Unpooled.wrappedBuffer(b))).as("our answer is well formed").isNull();
        return b;
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void aBindingRequestLearnsItsAddressBackXoredWithSoftwareAndFingerprint() throws Exception {
        byte[] b = answer(StunTestMessages.of(1, StunTestMessages.RFC5769_ID).fingerprint().bytes(),
                at("192.0.2.1", 32853), false);
        assertThat(Arrays.copyOfRange(b, 0, 2)).isEqualTo(hex("0101"));
        assertThat(Arrays.copyOfRange(b, 4, 20)).isEqualTo(hex("2112a442 b7e7a701bc34d686fa87dfae"));
        int x = answer.find(Stun.XOR_MAPPED_ADDRESS);
        assertThat(Arrays.copyOfRange(b, x, x + 12)).isEqualTo(hex("0020 0008 0001 a147 e112a643"));
        int sw = answer.find(Stun.SOFTWARE);
        assertThat(new String(b, sw + 4, answer.attributeLength(sw), StandardCharsets.UTF_8)).isEqualTo("Sluice test");
        assertThat(answer.hasFingerprint()).isTrue();
        assertThat(answer.find(Stun.MAPPED_ADDRESS)).isEqualTo(-1);
        assertThat(stats.bindings()).isEqualTo(1);
    }

    @Test
    void anIpv6ClientGetsItsIpv6Address() throws Exception {
        byte[] b = answer(StunTestMessages.of(1, StunTestMessages.RFC5769_ID).bytes(),
                at("2001:db8:1234:5678:11:2233:4455:6677", 32853), true);
        int x = answer.find(Stun.XOR_MAPPED_ADDRESS);
        assertThat(Arrays.copyOfRange(b, x, x + 24))
                .isEqualTo(hex("0020 0014 0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"));
    }

    @Test
    void anRfc3489ClientGetsPlainAddressesAndNoFingerprint() throws Exception {
        byte[] id = hex("00112233445566778899aabbccddeeff");
        byte[] b = answer(StunTestMessages.classic(1, id).attr(Stun.CHANGE_REQUEST, new byte[4]).bytes(),
                at("198.51.100.7", 4000), false);
        assertThat(Arrays.copyOfRange(b, 0, 20)).isEqualTo(hex("0101 0024 00112233445566778899aabbccddeeff"));
        int mapped = answer.find(Stun.MAPPED_ADDRESS);
        assertThat(Arrays.copyOfRange(b, mapped, mapped + 12)).isEqualTo(hex("0001 0008 0001 0fa0 c6336407"));
        int source = answer.find(Stun.SOURCE_ADDRESS);
        assertThat(Arrays.copyOfRange(b, source, source + 12)).isEqualTo(hex("0004 0008 0001 0d96 7f000001"));
        assertThat(answer.find(Stun.CHANGED_ADDRESS)).isPositive();
        assertThat(answer.hasFingerprint()).isFalse();
        assertThat(answer.find(Stun.XOR_MAPPED_ADDRESS)).isEqualTo(-1);
    }

    @Test
    void unknownComprehensionRequiredAttributesGet420ListingEachOnce() throws Exception {
        byte[] b = answer(StunTestMessages.of(1, StunTestMessages.RFC5769_ID)
                .attr(0x0031, new byte[4]).attr(0x8031, new byte[4]).attr(0x0032, new byte[1])
                .attr(0x0031, new byte[0]).fingerprint().bytes(), at("192.0.2.1", 1), false);
        assertThat(answer.messageClass()).isEqualTo(Stun.ERROR);
        assertThat(answer.method()).isEqualTo(Stun.BINDING);
        int e = answer.find(Stun.ERROR_CODE);
        assertThat(Arrays.copyOfRange(b, e + 4, e + 8)).as("class 4, number 20").isEqualTo(hex("00000414"));
        int u = answer.find(Stun.UNKNOWN_ATTRIBUTES);
        assertThat(Arrays.copyOfRange(b, u, u + 8)).as("0x8031 is optional: not listed")
                .isEqualTo(hex("000a 0004 0031 0032"));
        assertThat(answer.hasFingerprint()).isTrue();
        assertThat(stats.errors()).isEqualTo(1);
    }

    @Test
    void aChangeRequestThatWouldNeedAnotherAddressGets420() throws Exception {
        answer(StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.CHANGE_REQUEST, hex("00000004")).bytes(),
                at("192.0.2.1", 1), false);
        int u = answer.find(Stun.UNKNOWN_ATTRIBUTES);
        assertThat(answer.messageClass()).isEqualTo(Stun.ERROR);
        assertThat(answer.buffer().getInt(u)).isEqualTo(0x000a0002);
        assertThat(answer.buffer().getShort(u + 4)).isEqualTo((short) Stun.CHANGE_REQUEST);
        byte[] plain = answer(StunTestMessages.of(1, StunTestMessages.RFC5769_ID)
                .attr(Stun.CHANGE_REQUEST, hex("00000000")).bytes(), at("192.0.2.1", 1), false);
        assertThat(plain).isNotNull();
        assertThat(answer.messageClass()).as("no change asked: an ordinary answer").isEqualTo(Stun.SUCCESS);
    }

    @Test
    void malformedIsDroppedOverUdpAndAnswered400OverTcp() throws Exception {
        byte[] bad = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[4]).bytes();
        bad[23] = 40; // the attribute runs past the end
        assertThat(answer(bad, at("192.0.2.1", 1), false)).isNull();
        byte[] b = answer(bad, at("192.0.2.1", 1), true);
        assertThat(Arrays.copyOfRange(b, 0, 2)).isEqualTo(hex("0111"));
        assertThat(Arrays.copyOfRange(b, 4, 20)).isEqualTo(hex("2112a442 b7e7a701bc34d686fa87dfae"));
        int e = answer.find(Stun.ERROR_CODE);
        assertThat(answer.buffer().getInt(e + 4)).isEqualTo(0x0400);
        assertThat(answer.buffer().toString(e + 8, answer.attributeLength(e) - 4, StandardCharsets.UTF_8))
                .startsWith("Bad Request");
        assertThat(stats.malformed()).isEqualTo(2);
        byte[] badResponse = bad.clone();
        badResponse[0] = 0x01; // type 0x0101, a malformed success response: no answer to that, even over TCP
        assertThat(answer(badResponse, at("192.0.2.1", 1), true)).isNull();
    }

    @Test
    void indicationsResponsesAndOtherMethodsOfOldClientsAreNotAnswered() throws Exception {
        assertThat(answer(StunTestMessages.of(0x0011, StunTestMessages.RFC5769_ID).bytes(), at("192.0.2.1", 1), false))
                .isNull();
        assertThat(answer(StunTestMessages.of(0x0101, StunTestMessages.RFC5769_ID).bytes(), at("192.0.2.1", 1), false))
                .isNull();
        assertThat(answer(StunTestMessages.classic(0x0002, new byte[16]).bytes(), at("192.0.2.1", 1), false)).isNull();
        assertThat(stats.ignored()).isEqualTo(3);
    }

    @Test
    void aRequestOfAMethodNotServedGets400() throws Exception {
        byte[] b = answer(StunTestMessages.of(0x0003, StunTestMessages.RFC5769_ID).fingerprint().bytes(),
                at("192.0.2.1", 1), false);
        assertThat(answer.method()).as("Allocate").isEqualTo(0x003);
        assertThat(answer.messageClass()).isEqualTo(Stun.ERROR);
        assertThat(answer.buffer().getInt(answer.find(Stun.ERROR_CODE) + 4)).isEqualTo(0x0400);
        assertThat(b).isNotNull();
    }
}
