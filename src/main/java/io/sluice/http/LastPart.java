package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The last part of a body whose length was known: Netty's {@code DefaultLastHttpContent} with lighter
 * trailers. A body with a Content-Length has none, yet the default class builds an empty header map (about
 * 200 bytes) for every one. Here they are made when first asked for, as an empty {@link HeaderBlock} (one
 * small object) that refuses framing fields as Netty's trailers do, and not at all when Sluice's encoders
 * write a part nobody asked: Netty's encoder always reads them.
 */
final class LastPart extends DefaultHttpContent implements LastHttpContent {
    private HttpHeaders trailers;
    /** Being written: the encoder reads the trailers and releases the part, so none need be made. */
    private boolean sealed;

    LastPart(ByteBuf content) {
        super(content);
    }

    @Override
    public HttpHeaders trailingHeaders() {
        HttpHeaders t = trailers;
        if (t == null) {
            if (sealed) {
                return EmptyHttpHeaders.INSTANCE;
            }
            t = HeaderBlock.trailers();
            trailers = t;
        }
        return t;
    }

    /**
     * Called by Sluice's HTTP/1 encoders as they write the part: from then on an absent trailer section reads
     * as Netty's shared empty one, as the part is released right after.
     */
    void seal() {
        sealed = true;
    }

    @Override
    public LastHttpContent copy() {
        return replace(content().copy());
    }

    @Override
    public LastHttpContent duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public LastHttpContent retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public LastHttpContent replace(ByteBuf content) {
        LastPart p = new LastPart(content);
        if (trailers != null && !trailers.isEmpty()) {
            p.trailingHeaders().setAll(trailers);
        }
        p.setDecoderResult(decoderResult());
        return p;
    }

    @Override
    public LastHttpContent retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public LastHttpContent retain() {
        super.retain();
        return this;
    }

    @Override
    public LastHttpContent touch() {
        super.touch();
        return this;
    }

    @Override
    public LastHttpContent touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "LastPart(" + content().readableBytes() + " bytes, trailers: "
                + (trailers == null ? 0 : trailers.size()) + ")";
    }
}
