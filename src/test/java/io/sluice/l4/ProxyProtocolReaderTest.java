package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.sluice.config.CidrBlock;
import io.sluice.config.ProxyProtocolConfig;
import io.sluice.config.ProxyProtocolConfig.Mode;
import io.sluice.config.ProxyVersion;
import io.sluice.testing.TrackingAllocator;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PROXY header reader on an embedded channel: what it takes from whom, what it passes on, when it reads
 * and when it closes. Every buffer the test feeds comes from a {@link TrackingAllocator} and must end released.
 */
class ProxyProtocolReaderTest {
    private static final InetSocketAddress TRUSTED_PEER = new InetSocketAddress("10.1.2.3", 40001);
    private static final InetSocketAddress OTHER_PEER = new InetSocketAddress("198.51.100.9", 40002);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 8080);
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 51234);
    private static final InetSocketAddress DEST4 = new InetSocketAddress("192.0.2.10", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 40000);
    private static final InetSocketAddress DEST6 = new InetSocketAddress("2001:db8::1", 8443);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final List<Conn> conns = new ArrayList<>();

    /** One connection: reads counted before the reader, events recorded after it. */
    private final class Conn {
        final EmbeddedChannel ch;
        final LongAdder refused = new LongAdder();
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream passed = new ByteArrayOutputStream();
        int reads;

        Conn(SocketAddress peer, Mode mode) {
            ch = new EmbeddedChannel(false, false) {
                @Override
                protected SocketAddress remoteAddress0() {
                    return peer;
                }

                @Override
                protected SocketAddress localAddress0() {
                    return LOCAL;
                }
            };
            ch.config().setAutoRead(false);
            ch.config().setAllocator(alloc);
            ProxyProtocolConfig config = new ProxyProtocolConfig(mode, List.of(CidrBlock.parse("10.0.0.0/8")));
            ch.pipeline().addLast("reads", new ChannelOutboundHandlerAdapter() {
                @Override
                public void read(ChannelHandlerContext ctx) {
                    reads++;
                    ctx.read();
                }
            });
            ch.pipeline().addLast("proxy", new ProxyProtocolReader(config, TIMEOUT, refused));
            ch.pipeline().addLast("next", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    events.add("active " + ClientAddress.source(ctx.channel()));
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    events.add("read " + b.readableBytes());
                    byte[] copy = new byte[b.readableBytes()];
                    b.readBytes(copy);
                    passed.writeBytes(copy);
                    b.release();
                }
            });
            register(ch);
            conns.add(this);
        }

        Conn send(byte[] bytes) {
            ByteBuf b = alloc.heapBuffer(Math.max(1, bytes.length));
            b.writeBytes(bytes);
            ch.writeInbound(b);
            return this;
        }

        Conn send(String text) {
            return send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        Conn sendByteByByte(byte[] bytes) {
            for (byte x : bytes) {
                send(new byte[] {x});
            }
            return this;
        }

        boolean readerGone() {
            return ch.pipeline().get(ProxyProtocolReader.class) == null;
        }

        String passedText() {
            return passed.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void register(EmbeddedChannel ch) {
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void everyBufferReleased() {
        for (Conn c : conns) {
            c.ch.finishAndReleaseAll();
        }
        alloc.assertAllReleased("after the test");
    }

    private static byte[] header(ProxyVersion v, InetSocketAddress from, InetSocketAddress to) {
        ByteBuf b = ProxyHeaders.encode(UnpooledByteBufAllocator.DEFAULT, v, from, to);
        try {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            return a;
        } finally {
            b.release();
        }
    }

    private static byte[] concat(byte[] a, String rest) {
        byte[] r = rest.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[a.length + r.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(r, 0, out, a.length, r.length);
        return out;
    }

    @Test
    void v1HeaderSetsTheClientAndOnlyWhatFollowsGoesOn() {
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        assertThat(c.events).as("channelActive waits for the header").isEmpty();
        assertThat(c.reads).isEqualTo(1);
        c.send("PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n" + REQUEST);
        assertThat(c.events).containsExactly("active " + CLIENT4, "read " + REQUEST.length());
        assertThat(c.passedText()).isEqualTo(REQUEST);
        assertThat(ClientAddress.source(c.ch)).isEqualTo(CLIENT4);
        assertThat(ClientAddress.destination(c.ch)).isEqualTo(DEST4);
        assertThat(c.readerGone()).isTrue();
        assertThat(c.ch.isOpen()).isTrue();
        assertThat(c.refused.sum()).isZero();
    }

    @Test
    void everyKindOfHeaderByteByByte() {
        record Case(byte[] header, InetSocketAddress source, InetSocketAddress destination) {
        }
        List<Case> cases = List.of(
                new Case(header(ProxyVersion.V1, CLIENT4, DEST4), CLIENT4, DEST4),
                new Case(header(ProxyVersion.V1, CLIENT6, DEST6), CLIENT6, DEST6),
                new Case(header(ProxyVersion.V2, CLIENT4, DEST4), CLIENT4, DEST4),
                new Case(header(ProxyVersion.V2, CLIENT6, DEST6), CLIENT6, DEST6),
                new Case("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII), TRUSTED_PEER, LOCAL),
                new Case("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n".getBytes(StandardCharsets.US_ASCII), TRUSTED_PEER, LOCAL),
                new Case(v2Local(), TRUSTED_PEER, LOCAL),
                new Case(v2WithTlv(), CLIENT4, DEST4));
        for (Case k : cases) {
            Conn c = new Conn(TRUSTED_PEER, Mode.REQUIRE);
            c.sendByteByByte(concat(k.header, REQUEST));
            assertThat(c.passedText()).isEqualTo(REQUEST);
            assertThat(c.events.get(0)).isEqualTo("active " + k.source);
            assertThat(c.events).hasSize(1 + REQUEST.length());
            assertThat(ClientAddress.source(c.ch)).isEqualTo(k.source);
            assertThat(ClientAddress.destination(c.ch)).isEqualTo(k.destination);
            assertThat(c.reads).as("one read per byte of the header, and the first").isEqualTo(1 + k.header.length);
            assertThat(c.ch.isOpen()).isTrue();
        }
    }

    /** v2 with the LOCAL command: a health check of the proxy's own; the socket's addresses stand. */
    private static byte[] v2Local() {
        byte[] b = header(ProxyVersion.V2, CLIENT4, DEST4);
        b[12] = 0x20;
        return b;
    }

    /** v2 with a TLV after the addresses (an authority, type 0x02): skipped with the header. */
    private static byte[] v2WithTlv() {
        byte[] base = header(ProxyVersion.V2, CLIENT4, DEST4);
        byte[] tlv = {0x02, 0x00, 0x05, 'a', '.', 'c', 'o', 'm'};
        byte[] out = new byte[base.length + tlv.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(tlv, 0, out, base.length, tlv.length);
        out[15] = (byte) (12 + tlv.length);
        return out;
    }

    @Test
    void headerAloneIsFollowedByOneReadForTheNextHandler() {
        Conn c = new Conn(TRUSTED_PEER, Mode.REQUIRE);
        c.send(header(ProxyVersion.V2, CLIENT4, DEST4));
        assertThat(c.reads).isEqualTo(2);
        assertThat(c.events).containsExactly("active " + CLIENT4);
        assertThat(c.readerGone()).isTrue();
        c.send(REQUEST);
        assertThat(c.passedText()).isEqualTo(REQUEST);
    }

    @Test
    void headerAndDataSplitAnywhereArriveAsTheData() {
        byte[] all = concat(header(ProxyVersion.V1, CLIENT6, DEST6), REQUEST);
        for (int split = 1; split < all.length; split++) {
            Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
            c.send(java.util.Arrays.copyOfRange(all, 0, split));
            c.send(java.util.Arrays.copyOfRange(all, split, all.length));
            assertThat(c.passedText()).isEqualTo(REQUEST);
            assertThat(ClientAddress.source(c.ch)).isEqualTo(CLIENT6);
        }
    }

    @Test
    void untrustedPeerWithAHeaderIsClosedWithoutPassingAnything() {
        for (ProxyVersion v : new ProxyVersion[] {ProxyVersion.V1, ProxyVersion.V2}) {
            Conn c = new Conn(OTHER_PEER, Mode.ACCEPT);
            assertThat(c.events).as("an untrusted peer's address cannot change").containsExactly("active " + OTHER_PEER);
            c.send(concat(header(v, CLIENT4, DEST4), REQUEST));
            assertThat(c.ch.isOpen()).isFalse();
            assertThat(c.passed.size()).isZero();
            assertThat(c.refused.sum()).isEqualTo(1);
            assertThat(c.ch.attr(ClientAddress.SOURCE).get()).isNull();
        }
    }

    @Test
    void untrustedPeerInRequireModeIsClosedAtOnce() {
        Conn c = new Conn(OTHER_PEER, Mode.REQUIRE);
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.events).isEmpty();
        assertThat(c.refused.sum()).isEqualTo(1);
    }

    @Test
    void acceptModePassesOtherBytesUntouched() {
        for (InetSocketAddress peer : List.of(TRUSTED_PEER, OTHER_PEER)) {
            Conn c = new Conn(peer, Mode.ACCEPT);
            c.send(REQUEST);
            assertThat(c.passedText()).isEqualTo(REQUEST);
            assertThat(c.events).containsExactly("active " + peer, "read " + REQUEST.length());
            assertThat(c.readerGone()).isTrue();
            assertThat(ClientAddress.source(c.ch)).isEqualTo(peer);
        }
    }

    @Test
    void acceptModeWaitsOnlyWhileTheBytesCouldStillBeASignature() {
        Conn c = new Conn(OTHER_PEER, Mode.ACCEPT);
        c.send("PRO");
        assertThat(c.passed.size()).isZero();
        c.send("PFIND /dav HTTP/1.1\r\n\r\n");
        assertThat(c.passedText()).isEqualTo("PROPFIND /dav HTTP/1.1\r\n\r\n");
        Conn v2 = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        v2.send(new byte[] {0x0D, 0x0A, 0x0D});
        assertThat(v2.passed.size()).isZero();
        v2.send("\r\n");
        assertThat(v2.passedText()).isEqualTo("\r\n\r\r\n");
    }

    @Test
    void requireModeClosesATrustedPeerWithoutAHeader() {
        Conn c = new Conn(TRUSTED_PEER, Mode.REQUIRE);
        c.send(REQUEST);
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.passed.size()).isZero();
        assertThat(c.events).isEmpty();
        assertThat(c.refused.sum()).isEqualTo(1);
    }

    @Test
    void malformedHeadersClose() {
        List<byte[]> bad = new ArrayList<>(List.of(
                "PROXY TCP4 203.0.113.7 192.0.2.10 51234\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP4 1.2.3.999 192.0.2.10 1 2\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP9 1.2.3.4 5.6.7.8 1 2\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] badVersion = header(ProxyVersion.V2, CLIENT4, DEST4);
        badVersion[12] = 0x31;
        bad.add(badVersion);
        byte[] badCommand = header(ProxyVersion.V2, CLIENT4, DEST4);
        badCommand[12] = 0x2F;
        bad.add(badCommand);
        byte[] shortAddresses = header(ProxyVersion.V2, CLIENT6, DEST6);
        shortAddresses[15] = 12; // IPv6 needs 36 bytes
        bad.add(shortAddresses);
        for (byte[] b : bad) {
            Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
            c.send(concat(b, REQUEST));
            assertThat(c.ch.isOpen()).as(new String(b, StandardCharsets.ISO_8859_1)).isFalse();
            assertThat(c.passed.size()).isZero();
            assertThat(c.refused.sum()).isEqualTo(1);
        }
    }

    @Test
    void v1WithoutCrlfInItsMaximumLengthCloses() {
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send("PROXY TCP4 " + "1".repeat(ProxyProtocolReader.V1_MAX - 12));
        assertThat(c.ch.isOpen()).as("one byte short of the maximum: still waiting").isTrue();
        c.send("1");
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.passed.size()).isZero();
    }

    @Test
    void v2LongerThanTheCapClosesAsSoonAsItsLengthIsRead() {
        byte[] b = header(ProxyVersion.V2, CLIENT4, DEST4);
        int length = ProxyProtocolReader.V2_MAX - 16 + 1;
        b[14] = (byte) (length >> 8);
        b[15] = (byte) length;
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send(java.util.Arrays.copyOf(b, 15));
        assertThat(c.ch.isOpen()).isTrue();
        c.send(new byte[] {b[15]});
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.refused.sum()).isEqualTo(1);
    }

    @Test
    void v2AtTheCapIsRead() {
        byte[] base = header(ProxyVersion.V2, CLIENT4, DEST4);
        byte[] b = java.util.Arrays.copyOf(base, ProxyProtocolReader.V2_MAX);
        int length = ProxyProtocolReader.V2_MAX - 16;
        b[14] = (byte) (length >> 8);
        b[15] = (byte) length;
        // the room after the addresses is one NOOP TLV (type 0x04) filling it
        int tlv = length - 12 - 3;
        b[28] = 0x04;
        b[29] = (byte) (tlv >> 8);
        b[30] = (byte) tlv;
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send(concat(b, REQUEST));
        assertThat(c.ch.isOpen()).isTrue();
        assertThat(c.passedText()).isEqualTo(REQUEST);
        assertThat(ClientAddress.source(c.ch)).isEqualTo(CLIENT4);
    }

    @Test
    void incompleteHeaderTimesOut() {
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send("PROXY TCP4 203.0.113.7");
        c.ch.advanceTimeBy(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        c.ch.runScheduledPendingTasks();
        assertThat(c.ch.isOpen()).isTrue();
        c.ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        c.ch.runScheduledPendingTasks();
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.refused.sum()).isEqualTo(1);
    }

    @Test
    void silentTrustedPeerTimesOutButAnUntrustedOneIsLeftToTheNextHandler() {
        Conn trusted = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        Conn other = new Conn(OTHER_PEER, Mode.ACCEPT);
        for (Conn c : List.of(trusted, other)) {
            c.ch.advanceTimeBy(TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
            c.ch.runScheduledPendingTasks();
        }
        assertThat(trusted.ch.isOpen()).isFalse();
        assertThat(other.ch.isOpen()).isTrue();
    }

    @Test
    void inputShutdownInsideTheHeaderCloses() {
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send("PROXY TCP4 ");
        c.ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(c.ch.isOpen()).isFalse();
        assertThat(c.passed.size()).isZero();
    }

    @Test
    void closingMidHeaderReleasesWhatWasHeld() {
        Conn c = new Conn(TRUSTED_PEER, Mode.ACCEPT);
        c.send("PROXY TCP4 203.0.113.7 192.0.2.10");
        c.ch.close();
        alloc.assertAllReleased("after the close");
    }

    @Test
    void addedToALiveConnectionItStillReadsTheHeader() {
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return TRUSTED_PEER;
            }
        };
        ch.config().setAllocator(alloc);
        register(ch);
        ProxyProtocolConfig config = new ProxyProtocolConfig(Mode.REQUIRE, List.of(CidrBlock.parse("10.1.2.3")));
        ch.pipeline().addLast(new ProxyProtocolReader(config, TIMEOUT, new LongAdder()));
        ByteBuf in = alloc.heapBuffer();
        in.writeBytes(concat(header(ProxyVersion.V2, CLIENT4, DEST4), "x"));
        ch.writeInbound(in);
        ByteBuf out = ch.readInbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("x");
        out.release();
        assertThat(ClientAddress.source(ch)).isEqualTo(CLIENT4);
        ch.finishAndReleaseAll();
    }
}
