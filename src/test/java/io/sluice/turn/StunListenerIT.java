package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stun listener in a real Sluice, asked over UDP and TCP on loopback, IPv4 and IPv6. */
class StunListenerIT {
    private Sluice sluice;
    private InetSocketAddress v4;
    private InetSocketAddress v6;

    @BeforeEach
    void start() throws Exception {
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - { name: stun, bind: "127.0.0.1:0", protocol: stun }
                  - { name: stun6, bind: "[::1]:0", protocol: stun, transports: [udp] }
                admin: { bind: "127.0.0.1:0" }
                """, "test.yaml", k -> null)).build().start();
        v4 = sluice.listenerAddress("stun");
        v6 = sluice.listenerAddress("stun6");
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    private static byte[] newId() {
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        return id;
    }

    /** The address an answer reports in XOR-MAPPED-ADDRESS, checked against the request's id. */
    private static InetSocketAddress mapped(byte[] answer, byte[] id) throws Exception {
        StunMessage m = new StunMessage();
        ByteBuf buf = Unpooled.wrappedBuffer(answer);
        assertThat(m.wrap(buf)).isNull();
        assertThat(m.messageClass()).isEqualTo(Stun.SUCCESS);
        assertThat(Arrays.copyOfRange(answer, 8, 20)).isEqualTo(id);
        assertThat(m.hasFingerprint()).isTrue();
        int at = m.find(Stun.XOR_MAPPED_ADDRESS);
        assertThat(at).isPositive();
        int v = StunMessage.valueIndex(at);
        int port = buf.getUnsignedShort(v + 2) ^ (Stun.MAGIC_COOKIE >>> 16);
        byte[] ip = new byte[buf.getByte(v + 1) == Stun.FAMILY_IPV4 ? 4 : 16];
        for (int i = 0; i < ip.length; i++) {
            ip[i] = (byte) (buf.getByte(v + 4 + i) ^ answer[4 + i]);
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    }

    private static byte[] exchange(DatagramSocket s, InetSocketAddress to, byte[] request) throws Exception {
        s.send(new DatagramPacket(request, request.length, to));
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    @Test
    void udpClientsLearnTheirAddressOverIpv4AndIpv6() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(10_000);
            byte[] id = newId();
            byte[] answer = exchange(s, v4, StunTestMessages.of(1, id).fingerprint().bytes());
            assertThat(mapped(answer, id)).isEqualTo(s.getLocalSocketAddress());
        }
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            s.setSoTimeout(10_000);
            byte[] id = newId();
            byte[] answer = exchange(s, v6, StunTestMessages.of(1, id).bytes());
            InetSocketAddress seen = mapped(answer, id);
            assertThat(seen.getAddress()).isEqualTo(InetAddress.getByName("::1"));
            assertThat(seen.getPort()).isEqualTo(s.getLocalPort());
        }
    }

    @Test
    void aMalformedDatagramIsDroppedAndTheNextIsAnswered() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(10_000);
            byte[] bad = StunTestMessages.of(1, newId()).attr(Stun.SOFTWARE, new byte[4]).fingerprint().bytes();
            bad[25] ^= 0x40; // breaks the FINGERPRINT
            s.send(new DatagramPacket(bad, bad.length, v4));
            byte[] junk = "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(junk, junk.length, v4));
            byte[] id = newId();
            byte[] answer = exchange(s, v4, StunTestMessages.of(1, id).bytes());
            assertThat(mapped(answer, id).getPort()).as("the first answer is the good request's").isEqualTo(s.getLocalPort());
            s.setSoTimeout(300);
            DatagramPacket more = new DatagramPacket(new byte[1500], 1500);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.receive(more))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void tcpFramesMessagesHoweverTheyArriveAndAnswers400ToAMalformedOne() throws Exception {
        try (Socket c = new Socket()) {
            c.connect(v4, 10_000);
            c.setSoTimeout(10_000);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            byte[] a = newId();
            byte[] b = newId();
            byte[] d = newId();
            byte[] two = concat(StunTestMessages.of(1, a).bytes(), StunTestMessages.of(1, b).fingerprint().bytes());
            out.write(two); // two messages in one segment
            byte[] third = StunTestMessages.of(1, d).attr(Stun.SOFTWARE, new byte[7]).bytes();
            out.write(third, 0, 3); // and one cut inside its header
            out.flush();
            assertThat(mapped(readMessage(in), a)).isEqualTo(c.getLocalSocketAddress());
            assertThat(mapped(readMessage(in), b)).isEqualTo(c.getLocalSocketAddress());
            out.write(third, 3, third.length - 3);
            out.flush();
            assertThat(mapped(readMessage(in), d)).isEqualTo(c.getLocalSocketAddress());

            byte[] bad = StunTestMessages.of(1, a).attr(Stun.MESSAGE_INTEGRITY, new byte[8]).bytes();
            out.write(bad);
            out.flush();
            byte[] error = readMessage(in);
            StunMessage m = new StunMessage();
            assertThat(m.wrap(Unpooled.wrappedBuffer(error))).isNull();
            assertThat(m.messageClass()).isEqualTo(Stun.ERROR);
            assertThat(m.buffer().getInt(m.find(Stun.ERROR_CODE) + 4)).isEqualTo(0x0400);

            byte[] after = newId();
            out.write(StunTestMessages.of(1, after).bytes());
            out.flush();
            assertThat(mapped(readMessage(in), after)).as("the connection serves on").isNotNull();

            out.write("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.read()).as("bytes that cannot be STUN close the connection").isEqualTo(-1);
        }
    }

    @Test
    void stoppingFreesBothPorts() throws Exception {
        int port = v4.getPort();
        sluice.close();
        sluice = null;
        TurnTestClient.awaitFree(new InetSocketAddress("127.0.0.1", port));
        try (ServerSocket t = new ServerSocket()) {
            t.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(t.getLocalPort()).isEqualTo(port);
        }
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] z = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, z, x.length, y.length);
        return z;
    }

    private static byte[] readMessage(InputStream in) throws Exception {
        byte[] head = in.readNBytes(20);
        assertThat(head).hasSize(20);
        int length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        byte[] rest = in.readNBytes(length);
        assertThat(rest).hasSize(length);
        return concat(head, rest);
    }
}
