package io.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.demo.DemoRoute.Kind;
import org.junit.jupiter.api.Test;

class DemoRouteTest {
    @Test
    void namedEndpoints() {
        assertThat(DemoRoute.parse("/health").kind()).isEqualTo(Kind.HEALTH);
        assertThat(DemoRoute.parse("/echo").kind()).isEqualTo(Kind.ECHO);
        assertThat(DemoRoute.parse("/sha256").kind()).isEqualTo(Kind.SHA256);
        assertThat(DemoRoute.parse("/drop").kind()).isEqualTo(Kind.DROP);
        assertThat(DemoRoute.parse("/close").kind()).isEqualTo(Kind.CLOSE);
        assertThat(DemoRoute.parse("/headers?x=1").kind()).isEqualTo(Kind.HEADERS);
        assertThat(DemoRoute.parse("/").kind()).isEqualTo(Kind.INFO);
        assertThat(DemoRoute.parse("/health/extra").kind()).isEqualTo(Kind.INFO);
        assertThat(DemoRoute.parse("http://example.com/health?a=b").kind()).isEqualTo(Kind.HEALTH);
        assertThat(DemoRoute.parse("http://example.com").kind()).isEqualTo(Kind.INFO);
    }

    @Test
    void statusCodes() {
        assertThat(DemoRoute.parse("/status/418")).isEqualTo(new DemoRoute(Kind.STATUS, 418, false, null));
        assertThat(DemoRoute.parse("/status/200").arg()).isEqualTo(200);
        assertThat(DemoRoute.parse("/status/599").arg()).isEqualTo(599);
        assertThat(DemoRoute.parse("/status/100").kind()).isEqualTo(Kind.BAD);
        assertThat(DemoRoute.parse("/status/199").kind()).isEqualTo(Kind.BAD);
        assertThat(DemoRoute.parse("/status/600").kind()).isEqualTo(Kind.BAD);
        assertThat(DemoRoute.parse("/status/abc").kind()).isEqualTo(Kind.BAD);
        assertThat(DemoRoute.parse("/status/").kind()).isEqualTo(Kind.BAD);
    }

    @Test
    void delayIsCapped() {
        assertThat(DemoRoute.parse("/delay/250").arg()).isEqualTo(250);
        assertThat(DemoRoute.parse("/delay/99999999").arg()).isEqualTo(DemoRoute.MAX_DELAY_MS);
        assertThat(DemoRoute.parse("/delay/-1").kind()).isEqualTo(Kind.BAD);
        assertThat(DemoRoute.parse("/delay/99999999999999999999").kind()).isEqualTo(Kind.BAD);
    }

    @Test
    void byteCounts() {
        assertThat(DemoRoute.parse("/bytes/10")).isEqualTo(new DemoRoute(Kind.BYTES, 10, false, null));
        assertThat(DemoRoute.parse("/bytes/10?chunked=1").chunked()).isTrue();
        assertThat(DemoRoute.parse("/bytes/10?chunked=0").chunked()).isFalse();
        assertThat(DemoRoute.parse("/bytes/" + (1L << 40)).arg()).isEqualTo(1L << 40);
        assertThat(DemoRoute.parse("/bytes/" + ((1L << 40) + 1)).kind()).isEqualTo(Kind.BAD);
    }

    @Test
    void patternInputMakesTheDocumentedBytesAcrossChunks() throws Exception {
        long n = 3L * PatternInput.CHUNK + 1234;
        PatternInput input = new PatternInput(n);
        long i = 0;
        while (!input.isEndOfInput()) {
            ByteBuf chunk = input.readChunk(UnpooledByteBufAllocator.DEFAULT);
            try {
                assertThat(chunk.readableBytes()).isBetween(1, PatternInput.CHUNK);
                while (chunk.isReadable()) {
                    assertThat(chunk.readByte()).isEqualTo(DemoBackend.patternByte(i++));
                }
            } finally {
                chunk.release();
            }
        }
        assertThat(i).isEqualTo(n);
        assertThat(input.progress()).isEqualTo(n);
        assertThat(input.readChunk(UnpooledByteBufAllocator.DEFAULT)).isNull();
        assertThat(DemoBackend.patternByte(250)).isEqualTo((byte) 250);
        assertThat(DemoBackend.patternByte(251)).isZero();
    }
}
