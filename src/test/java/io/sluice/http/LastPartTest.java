package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The last part of a counted body: trailers that appear when asked for and survive every copy. */
class LastPartTest {

    @Test
    void trailersAreEmptyUntilAddedAndTravelWithEveryCopy() {
        LastPart p = new LastPart(Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII));
        assertThat(p.trailingHeaders().isEmpty()).isTrue();
        p.trailingHeaders().add("X-Sum", "7");
        LastHttpContent copy = p.copy();
        LastHttpContent replaced = p.replace(Unpooled.copiedBuffer("new", StandardCharsets.US_ASCII));
        for (LastHttpContent c : new LastHttpContent[] {copy, p.duplicate(), replaced}) {
            assertThat(c.trailingHeaders().get("X-Sum")).isEqualTo("7");
        }
        assertThat(copy.content().toString(StandardCharsets.US_ASCII)).isEqualTo("tail");
        copy.release();
        replaced.release();
        LastHttpContent dup = p.retainedDuplicate();
        assertThat(p.refCnt()).isEqualTo(2);
        assertThat(dup.content().toString(StandardCharsets.US_ASCII)).isEqualTo("tail");
        dup.release();
        assertThat(p.release()).isTrue();
    }

    @Test
    void trailersKeepNettysRulesAndTheDecoderResultIsKept() {
        ByteBuf b = Unpooled.buffer(0);
        LastPart p = new LastPart(b);
        assertThatThrownBy(() -> p.trailingHeaders().add("Content-Length", "5"))
                .isInstanceOf(IllegalArgumentException.class);
        p.setDecoderResult(DecoderResult.failure(new IllegalStateException("cut")));
        LastHttpContent c = p.replace(Unpooled.EMPTY_BUFFER);
        assertThat(c.decoderResult().isFailure()).isTrue();
        assertThat(p.retain()).isSameAs(p);
        p.release(2);
    }

    @Test
    void aPartBeingWrittenReadsAsEmptyWithoutMakingTrailersButKeepsAnyItHas() {
        LastPart plain = new LastPart(Unpooled.EMPTY_BUFFER);
        plain.seal();
        assertThat(plain.trailingHeaders()).isSameAs(EmptyHttpHeaders.INSTANCE);
        LastPart withTrailers = new LastPart(Unpooled.EMPTY_BUFFER);
        withTrailers.trailingHeaders().add("grpc-status", "0");
        withTrailers.seal();
        assertThat(withTrailers.trailingHeaders().get("grpc-status")).isEqualTo("0");
    }
}
