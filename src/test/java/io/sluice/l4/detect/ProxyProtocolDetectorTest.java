package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.sluice.l4.Detection;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The proxy detector on PROXY headers as Netty's encoder writes them (v1 and v2), and on broken v1 lines. */
class ProxyProtocolDetectorTest {
    private final ProxyProtocolDetector proxy = new ProxyProtocolDetector();

    @Test
    void version1LinesMatchAtTheirEnd() {
        byte[] tcp4 = encoded(HAProxyProtocolVersion.V1, HAProxyProxiedProtocol.TCP4, "192.168.0.1", "192.168.0.11");
        byte[] tcp6 = encoded(HAProxyProtocolVersion.V1, HAProxyProxiedProtocol.TCP6, "2001:db8::1", "::ffff:10.0.0.1");
        assertThat(new String(tcp4, StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");

        assertThat(Feed.byteByByte(proxy, tcp4)).isEqualTo(Detection.MATCH);
        assertThat(Feed.byteByByte(proxy, tcp6)).isEqualTo(Detection.MATCH);
        assertThat(detect(proxy, concat(tcp4, ascii("GET / HTTP/1.1\r\n")))).isEqualTo(Detection.MATCH);
        assertThat(detect(proxy, ascii("PROXY UNKNOWN\r\n"))).isEqualTo(Detection.MATCH);
        assertThat(detect(proxy, ascii("PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n"))).isEqualTo(Detection.MATCH);
    }

    @Test
    void version2MatchesOnItsSignature() {
        byte[] v2 = encoded(HAProxyProtocolVersion.V2, HAProxyProxiedProtocol.TCP4, "10.0.0.1", "10.0.0.2");

        assertThat(Feed.decidedAfter(proxy, v2)).isEqualTo(12);
        assertThat(detect(proxy, v2)).isEqualTo(Detection.MATCH);
    }

    @Test
    void brokenVersion1LinesAreNoMatch() {
        for (String line : new String[] {"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
                "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
                "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY TCP4 a/b c d e\r\n",
                "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY UNKNOWN\u0001\r\n",
                "GET / HTTP/1.1\r\n"}) {
            assertThat(detect(proxy, ascii(line))).as(line).isEqualTo(Detection.NO_MATCH);
        }
    }

    @Test
    void aVersion1LineIsAtMost107Bytes() {
        String longest = "PROXY UNKNOWN " + "x".repeat(107 - 16) + "\r\n";
        assertThat(longest).hasSize(107);

        assertThat(detect(proxy, ascii(longest))).isEqualTo(Detection.MATCH);
        assertThat(detect(proxy, ascii("PROXY UNKNOWN " + "x".repeat(107 - 15) + "\r\n"))).isEqualTo(Detection.NO_MATCH);
    }

    private static byte[] encoded(HAProxyProtocolVersion version, HAProxyProxiedProtocol family, String source,
            String destination) {
        EmbeddedChannel channel = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        try {
            channel.writeOutbound(new HAProxyMessage(version, HAProxyCommand.PROXY, family, source, destination, 56324, 443));
            ByteBuf out = channel.readOutbound();
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
