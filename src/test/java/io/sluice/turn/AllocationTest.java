package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.sluice.config.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An allocation's permissions, channels and lifetime on a fake clock: what passes, what expires, what is counted. */
class AllocationTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final InetSocketAddress client = new InetSocketAddress("192.0.2.1", 5000);
    private final InetSocketAddress peer = new InetSocketAddress("198.51.100.7", 7000);
    private EmbeddedChannel socket;
    private EmbeddedChannel relay;
    private TurnService service;
    private Allocation a;

    @BeforeEach
    void make() throws Exception {
        make(0);
    }

    private void make(long bandwidth) throws Exception {
        if (socket != null) {
            close();
        }
        TurnConfig config = new TurnConfig("example.com", null, Map.of("alice", "w"), 49152, 65535, null, 10, 10,
                Duration.ofMinutes(10), Duration.ofHours(1), TurnConfig.defaultDenied(), List.of(), 20, bandwidth);
        service = new TurnService("turn", config, InetAddress.getByName("127.0.0.1"), clock::get);
        socket = new EmbeddedChannel();
        relay = new EmbeddedChannel();
        ClientLink link = new ClientLink.Udp(socket, client);
        assertThat(service.reserve("alice")).isZero();
        a = service.register(id -> new Allocation(id, service, link, "alice", new byte[16], new byte[16], false));
        a.start(relay, new InetSocketAddress("127.0.0.1", 50000), 60, 0);
    }

    @AfterEach
    void close() {
        socket.finishAndReleaseAll();
        relay.finishAndReleaseAll();
    }

    private void later(long seconds) {
        clock.addAndGet(seconds * SECOND);
    }

    private boolean sentToPeer(String text) {
        a.toPeer(peer, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        DatagramPacket p = relay.readOutbound();
        if (p == null) {
            return false;
        }
        try {
            assertThat(p.recipient()).isEqualTo(peer);
            assertThat(p.content().toString(StandardCharsets.UTF_8)).isEqualTo(text);
            return true;
        } finally {
            p.release();
        }
    }

    /** What the client got for a datagram from the peer: "channel 4000", "data", or null for nothing. */
    private String fromPeer() {
        a.fromPeer(peer, Unpooled.copiedBuffer("pong", StandardCharsets.UTF_8));
        socket.flushOutbound();
        DatagramPacket p = socket.readOutbound();
        if (p == null) {
            return null;
        }
        try {
            assertThat(p.recipient()).isEqualTo(client);
            ByteBuf b = p.content();
            if ((b.getByte(0) & 0xC0) == 0x40) {
                assertThat(b.getUnsignedShort(2)).isEqualTo(4);
                assertThat(b.toString(4, 4, StandardCharsets.UTF_8)).isEqualTo("pong");
                return "channel " + Integer.toHexString(b.getUnsignedShort(0));
            }
            StunMessage m = new StunMessage();
            assertThat(m.wrap(b)).isNull();
            assertThat(m.method()).isEqualTo(Stun.DATA);
            assertThat(TurnProcessor.xorAddress(m, m.find(Stun.XOR_PEER_ADDRESS))).isEqualTo(peer);
            return "data";
        } finally {
            p.release();
        }
    }

    @Test
    void aPermissionPassesDataBothWaysForFiveMinutes() {
        assertThat(sentToPeer("no permission yet")).isFalse();
        assertThat(fromPeer()).isNull();
        a.permit(peer.getAddress());
        assertThat(sentToPeer("hello")).isTrue();
        assertThat(fromPeer()).isEqualTo("data");
        later(299);
        assertThat(sentToPeer("still")).isTrue();
        later(1);
        assertThat(sentToPeer("expired")).isFalse();
        assertThat(fromPeer()).isNull();
        assertThat(service.stats().dropped()).isEqualTo(4);
        assertThat(service.stats().packetsToPeers()).isEqualTo(2);
    }

    @Test
    void aChannelCarriesDataForTenMinutesWhileItsPeerIsPermitted() {
        assertThat(a.bind(0x4000, peer)).isTrue();
        assertThat(a.bind(0x4001, peer)).as("the peer has a channel").isFalse();
        assertThat(a.bind(0x4000, new InetSocketAddress("198.51.100.8", 1))).as("the number is taken").isFalse();
        assertThat(fromPeer()).isEqualTo("channel 4000");
        a.toChannel(0x4000, Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
        DatagramPacket out = relay.readOutbound();
        assertThat(out.recipient()).isEqualTo(peer);
        out.release();
        later(301);
        assertThat(fromPeer()).as("the binding's permission lapsed").isNull();
        a.permit(peer.getAddress());
        assertThat(fromPeer()).isEqualTo("channel 4000");
        later(300);
        a.permit(peer.getAddress());
        assertThat(fromPeer()).as("the channel lapsed, the permission did not").isEqualTo("data");
        a.toChannel(0x4000, Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
        assertThat((Object) relay.readOutbound()).isNull();
    }

    @Test
    void theTimerSweepsWhatExpiredAndEndsTheAllocationAtItsLifetime() {
        a.permit(peer.getAddress());
        a.bind(0x4000, peer);
        assertThat(service.stats().permissions()).isEqualTo(1);
        assertThat(service.stats().channels()).isEqualTo(1);
        assertThat(service.stats().allocations()).isEqualTo(1);
        a.refresh(3600);
        later(601);
        socket.advanceTimeBy(30, TimeUnit.SECONDS);
        socket.runScheduledPendingTasks();
        assertThat(service.stats().permissions()).isZero();
        assertThat(service.stats().channels()).isZero();
        assertThat(relay.isOpen()).isTrue();
        a.refresh(60);
        later(61);
        socket.advanceTimeBy(60, TimeUnit.SECONDS);
        socket.runScheduledPendingTasks();
        assertThat(a.ended()).isTrue();
        assertThat(relay.isOpen()).as("the relay socket is closed").isFalse();
        assertThat(service.stats().allocations()).isZero();
        assertThat(service.allocations()).isEmpty();
        assertThat(service.reserve("alice")).as("the quota was given back").isZero();
    }

    @Test
    void aBandwidthCapDropsWhatDoesNotFitAndRefillsWithTime() throws Exception {
        make(1000); // 1000 bytes a second each way
        a.permit(peer.getAddress());
        String hundred = "x".repeat(100);
        int passed = 0;
        for (int i = 0; i < 15; i++) {
            passed += sentToPeer(hundred) ? 1 : 0;
        }
        assertThat(passed).as("a second's worth").isEqualTo(10);
        assertThat(fromPeer()).as("the other direction has its own bucket").isEqualTo("data");
        clock.addAndGet(SECOND / 2);
        passed = 0;
        for (int i = 0; i < 15; i++) {
            passed += sentToPeer(hundred) ? 1 : 0;
        }
        assertThat(passed).as("half a second refills half").isEqualTo(5);
    }
}
