package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Feed.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The quic detector on the RFCs' own client Initial packets (RFC 9001 and RFC 9369, Appendix A.2), on Initials
 * built here around the JDK's ClientHello, and on datagrams that are not QUIC.
 */
class QuicDetectorTest {
    private static final Detection EXAMPLE = Detection.match("example.com", List.of("alpn"));
    private static final byte[] DCID = hex("8394c8f03e515708");
    private static final byte[] SALT_V1 = hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");

    private final QuicDetector quic = new QuicDetector();

    @Test
    void readsExampleComFromRfc9001sClientInitial() throws Exception {
        byte[] packet = resource("rfc9001-client-initial.hex");
        assertThat(packet).hasSize(1200);

        assertThat(detect(quic, packet)).isEqualTo(EXAMPLE);
    }

    @Test
    void readsExampleComFromRfc9369sVersion2ClientInitial() throws Exception {
        assertThat(detect(quic, resource("rfc9369-client-initial.hex"))).isEqualTo(EXAMPLE);
    }

    @Test
    void derivesRfc9001sClientKeys() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SALT_V1, "HmacSHA256"));
        byte[] initial = mac.doFinal(DCID);
        assertThat(initial).isEqualTo(hex("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44"));
        byte[] client = QuicInitial.expandLabel(mac, initial, "client in", 32);

        assertThat(client).isEqualTo(hex("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea"));
        assertThat(QuicInitial.expandLabel(mac, client, "quic key", 16)).isEqualTo(hex("1f369613dd76d5467730efcbe3b1a22d"));
        assertThat(QuicInitial.expandLabel(mac, client, "quic iv", 12)).isEqualTo(hex("fa044b2f42a3fd3b46fb255c"));
        assertThat(QuicInitial.expandLabel(mac, client, "quic hp", 16)).isEqualTo(hex("9f50449e04a0e810283a1e9933adedd2"));
    }

    @Test
    void anInitialThatDoesNotOpenStillMatchesWithoutName() throws Exception {
        byte[] packet = resource("rfc9001-client-initial.hex");
        byte[] tampered = packet.clone();
        tampered[600] ^= 1;

        assertThat(detect(quic, tampered)).isEqualTo(Detection.match(null, List.of()));
        assertThat(detect(quic, Arrays.copyOf(packet, 600))).isEqualTo(Detection.match(null, List.of()));
        assertThat(detect(quic, Arrays.copyOf(packet, 30))).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void putsCryptoFramesBackInOrder() throws Exception {
        byte[] hello = Hellos.content(Hellos.jdk("quic.example", List.of("h3")));
        int half = hello.length / 2;
        byte[] payload = concat(new byte[] {1}, // PING
                crypto(half, Arrays.copyOfRange(hello, half, hello.length)),
                new byte[] {0, 0, 0}, // PADDING
                crypto(0, Arrays.copyOf(hello, half)));

        assertThat(detect(quic, initial(payload))).isEqualTo(Detection.match("quic.example", List.of("h3")));
    }

    @Test
    void aClientHelloThatGoesOnInTheNextDatagramMatchesWithoutName() throws Exception {
        byte[] hello = Hellos.content(Hellos.jdk("quic.example", List.of("h3")));
        byte[] payload = crypto(0, Arrays.copyOf(hello, hello.length - 10));

        assertThat(detect(quic, initial(payload))).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void otherLongPacketsOfVersion1And2Match() {
        byte[] handshake = hex("e0 00000001 04 01020304 00 4010 0000000000000000000000000000000000");
        byte[] v2Handshake = hex("f0 6b3343cf 00 00 0000");

        assertThat(detect(quic, handshake)).isEqualTo(Detection.match(null, List.of()));
        assertThat(detect(quic, v2Handshake)).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void otherDatagramsAreNoMatch() {
        assertThat(detect(quic, new byte[0])).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(quic, hex("40 8394c8f03e515708 00112233"))).isEqualTo(Detection.NO_MATCH); // short header
        assertThat(detect(quic, hex("80 00000000 08 8394c8f03e515708 00 00000001"))).isEqualTo(Detection.NO_MATCH); // version negotiation
        assertThat(detect(quic, hex("c0 ff00001d 08 8394c8f03e515708 00 00 4100"))).isEqualTo(Detection.NO_MATCH); // draft 29
        assertThat(detect(quic, hex("80 00000001 00 00 00 4100"))).isEqualTo(Detection.NO_MATCH); // fixed bit clear
        assertThat(detect(quic, concat(hex("c0 00000001 15"), new byte[22]))).isEqualTo(Detection.NO_MATCH); // DCID of 21
        assertThat(detect(quic, hex("c0 00000001 02 0102 05 0102"))).isEqualTo(Detection.NO_MATCH); // SCID past the end
        assertThat(detect(quic, hex("0001 0000 2112a442 000102030405060708090a0b"))).isEqualTo(Detection.NO_MATCH); // STUN
    }

    @Test
    void isForDatagramsOnly() {
        assertThat(quic.datagram()).isTrue();
        assertThat(quic.stream()).isFalse();
        assertThat(quic.protocol()).isEqualTo("quic");
    }

    /** A CRYPTO frame: type, offset and length as 2-byte variable-length integers, data. */
    private static byte[] crypto(int offset, byte[] data) {
        return concat(new byte[] {6}, varint2(offset), varint2(data.length), data);
    }

    private static byte[] varint2(int v) {
        return new byte[] {(byte) (0x40 | v >> 8), (byte) v};
    }

    /**
     * A version 1 client Initial to {@link #DCID} carrying {@code frames}, padded to 1200 bytes, protected as
     * RFC 9001 says (packet number 0, in 2 bytes).
     */
    private static byte[] initial(byte[] frames) throws Exception {
        int headerLength = 1 + 4 + 1 + DCID.length + 1 + 1 + 2 + 2;
        byte[] payload = Arrays.copyOf(frames, Math.max(frames.length, 1200 - headerLength - 16));
        int length = 2 + payload.length + 16;
        byte[] header = concat(hex("c1 00000001"), new byte[] {(byte) DCID.length}, DCID, hex("00 00"),
                varint2(length), hex("0000"));

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SALT_V1, "HmacSHA256"));
        byte[] client = QuicInitial.expandLabel(mac, mac.doFinal(DCID), "client in", 32);
        byte[] key = QuicInitial.expandLabel(mac, client, "quic key", 16);
        byte[] iv = QuicInitial.expandLabel(mac, client, "quic iv", 12); // packet number 0: the nonce is the IV
        byte[] hp = QuicInitial.expandLabel(mac, client, "quic hp", 16);

        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        gcm.updateAAD(header);
        byte[] packet = concat(header, gcm.doFinal(payload));

        int pn = header.length - 2;
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
        byte[] mask = ecb.doFinal(Arrays.copyOfRange(packet, pn + 4, pn + 20));
        packet[0] ^= mask[0] & 0x0f;
        packet[pn] ^= mask[1];
        packet[pn + 1] ^= mask[2];
        return packet;
    }

    /** A hex file beside this class, '#' lines left out. */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = QuicDetectorTest.class.getResourceAsStream(name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return hex(text.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining()));
        }
    }
}
