package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.sluice.config.ProxyVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The headers Sluice sends to backends, byte for byte, and as Netty's own decoder reads them back. */
class ProxyHeadersTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 51234);
    private static final InetSocketAddress LISTENER4 = new InetSocketAddress("192.0.2.10", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 40000);
    private static final InetSocketAddress LISTENER6 = new InetSocketAddress("2001:db8:0:0:1::1", 8443);

    @Test
    void v1NamesTcp4AddressesAndPorts() {
        assertThat(text(ProxyHeaders.encode(ALLOC, ProxyVersion.V1, CLIENT4, LISTENER4)))
                .isEqualTo("PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n");
    }

    @Test
    void v1WritesIpv6InItsShortForm() {
        assertThat(text(ProxyHeaders.encode(ALLOC, ProxyVersion.V1, CLIENT6, LISTENER6)))
                .isEqualTo("PROXY TCP6 2001:db8::7 2001:db8::1:0:0:1 40000 8443\r\n");
    }

    @Test
    void v1SaysUnknownForMixedOrMissingAddresses() {
        assertThat(text(ProxyHeaders.encode(ALLOC, ProxyVersion.V1, CLIENT4, LISTENER6))).isEqualTo("PROXY UNKNOWN\r\n");
        assertThat(text(ProxyHeaders.encode(ALLOC, ProxyVersion.V1, null, LISTENER4))).isEqualTo("PROXY UNKNOWN\r\n");
        assertThat(text(ProxyHeaders.encode(ALLOC, ProxyVersion.V1,
                InetSocketAddress.createUnresolved("client.example", 1), LISTENER4))).isEqualTo("PROXY UNKNOWN\r\n");
    }

    @Test
    void v2Ipv4IsTheSpecificationsLayout() {
        byte[] b = bytes(ProxyHeaders.encode(ALLOC, ProxyVersion.V2, CLIENT4, LISTENER4));
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0d0a0d0a000d0a515549540a" // signature
                + "21" // version 2, PROXY
                + "11" // IPv4, stream
                + "000c" // 12 bytes follow
                + "cb007107" + "c000020a" // 203.0.113.7, 192.0.2.10
                + "c822" + "01bb"); // 51234, 443
    }

    @Test
    void v2Ipv6CarriesSixteenByteAddresses() {
        byte[] b = bytes(ProxyHeaders.encode(ALLOC, ProxyVersion.V2, CLIENT6, LISTENER6));
        assertThat(b).hasSize(16 + 36);
        assertThat(b[13]).isEqualTo((byte) 0x21);
        assertThat(b[15]).isEqualTo((byte) 36);
    }

    @Test
    void v2MixedFamiliesAreUnspecified() {
        byte[] b = bytes(ProxyHeaders.encode(ALLOC, ProxyVersion.V2, CLIENT6, LISTENER4));
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "00" + "0000");
    }

    @Test
    void localHeaders() {
        assertThat(text(ProxyHeaders.encodeLocal(ALLOC, ProxyVersion.V1))).isEqualTo("PROXY UNKNOWN\r\n");
        assertThat(ByteBufUtil.hexDump(bytes(ProxyHeaders.encodeLocal(ALLOC, ProxyVersion.V2))))
                .isEqualTo("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000");
    }

    @Test
    void versionNoneHasNoHeader() {
        assertThatThrownBy(() -> ProxyHeaders.encode(ALLOC, ProxyVersion.NONE, CLIENT4, LISTENER4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyHeaders.encodeLocal(ALLOC, ProxyVersion.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nettyReadsEveryHeaderBackAsWritten() {
        for (ProxyVersion v : new ProxyVersion[] {ProxyVersion.V1, ProxyVersion.V2}) {
            HAProxyProtocolVersion nv = v == ProxyVersion.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
            try (Decoded m = decode(ProxyHeaders.encode(ALLOC, v, CLIENT4, LISTENER4))) {
                assertThat(m.msg.protocolVersion()).isEqualTo(nv);
                assertThat(m.msg.command()).isEqualTo(HAProxyCommand.PROXY);
                assertThat(m.msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
                assertThat(m.msg.sourceAddress()).isEqualTo("203.0.113.7");
                assertThat(m.msg.destinationAddress()).isEqualTo("192.0.2.10");
                assertThat(m.msg.sourcePort()).isEqualTo(51234);
                assertThat(m.msg.destinationPort()).isEqualTo(443);
            }
            try (Decoded m = decode(ProxyHeaders.encode(ALLOC, v, CLIENT6, LISTENER6))) {
                assertThat(m.msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
                assertThat(m.msg.sourceAddress()).isIn("2001:db8::7", "2001:db8:0:0:0:0:0:7");
                assertThat(m.msg.destinationPort()).isEqualTo(8443);
            }
            try (Decoded m = decode(ProxyHeaders.encode(ALLOC, v, CLIENT6, LISTENER4))) {
                assertThat(m.msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
            }
            try (Decoded m = decode(ProxyHeaders.encodeLocal(ALLOC, v))) {
                assertThat(m.msg.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
                if (v == ProxyVersion.V2) {
                    assertThat(m.msg.command()).isEqualTo(HAProxyCommand.LOCAL);
                }
            }
        }
    }

    /** A decoded header, released when closed. */
    private record Decoded(HAProxyMessage msg) implements AutoCloseable {
        @Override
        public void close() {
            msg.release();
        }
    }

    private static Decoded decode(ByteBuf header) {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            ch.writeInbound(header);
            HAProxyMessage m = ch.readInbound();
            assertThat(m).isNotNull();
            return new Decoded(m);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static String text(ByteBuf b) {
        return new String(bytes(b), StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            assertThat(b.release()).isTrue();
        }
    }
}
