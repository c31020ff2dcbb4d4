package io.sluice.filter.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.filter.Filter;
import io.sluice.filter.FilterContext;
import io.sluice.filter.FilterCounter;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.Verdict;

/**
 * Compresses response bodies as they stream, with the coding the client prefers among the configured ones
 * (see {@link AcceptEncoding}). A response is compressed when it is a 2xx other than 204 and 206, not to a
 * HEAD or an HTTP/1.0 request, has no Content-Encoding yet, is of a configured media type, does not say
 * {@code Cache-Control: no-transform}, and has a Content-Length of at least {@code min_size} or none at all
 * (a streamed body). Its Content-Length and Accept-Ranges go (the client gets it chunked on HTTP/1.1), a
 * strong ETag becomes weak, and {@code Vary: Accept-Encoding} is added to every response that could have been compressed.
 * Local answers (whole {@link FullHttpResponse}s) are left alone.
 *
 * <p>Each compressed response has its own Netty encoder in an {@link EmbeddedChannel}, fed and flushed part by
 * part so that every part the backend sends yields output for the client at once and nothing is gathered.
 * One instance serves a route on every event loop; it holds only settings and counters and is thread-safe.
 */
final class CompressFilter implements Filter {
    /** State of a request that may get a Vary header but no compression. */
    private static final Object VARY_ONLY = new Object();

    private final CompressSettings settings;
    private final Encoding[] offered;
    private final FilterCounter bytesIn;
    private final FilterCounter bytesOut;
    private final FilterCounter[] responses;

    CompressFilter(CompressSettings settings, Encoding[] offered, FilterEnv env) {
        this.settings = settings;
        this.offered = offered;
        this.bytesIn = env.counter("compressed_bytes_in", "Response body bytes compressed (before compression)");
        this.bytesOut = env.counter("compressed_bytes_out", "Compressed response body bytes sent to clients");
        this.responses = new FilterCounter[Encoding.values().length];
        for (Encoding e : offered) {
            responses[e.ordinal()] = env.counter("compressed_" + e.token(), "Responses compressed with " + e.token());
        }
    }

    @Override
    public Verdict onRequest(FilterContext ctx, HttpRequest request) {
        Object plan = VARY_ONLY;
        if (!HttpMethod.HEAD.equals(request.method()) && !HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
            Encoding e = AcceptEncoding.choose(joined(request.headers()), offered);
            if (e != null) {
                plan = e;
            }
        }
        ctx.state(plan);
        return Verdict.next();
    }

    private static String joined(HttpHeaders h) {
        java.util.List<String> all = h.getAll(HttpHeaderNames.ACCEPT_ENCODING);
        return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(",", all);
    }

    @Override
    public void onResponse(FilterContext ctx, HttpResponse response) {
        Object plan = ctx.state();
        if (plan == null || response instanceof FullHttpResponse || !eligible(response)) {
            return;
        }
        HttpHeaders h = response.headers();
        addVary(h);
        if (!(plan instanceof Encoding e)) {
            return;
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES); // the backend's ranges count bytes of the uncompressed body
        h.set(HttpHeaderNames.CONTENT_ENCODING, e.token());
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) {
            h.set(HttpHeaderNames.ETAG, "W/" + etag);
        }
        ctx.state(new Stream(e, settings.level(e)));
        responses[e.ordinal()].increment();
    }

    private boolean eligible(HttpResponse r) {
        int code = r.status().code();
        if (code < 200 || code > 299 || code == 204 || code == 206) {
            return false;
        }
        HttpHeaders h = r.headers();
        String ce = h.get(HttpHeaderNames.CONTENT_ENCODING);
        if (ce != null && !ce.trim().equalsIgnoreCase("identity")) {
            return false;
        }
        if (!settings.compressible(h.get(HttpHeaderNames.CONTENT_TYPE))) {
            return false;
        }
        for (String cc : h.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            if (hasToken(cc, HttpHeaderValues.NO_TRANSFORM)) {
                return false;
            }
        }
        String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.trim()) >= settings.minSize();
            } catch (NumberFormatException ex) {
                return false;
            }
        }
        return true;
    }

    private static void addVary(HttpHeaders h) {
        java.util.List<String> vary = h.getAll(HttpHeaderNames.VARY);
        for (String v : vary) {
            if (hasToken(v, HttpHeaderNames.ACCEPT_ENCODING) || hasToken(v, "*")) {
                return;
            }
        }
        if (vary.isEmpty()) {
            h.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        } else {
            h.set(HttpHeaderNames.VARY, String.join(", ", vary) + ", accept-encoding");
        }
    }

    private static boolean hasToken(String value, CharSequence token) {
        int start = 0;
        int len = value.length();
        while (start < len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int a = start;
            while (a < end && value.charAt(a) == ' ') {
                a++;
            }
            int b = end;
            while (b > a && value.charAt(b - 1) == ' ') {
                b--;
            }
            if (b - a == token.length() && value.regionMatches(true, a, token.toString(), 0, b - a)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    @Override
    public HttpContent onResponseContent(FilterContext ctx, HttpContent content) {
        if (!(ctx.state() instanceof Stream s) || s.channel == null) {
            return content;
        }
        boolean last = content instanceof LastHttpContent;
        ByteBuf in = content.content();
        int inBytes = in.readableBytes();
        ByteBuf out;
        try {
            if (inBytes > 0) {
                s.channel.writeOutbound(in.retain());
            }
            if (last) {
                s.channel.finish();
            }
            out = drain(s.channel);
        } catch (RuntimeException ex) {
            s.close();
            content.release();
            throw ex;
        }
        if (last) {
            s.channel = null;
        }
        bytesIn.add(inBytes);
        bytesOut.add(out.readableBytes());
        HttpContent replaced = content.replace(out);
        content.release();
        return replaced;
    }

    /** Everything the encoder has written so far, as one buffer (a composite when it wrote several). */
    private static ByteBuf drain(EmbeddedChannel ch) {
        ByteBuf first = ch.readOutbound();
        if (first == null) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf next = ch.readOutbound();
        if (next == null) {
            return first;
        }
        CompositeByteBuf all = ch.alloc().compositeBuffer();
        all.addComponent(true, first);
        do {
            all.addComponent(true, next);
        } while ((next = ch.readOutbound()) != null);
        return all;
    }

    @Override
    public void onComplete(FilterContext ctx, int status) {
        if (ctx.state() instanceof Stream s) {
            s.close(); // the exchange ended before the last part (the client or backend went away)
        }
    }

    /** One response's encoder; confined to the exchange's event loop. */
    private static final class Stream {
        EmbeddedChannel channel;

        Stream(Encoding encoding, int level) {
            channel = new EmbeddedChannel(encoding.newEncoder(level));
        }

        void close() {
            if (channel != null) {
                channel.finishAndReleaseAll();
                channel = null;
            }
        }
    }
}
