package io.sluice.turn;

import static io.sluice.turn.StunTestMessages.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.turn.StunMessage.Problem;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StunMessageTest {
    private final StunMessage m = new StunMessage();

    private Problem wrap(byte[] bytes) {
        return m.wrap(Unpooled.wrappedBuffer(bytes));
    }

    @Test
    void messageTypesSplitAndJoinMethodAndClass() {
        assertThat(Stun.messageType(Stun.BINDING, Stun.REQUEST)).isEqualTo(0x0001);
        assertThat(Stun.messageType(Stun.BINDING, Stun.INDICATION)).isEqualTo(0x0011);
        assertThat(Stun.messageType(Stun.BINDING, Stun.SUCCESS)).isEqualTo(0x0101);
        assertThat(Stun.messageType(Stun.BINDING, Stun.ERROR)).isEqualTo(0x0111);
        assertThat(Stun.messageType(0x003, Stun.ERROR)).as("Allocate error").isEqualTo(0x0113);
        assertThat(Stun.messageType(0x009, Stun.REQUEST)).as("ChannelBind").isEqualTo(0x0009);
        for (int method = 0; method < 0x1000; method++) {
            for (int cls = 0; cls < 4; cls++) {
                int type = Stun.messageType(method, cls);
                assertThat(type).isLessThan(0x4000);
                assertThat(Stun.method(type)).isEqualTo(method);
                assertThat(Stun.messageClass(type)).isEqualTo(cls);
            }
        }
    }

    @Test
    void aRequestWithAttributesAndFingerprintIsReadWhereItLies() {
        byte[] bytes = StunTestMessages.of(0x0001, StunTestMessages.RFC5769_ID)
                .attr(Stun.SOFTWARE, "STUN test client".getBytes(StandardCharsets.US_ASCII))
                .attr(0x8054, new byte[] {1, 2, 3}) // comprehension-optional, 3 bytes then a byte of padding
                .fingerprint().bytes();
        ByteBuf buf = Unpooled.buffer().writeZero(5).writeBytes(bytes);
        buf.readerIndex(5);
        assertThat(m.wrap(buf)).isNull();
        assertThat(buf.readerIndex()).as("nothing read").isEqualTo(5);
        assertThat(m.start()).isEqualTo(5);
        assertThat(m.length()).isEqualTo(bytes.length);
        assertThat(m.method()).isEqualTo(Stun.BINDING);
        assertThat(m.messageClass()).isEqualTo(Stun.REQUEST);
        assertThat(m.classic()).isFalse();
        assertThat(m.hasFingerprint()).isTrue();
        int sw = m.find(Stun.SOFTWARE);
        assertThat(m.attributeLength(sw)).isEqualTo(16);
        assertThat(buf.toString(StunMessage.valueIndex(sw), 16, StandardCharsets.US_ASCII)).isEqualTo("STUN test client");
        int odd = m.nextAttribute(sw);
        assertThat(m.attributeType(odd)).isEqualTo(0x8054);
        assertThat(m.attributeLength(odd)).isEqualTo(3);
        assertThat(m.attributeType(m.nextAttribute(odd))).isEqualTo(Stun.FINGERPRINT);
        assertThat(m.nextAttribute(m.nextAttribute(odd))).isEqualTo(-1);
        assertThat(m.find(Stun.USERNAME)).isEqualTo(-1);
    }

    @Test
    void eachMalformedShapeIsNamed() {
        byte[] ok = StunTestMessages.of(0x0001, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[5]).bytes();
        assertThat(wrap(ok)).isNull();
        assertThat(wrap(new byte[19])).isEqualTo(Problem.TOO_SHORT);
        byte[] channelData = ok.clone();
        channelData[0] = 0x40;
        assertThat(wrap(channelData)).isEqualTo(Problem.NOT_STUN);
        byte[] odd = ok.clone();
        odd[3] = 13;
        assertThat(wrap(odd)).isEqualTo(Problem.BAD_LENGTH);
        byte[] longer = java.util.Arrays.copyOf(ok, ok.length + 4);
        assertThat(wrap(longer)).as("4 bytes more than the header says").isEqualTo(Problem.LENGTH_MISMATCH);
        assertThat(wrap(StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[4])
                .attr(0x8055, new byte[0]).raw()))
                .as("the length field still 0 while attributes follow").isEqualTo(Problem.LENGTH_MISMATCH);
        // an attribute claiming 8 bytes where 4 remain
        byte[] over = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[4]).bytes();
        over[23] = 8;
        assertThat(wrap(over)).isEqualTo(Problem.ATTRIBUTE_OVERFLOW);
        // 5 bytes of value whose padding is missing: the length says 8 (header) + 4
        byte[] pad = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[4]).bytes();
        pad[23] = 5;
        assertThat(wrap(pad)).isEqualTo(Problem.ATTRIBUTE_OVERFLOW);
        byte[] afterFp = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).fingerprint().raw();
        byte[] withTail = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(0x8050, new byte[0]).raw();
        assertThat(afterFp.length).isEqualTo(28);
        byte[] tail = java.util.Arrays.copyOf(afterFp, 32);
        tail[3] = 12; // the length now covers a 4-byte attribute after FINGERPRINT
        System.arraycopy(withTail, 20, tail, 28, 4);
        assertThat(wrap(tail)).isEqualTo(Problem.AFTER_FINGERPRINT);
        assertThat(wrap(StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.MESSAGE_INTEGRITY, new byte[16])
                .bytes())).isEqualTo(Problem.BAD_INTEGRITY);
        assertThat(wrap(StunTestMessages.of(1, StunTestMessages.RFC5769_ID)
                .attr(Stun.MESSAGE_INTEGRITY_SHA256, new byte[12]).bytes())).isEqualTo(Problem.BAD_INTEGRITY);
        byte[] fp = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).attr(Stun.SOFTWARE, new byte[4])
                .fingerprint().bytes();
        assertThat(wrap(fp)).isNull();
        fp[25] ^= 1; // a bit of SOFTWARE's value flipped in transit
        assertThat(wrap(fp)).isEqualTo(Problem.BAD_FINGERPRINT);
    }

    @Test
    void attributesAfterMessageIntegrityAreSkippedButFingerprintIsNot() {
        byte[] bytes = StunTestMessages.of(1, StunTestMessages.RFC5769_ID)
                .attr(Stun.USERNAME, "u".getBytes(StandardCharsets.US_ASCII))
                .attr(Stun.MESSAGE_INTEGRITY, new byte[20])
                .attr(Stun.SOFTWARE, new byte[4])
                .attr(Stun.MESSAGE_INTEGRITY_SHA256, new byte[32])
                .fingerprint().bytes();
        assertThat(wrap(bytes)).isNull();
        assertThat(m.find(Stun.USERNAME)).isEqualTo(20);
        assertThat(m.integrity()).isEqualTo(28);
        assertThat(m.find(Stun.SOFTWARE)).as("after MESSAGE-INTEGRITY: ignored").isEqualTo(-1);
        assertThat(m.find(Stun.MESSAGE_INTEGRITY_SHA256)).isEqualTo(m.integritySha256()).isPositive();
        assertThat(m.find(Stun.FINGERPRINT)).isPositive();
    }

    @Test
    void aMessageWithoutTheCookieIsAClassicOne() {
        byte[] id = hex("0102030405060708090a0b0c0d0e0f10");
        assertThat(wrap(StunTestMessages.classic(1, id).attr(Stun.CHANGE_REQUEST, new byte[4]).bytes())).isNull();
        assertThat(m.classic()).isTrue();
        assertThat(m.find(Stun.CHANGE_REQUEST)).isEqualTo(20);
    }

    @Test
    void xorAddressesMatchRfc5769AndReadBackPlain() throws Exception {
        byte[] request = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).bytes();
        assertThat(wrap(request)).isNull();
        ByteBuf out = Unpooled.buffer();
        int start = StunWriter.answer(out, m, Stun.BINDING, Stun.SUCCESS);
        StunWriter.xorAddress(out, start, Stun.XOR_MAPPED_ADDRESS,
                new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        StunWriter.xorAddress(out, start, Stun.XOR_MAPPED_ADDRESS,
                new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        StunWriter.address(out, Stun.MAPPED_ADDRESS, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        StunWriter.fingerprint(out, start);
        byte[] b = new byte[out.readableBytes()];
        out.getBytes(0, b);
        // RFC 5769's sample responses: X-Port a147, X-Address e112a643 and 0113a9fa...b9d9
        assertThat(java.util.Arrays.copyOfRange(b, 20, 32)).isEqualTo(hex("0020 0008 0001 a147 e112a643"));
        assertThat(java.util.Arrays.copyOfRange(b, 32, 56))
                .isEqualTo(hex("0020 0014 0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"));
        assertThat(java.util.Arrays.copyOfRange(b, 56, 68)).isEqualTo(hex("0001 0008 0001 8055 c0000201"));
        assertThat(java.util.Arrays.copyOfRange(b, 0, 20))
                .isEqualTo(hex("0101 0038 2112a442 b7e7a701bc34d686fa87dfae"));
        StunMessage back = new StunMessage();
        assertThat(back.wrap(Unpooled.wrappedBuffer(b))).as("our own fingerprint checks").isNull();
        assertThat(back.hasFingerprint()).isTrue();
        byte[] independent = StunTestMessages.of(0x0101, StunTestMessages.RFC5769_ID)
                .attr(Stun.XOR_MAPPED_ADDRESS, hex("0001 a147 e112a643"))
                .attr(Stun.XOR_MAPPED_ADDRESS, hex("0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"))
                .attr(Stun.MAPPED_ADDRESS, hex("0001 8055 c0000201"))
                .fingerprint().bytes();
        assertThat(b).as("the same bytes as the JDK-built message, FINGERPRINT included").isEqualTo(independent);
    }

    @Test
    void errorCodeAndUnknownAttributesArePadded() {
        byte[] request = StunTestMessages.of(1, StunTestMessages.RFC5769_ID).bytes();
        assertThat(wrap(request)).isNull();
        ByteBuf out = Unpooled.buffer();
        int start = StunWriter.answer(out, m, Stun.BINDING, Stun.ERROR);
        StunWriter.errorCode(out, 420, "Unknown");
        StunWriter.unknownAttributes(out, new int[] {0x0031, 0x0032, 0x0033}, 3);
        StunWriter.finish(out, start);
        byte[] b = new byte[out.readableBytes()];
        out.getBytes(0, b);
        assertThat(java.util.Arrays.copyOfRange(b, 20, b.length))
                .isEqualTo(hex("0009 000b 0000 0414 556e6b6e 6f776e00 000a 0006 0031 0032 0033 0000"));
        assertThat(m.wrap(Unpooled.wrappedBuffer(b))).isNull();
        assertThat(m.messageClass()).isEqualTo(Stun.ERROR);
    }
}
