package io.sluice.filter;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A library user's filter, as the README shows one: {@code stamp: { value: X }} adds {@code X-Stamp: X} to the
 * request the backend sees and to the response, counts request body bytes into {@code X-Body-Bytes}, and
 * refuses requests that carry {@code X-Block} with 403. Registered through {@code Sluice.builder().filter(...)}.
 */
public final class StampFilterFactory implements FilterFactory {
    /** Statuses {@link Filter#onComplete} heard, summed, so a test can see the hook ran. */
    static final AtomicInteger COMPLETED = new AtomicInteger();

    record Settings(String value) {
    }

    @Override
    public String name() {
        return "stamp";
    }

    @Override
    public Object configure(FilterArgs args) {
        args.allowOnly("value");
        if (!args.require("value", "the text to stamp")) {
            return null;
        }
        String v = args.text("value");
        if (v != null && v.isBlank()) {
            args.error("value", "the stamp may not be blank");
            return null;
        }
        return new Settings(v);
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        String value = ((Settings) settings).value();
        FilterCounter blocked = env.counter("stamp_blocked", "Requests the stamp filter refused");
        return new Filter() {
            @Override
            public Verdict onRequest(FilterContext ctx, HttpRequest request) {
                if (request.headers().contains("X-Block")) {
                    blocked.increment();
                    return Verdict.respond(HttpResponseStatus.FORBIDDEN);
                }
                request.headers().set("X-Stamp", value);
                return Verdict.next();
            }

            @Override
            public HttpContent onRequestContent(FilterContext ctx, HttpContent content) {
                long[] n = (long[]) ctx.state();
                if (n == null) {
                    n = new long[1];
                    ctx.state(n);
                }
                n[0] += content.content().readableBytes();
                return content;
            }

            @Override
            public void onResponse(FilterContext ctx, HttpResponse response) {
                response.headers().set("X-Stamp", value);
                long[] n = (long[]) ctx.state();
                response.headers().set("X-Body-Bytes", n == null ? 0 : n[0]);
                response.headers().set("X-Client", ctx.clientIp());
            }

            @Override
            public void onComplete(FilterContext ctx, int status) {
                COMPLETED.addAndGet(status);
            }
        };
    }
}
