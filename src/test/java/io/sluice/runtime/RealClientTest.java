package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.sluice.config.CidrBlock;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address of X-Forwarded-For is the client, and when the header is not believed at all. */
class RealClientTest {
    private final RealClient rc = new RealClient("X-Forwarded-For",
            List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("fd00::/8")));
    private final InetSocketAddress proxy = new InetSocketAddress("10.1.1.1", 4000);
    private final InetSocketAddress stranger = new InetSocketAddress("192.0.2.1", 4000);

    private String client(InetSocketAddress source, String... xff) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (String v : xff) {
            h.add("x-forwarded-for", v);
        }
        return rc.resolve(h, source).getAddress().getHostAddress();
    }

    @Test
    void aTrustedProxysHeaderNamesTheRightMostUntrustedAddress() {
        assertThat(client(proxy, "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(client(proxy, "1.1.1.1, 203.0.113.7, 10.2.2.2")).isEqualTo("203.0.113.7");
        assertThat(client(proxy, "1.1.1.1", "203.0.113.7,10.9.9.9")).isEqualTo("203.0.113.7");
        assertThat(client(proxy, "[2001:db8::5]:443, fd00::1")).isEqualTo("2001:db8:0:0:0:0:0:5");
        assertThat(client(proxy, "203.0.113.7:5555")).isEqualTo("203.0.113.7");
    }

    @Test
    void allTrustedGivesTheLeftMostAndGarbageStopsTheWalk() {
        assertThat(client(proxy, "10.3.3.3, 10.2.2.2")).isEqualTo("10.3.3.3");
        assertThat(client(proxy, "203.0.113.7, unknown, 10.2.2.2")).isEqualTo("10.2.2.2");
        assertThat(client(proxy, "example.com")).isEqualTo("10.1.1.1");
        assertThat(client(proxy)).isEqualTo("10.1.1.1");
        assertThat(client(proxy, ",, ,")).isEqualTo("10.1.1.1");
    }

    @Test
    void anUntrustedSourceIsTheClientWhateverItSends() {
        assertThat(client(stranger, "203.0.113.7")).isEqualTo("192.0.2.1");
        HttpHeaders none = new DefaultHttpHeaders();
        assertThat(rc.resolve(none, stranger)).isSameAs(stranger);
    }
}
