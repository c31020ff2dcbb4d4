package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TURN requests from a client written here byte by byte (its MESSAGE-INTEGRITY from {@link TurnAuth}, which
 * coturn's client checks in {@link TurnClientsIT}): the 401 and nonce flow, answers the RFC names for each
 * mistake, Refresh to zero, SHA-256 integrity, the per-source limit on failed authentications, and relay ports
 * given back.
 */
class TurnIT {
    private static final String REALM = "example.com";
    private Sluice sluice;
    private InetSocketAddress server;

    @BeforeEach
    void start() throws Exception {
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: turn
                    bind: "127.0.0.1:0"
                    protocol: turn
                    transports: [udp]
                    turn:
                      realm: example.com
                      auth: { users: { alice: wonderland } }
                      relay_ports: 43000-43999
                      allowed_peers: [ 127.0.0.1 ]
                      auth_failures_per_minute: 3
                admin: { bind: "127.0.0.1:0" }
                """, "test.yaml", k -> null)).build().start();
        server = sluice.listenerAddress("turn");
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    /** A message being built: header, attributes, then integrity and fingerprint as asked. */
    private static final class Msg {
        final ByteBuf buf = Unpooled.buffer();
        final byte[] id = new byte[12];

        Msg(int method, int cls) {
            ThreadLocalRandom.current().nextBytes(id);
            buf.writeShort(Stun.messageType(method, cls)).writeShort(0).writeInt(Stun.MAGIC_COOKIE).writeBytes(id);
        }

        Msg attr(int type, byte[] value) {
            StunWriter.attribute(buf, type, value);
            return this;
        }

        Msg text(int type, String value) {
            return attr(type, value.getBytes(StandardCharsets.UTF_8));
        }

        Msg int32(int type, int value) {
            return attr(type, new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value});
        }

        Msg peer(InetSocketAddress peer) {
            StunWriter.xorAddress(buf, 0, Stun.XOR_PEER_ADDRESS, peer);
            return this;
        }

        Msg auth(String user, String password, String nonce, boolean sha256) {
            text(Stun.USERNAME, user).text(Stun.REALM, REALM).text(Stun.NONCE, nonce);
            TurnAuth.sign(buf, 0, TurnAuth.key(user, REALM, password), sha256);
            return this;
        }

        byte[] bytes() {
            StunWriter.fingerprint(buf, 0);
            byte[] b = new byte[buf.readableBytes()];
            buf.getBytes(0, b);
            return b;
        }
    }

    private static byte[] exchange(DatagramSocket s, InetSocketAddress to, byte[] request) throws Exception {
        s.send(new DatagramPacket(request, request.length, to));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    private static StunMessage read(byte[] answer) {
        StunMessage m = new StunMessage();
        assertThat(m.wrap(Unpooled.wrappedBuffer(answer))).isNull();
        return m;
    }

    private static int code(StunMessage m) {
        int at = m.find(Stun.ERROR_CODE);
        return at < 0 ? 0 : (m.buffer().getByte(at + 6) & 7) * 100 + m.buffer().getByte(at + 7);
    }

    private static String text(StunMessage m, int type) {
        int at = m.find(type);
        return m.buffer().toString(at + 4, m.attributeLength(at), StandardCharsets.UTF_8);
    }

    private DatagramSocket client() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(10_000);
        return s;
    }

    /** The nonce of a 401 to an unauthenticated Allocate. */
    private String nonce(DatagramSocket s) throws Exception {
        StunMessage m = read(exchange(s, server, new Msg(Stun.ALLOCATE, Stun.REQUEST)
                .int32(Stun.REQUESTED_TRANSPORT, Stun.UDP << 24).bytes()));
        assertThat(code(m)).isEqualTo(401);
        assertThat(text(m, Stun.REALM)).isEqualTo(REALM);
        assertThat(m.integrity()).as("a challenge is not signed").isEqualTo(-1);
        return text(m, Stun.NONCE);
    }

    private Msg allocate() {
        return new Msg(Stun.ALLOCATE, Stun.REQUEST).int32(Stun.REQUESTED_TRANSPORT, Stun.UDP << 24);
    }

    @Test
    void anAllocationIsMadeRelaysAndIsDeletedByARefreshOfZero() throws Exception {
        try (DatagramSocket s = client(); DatagramSocket peer = client()) {
            String nonce = nonce(s);
            byte[] request = allocate().auth("alice", "wonderland", nonce, false).bytes();
            StunMessage ok = read(exchange(s, server, request));
            assertThat(ok.messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(ok.integrity()).as("the answer is signed").isPositive();
            assertThat(TurnAuth.verify(ok, TurnAuth.key("alice", REALM, "wonderland"))).isTrue();
            InetSocketAddress relay = TurnProcessor.xorAddress(ok, ok.find(Stun.XOR_RELAYED_ADDRESS));
            assertThat(relay.getPort()).isBetween(43000, 43999);
            assertThat(TurnProcessor.xorAddress(ok, ok.find(Stun.XOR_MAPPED_ADDRESS))).isEqualTo(s.getLocalSocketAddress());
            assertThat(ok.buffer().getInt(ok.find(Stun.LIFETIME) + 4)).isEqualTo(600);

            StunMessage again = read(exchange(s, server, request));
            assertThat(TurnProcessor.xorAddress(again, again.find(Stun.XOR_RELAYED_ADDRESS)))
                    .as("a retransmitted Allocate gets the same relay").isEqualTo(relay);
            StunMessage other = read(exchange(s, server, allocate()
                    .auth("alice", "wonderland", nonce, false).bytes()));
            assertThat(code(other)).isEqualTo(437);

            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            assertThat(read(exchange(s, server, new Msg(Stun.CREATE_PERMISSION, Stun.REQUEST).peer(peerAddress)
                    .auth("alice", "wonderland", nonce, false).bytes())).messageClass()).isEqualTo(Stun.SUCCESS);
            byte[] send = new Msg(Stun.SEND, Stun.INDICATION).peer(peerAddress).text(Stun.DATA_VALUE, "hello").bytes();
            s.send(new DatagramPacket(send, send.length, server));
            DatagramPacket got = new DatagramPacket(new byte[100], 100);
            peer.receive(got);
            assertThat(new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(got.getSocketAddress()).isEqualTo(relay);
            peer.send(new DatagramPacket("back".getBytes(StandardCharsets.UTF_8), 4, relay));
            byte[] data = new byte[200];
            DatagramPacket in = new DatagramPacket(data, data.length);
            s.receive(in);
            StunMessage indication = read(Arrays.copyOf(data, in.getLength()));
            assertThat(indication.method()).isEqualTo(Stun.DATA);
            assertThat(indication.messageClass()).isEqualTo(Stun.INDICATION);
            assertThat(text(indication, Stun.DATA_VALUE)).isEqualTo("back");
            assertThat(TurnProcessor.xorAddress(indication, indication.find(Stun.XOR_PEER_ADDRESS))).isEqualTo(peerAddress);
            assertThat(sluice.turn("turn").stats().permissions()).isEqualTo(1);
            assertThat(sluice.turn("turn").allocations()).singleElement()
                    .satisfies(i -> assertThat(i.user()).isEqualTo("alice"))
                    .satisfies(i -> assertThat(i.bytesToPeers()).isEqualTo(5))
                    .satisfies(i -> assertThat(i.bytesFromPeers()).isEqualTo(4));

            StunMessage gone = read(exchange(s, server, new Msg(Stun.REFRESH, Stun.REQUEST).int32(Stun.LIFETIME, 0)
                    .auth("alice", "wonderland", nonce, false).bytes()));
            assertThat(gone.messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(sluice.turn("turn").allocations()).isEmpty();
            assertThat(sluice.turn("turn").stats().allocations()).isZero();
            assertThat(sluice.turn("turn").stats().permissions()).isZero();
            TurnTestClient.awaitFree(relay); // the relay port is free again
            StunMessage refresh = read(exchange(s, server, new Msg(Stun.REFRESH, Stun.REQUEST)
                    .auth("alice", "wonderland", nonce, false).bytes()));
            assertThat(code(refresh)).as("no allocation any more").isEqualTo(437);
        }
    }

    @Test
    void sha256IntegrityIsCheckedAndAnsweredInKind() throws Exception {
        try (DatagramSocket s = client()) {
            String nonce = nonce(s);
            StunMessage ok = read(exchange(s, server, allocate().auth("alice", "wonderland", nonce, true)
                    .bytes()));
            assertThat(ok.messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(ok.integritySha256()).isPositive();
            assertThat(ok.integrity()).isEqualTo(-1);
            assertThat(TurnAuth.verify(ok, TurnAuth.key("alice", REALM, "wonderland"))).isTrue();
        }
    }

    @Test
    void eachMistakeGetsItsOwnAnswer() throws Exception {
        try (DatagramSocket s = client()) {
            String nonce = nonce(s);
            assertThat(code(read(exchange(s, server, new Msg(Stun.ALLOCATE, Stun.REQUEST)
                    .int32(Stun.REQUESTED_TRANSPORT, 6 << 24).auth("alice", "wonderland", nonce, false).bytes()))))
                    .as("TCP relaying is not served").isEqualTo(442);
            assertThat(code(read(exchange(s, server, new Msg(Stun.ALLOCATE, Stun.REQUEST)
                    .auth("alice", "wonderland", nonce, false).bytes())))).as("no REQUESTED-TRANSPORT").isEqualTo(400);
            assertThat(code(read(exchange(s, server, allocate().attr(0x0033, new byte[4])
                    .auth("alice", "wonderland", nonce, false).bytes())))).isEqualTo(420);
            assertThat(code(read(exchange(s, server, allocate().int32(Stun.REQUESTED_ADDRESS_FAMILY,
                    0x02000000).auth("alice", "wonderland", nonce, false).bytes())))).as("IPv6 relay").isEqualTo(440);
            assertThat(code(read(exchange(s, server, new Msg(Stun.CREATE_PERMISSION, Stun.REQUEST)
                    .peer(new InetSocketAddress("127.0.0.1", 9)).auth("alice", "wonderland", nonce, false).bytes()))))
                    .as("no allocation yet").isEqualTo(437);
            assertThat(code(read(exchange(s, server, allocate()
                    .auth("alice", "wonderland", "1-forged", false).bytes())))).isEqualTo(401);
            assertThat(read(exchange(s, server, allocate().auth("alice", "wonderland", nonce, false)
                    .bytes())).messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(code(read(exchange(s, server, new Msg(Stun.CHANNEL_BIND, Stun.REQUEST)
                    .int32(Stun.CHANNEL_NUMBER, 0x3FFF << 16).peer(new InetSocketAddress("127.0.0.1", 9))
                    .auth("alice", "wonderland", nonce, false).bytes())))).as("channel number too low").isEqualTo(400);
            assertThat(code(read(exchange(s, server, new Msg(Stun.CHANNEL_BIND, Stun.REQUEST)
                    .int32(Stun.CHANNEL_NUMBER, 0x4000 << 16).peer(new InetSocketAddress("10.1.2.3", 9))
                    .auth("alice", "wonderland", nonce, false).bytes())))).as("a private peer").isEqualTo(403);
            assertThat(read(exchange(s, server, new Msg(Stun.CHANNEL_BIND, Stun.REQUEST)
                    .int32(Stun.CHANNEL_NUMBER, 0x4000 << 16).peer(new InetSocketAddress("127.0.0.1", 9))
                    .auth("alice", "wonderland", nonce, false).bytes())).messageClass()).isEqualTo(Stun.SUCCESS);
            assertThat(code(read(exchange(s, server, new Msg(Stun.CHANNEL_BIND, Stun.REQUEST)
                    .int32(Stun.CHANNEL_NUMBER, 0x4001 << 16).peer(new InetSocketAddress("127.0.0.1", 9))
                    .auth("alice", "wonderland", nonce, false).bytes())))).as("the peer has channel 0x4000").isEqualTo(400);
            assertThat(sluice.turn("turn").stats().channels()).isEqualTo(1);
        }
    }

    @Test
    void aSourceThatFailsToAuthenticateTooOftenIsIgnoredForTheMinuteAndOthersAreNot() throws Exception {
        try (DatagramSocket s = client(); DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            String nonce = nonce(s);
            for (int i = 0; i < 3; i++) {
                assertThat(code(read(exchange(s, server, allocate().auth("alice", "guess" + i, nonce, false)
                        .bytes())))).isEqualTo(401);
            }
            assertThat(sluice.turn("turn").stats().authFailures()).isEqualTo(3);
            s.setSoTimeout(500);
            byte[] right = allocate().auth("alice", "wonderland", nonce, false).bytes();
            s.send(new DatagramPacket(right, right.length, server));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.receive(new DatagramPacket(new byte[100], 100)))
                    .as("even the right password goes unanswered this minute").isInstanceOf(SocketTimeoutException.class);
            other.setSoTimeout(10_000);
            assertThat(read(exchange(other, server, allocate().auth("alice", "wonderland", nonce, false)
                    .bytes())).messageClass()).as("another address is served").isEqualTo(Stun.SUCCESS);
        }
    }

    @Test
    void stoppingEndsAllocationsAndFreesTheirPorts() throws Exception {
        InetSocketAddress relay;
        try (DatagramSocket s = client()) {
            String nonce = nonce(s);
            StunMessage ok = read(exchange(s, server, allocate().auth("alice", "wonderland", nonce, false)
                    .bytes()));
            relay = TurnProcessor.xorAddress(ok, ok.find(Stun.XOR_RELAYED_ADDRESS));
        }
        sluice.close();
        sluice = null;
        TurnTestClient.awaitFree(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), relay.getPort()));
    }

    @Test
    void datagramsLargerThanAnEthernetFrameCrossWhole() throws Exception {
        try (DatagramSocket s = client(); DatagramSocket peer = client()) {
            String nonce = nonce(s);
            StunMessage ok = read(exchange(s, server, allocate().auth("alice", "wonderland", nonce, false).bytes()));
            InetSocketAddress relay = TurnProcessor.xorAddress(ok, ok.find(Stun.XOR_RELAYED_ADDRESS));
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            read(exchange(s, server, new Msg(Stun.CREATE_PERMISSION, Stun.REQUEST).peer(peerAddress)
                    .auth("alice", "wonderland", nonce, false).bytes()));
            byte[] big = new byte[6000];
            ThreadLocalRandom.current().nextBytes(big);
            byte[] send = new Msg(Stun.SEND, Stun.INDICATION).peer(peerAddress).attr(Stun.DATA_VALUE, big).bytes();
            s.send(new DatagramPacket(send, send.length, server));
            DatagramPacket got = new DatagramPacket(new byte[10_000], 10_000);
            peer.receive(got);
            assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(big);
            peer.send(new DatagramPacket(big, big.length, relay));
            DatagramPacket back = new DatagramPacket(new byte[10_000], 10_000);
            s.receive(back);
            StunMessage data = read(Arrays.copyOf(back.getData(), back.getLength()));
            int at = data.find(Stun.DATA_VALUE);
            assertThat(data.attributeLength(at)).isEqualTo(6000);
            byte[] echoed = new byte[6000];
            data.buffer().getBytes(at + 4, echoed);
            assertThat(echoed).isEqualTo(big);
        }
    }
}
