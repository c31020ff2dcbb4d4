package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnownHeaderNamesTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void findsTheSharedNameOnlyForTheExactBytes() {
        byte[] line = bytes("xxUser-Agent: curl");
        Object found = KnownHeaderNames.find(line, 2, 10);
        assertThat(found).hasToString("User-Agent").isSameAs(KnownHeaderNames.find(bytes("User-Agent"), 0, 10));
        assertThat((Object) KnownHeaderNames.find(bytes("user-agent"), 0, 10)).hasToString("user-agent");
        assertThat((Object) KnownHeaderNames.find(bytes("USER-AGENT"), 0, 10)).isNull(); // another spelling: made anew
        assertThat((Object) KnownHeaderNames.find(bytes("User-Agenx"), 0, 10)).isNull();
        assertThat((Object) KnownHeaderNames.find(bytes("X-Custom"), 0, 8)).isNull();
        assertThat((Object) KnownHeaderNames.find(new byte[100], 0, 100)).isNull();
    }

    @Test
    void theDecoderKeepsEveryNameAsSentAndSharesTheKnownOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        String request = "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\naccept-encoding: gzip\r\nX-Custom: 1\r\n"
                + "COOKIE: c=1\r\n\r\n";
        for (int round = 0; round < 2; round++) {
            ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        }
        List<List<CharSequence>> names = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpRequest r) {
                List<CharSequence> n = new ArrayList<>();
                for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                        r.headers()::iteratorCharSequence) {
                    n.add(e.getKey());
                }
                names.add(n);
            }
            ReferenceCountUtil.release(o);
        }
        assertThat(names).hasSize(2);
        assertThat(names.get(0)).extracting(CharSequence::toString)
                .containsExactly("Host", "User-Agent", "accept-encoding", "X-Custom", "COOKIE");
        // The known names are the same objects in both requests; the others are made for each.
        assertThat((Object) names.get(1).get(1)).isSameAs(names.get(0).get(1));
        assertThat((Object) names.get(1).get(2)).isSameAs(names.get(0).get(2));
        assertThat((Object) names.get(1).get(3)).isNotSameAs(names.get(0).get(3));
        ch.finishAndReleaseAll();
    }
}
