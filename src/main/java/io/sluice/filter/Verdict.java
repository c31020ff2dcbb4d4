package io.sluice.filter;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What {@link Filter#onRequest} decides: go on to the next filter (and then the backend), answer the client
 * here, or decide later. Immutable apart from the response it carries, which the exchange takes over.
 */
public final class Verdict {
    private static final Verdict NEXT = new Verdict(null, null);

    private final FullHttpResponse response;
    private final CompletionStage<Verdict> later;

    private Verdict(FullHttpResponse response, CompletionStage<Verdict> later) {
        this.response = response;
        this.later = later;
    }

    /** Go on: the next filter, then the backend. */
    public static Verdict next() {
        return NEXT;
    }

    /** Answer the client with this response; no backend sees the request. The exchange releases it. */
    public static Verdict respond(FullHttpResponse response) {
        return new Verdict(Objects.requireNonNull(response, "response"), null);
    }

    /** Answer with this status and a one-line plain-text body naming it. */
    public static Verdict respond(HttpResponseStatus status) {
        return respond(text(status, status.code() + " " + status.reasonPhrase() + "\n"));
    }

    /**
     * Decide when {@code stage} completes (on any thread): the exchange waits, reading no more of the request
     * body, and resumes on its event loop with the verdict it completes with. A stage that fails answers 500.
     */
    public static Verdict later(CompletionStage<Verdict> stage) {
        return new Verdict(null, Objects.requireNonNull(stage, "stage"));
    }

    /** A response with this status and a plain-text body. */
    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /** The local answer, or null. */
    public FullHttpResponse response() {
        return response;
    }

    /** The pending decision, or null. */
    public CompletionStage<Verdict> later() {
        return later;
    }

    /** True for {@link #next()}. */
    public boolean passes() {
        return this == NEXT;
    }
}
