package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** X-Request-Id: a sane client id is kept, anything else replaced by 32 new hex digits, in either header kind. */
class RequestIdsTest {

    private static HeaderBlock block(String section) throws HeadParser.BadHead {
        ByteBuf b = Unpooled.copiedBuffer(section, StandardCharsets.ISO_8859_1);
        try {
            return new HeadParser().parse(b, 0, b.writerIndex(), false);
        } finally {
            b.release();
        }
    }

    @Test
    void theDigitsReadAsTheyAreWrittenAndAsTheStringIs() {
        RequestIds.Hex id = new RequestIds.Hex(0x0123456789abcdefL, 0xfedcba9876543210L);
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < id.length(); i++) {
            read.append(id.charAt(i));
        }
        assertThat(read.toString()).isEqualTo("0123456789abcdeffedcba9876543210").isEqualTo(id.toString());
        assertThat(id.subSequence(30, 32).toString()).isEqualTo("10");
    }

    @Test
    void aSaneClientIdStaysAndEveryOtherIsReplaced() throws Exception {
        HeaderBlock kept = block("X-Request-Id: abc-123\r\n");
        RequestIds.ensure(kept);
        assertThat(kept.getAll("X-Request-Id")).containsExactly("abc-123");
        for (String section : new String[] {"", "X-Request-Id: a b\r\n", "X-Request-Id: a\r\nX-Request-Id: b\r\n",
            "X-Request-Id: " + "x".repeat(129) + "\r\n"}) {
            HeaderBlock h = block(section);
            RequestIds.ensure(h);
            assertThat(h.getAll("X-Request-Id")).as(section).singleElement()
                    .satisfies(v -> assertThat(v).matches("[0-9a-f]{32}"));
            ByteBuf out = Unpooled.buffer();
            h.writeTo(out);
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(ForwardHeaders.X_REQUEST_ID + ": " + h.get("X-Request-Id")
                    + "\r\n");
            out.release();
        }
        HttpHeaders plain = DefaultHttpHeadersFactory.headersFactory().newHeaders().add("X-Request-Id", "a b");
        RequestIds.ensure(plain);
        assertThat(plain.get("X-Request-Id")).matches("[0-9a-f]{32}");
        HttpHeaders sane = DefaultHttpHeadersFactory.headersFactory().newHeaders().add("X-Request-Id", "ok");
        RequestIds.ensure(sane);
        assertThat(sane.get("X-Request-Id")).isEqualTo("ok");
    }
}
