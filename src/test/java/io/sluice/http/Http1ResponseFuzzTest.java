package io.sluice.http;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.TrackingAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target for the upstream side of HTTP/1: backend bytes go through the codec of Sluice's upstream
 * connections ({@link Http1ClientCodec}), each response through {@link ForwardHeaders#toClient} as
 * {@link Exchange} does, then out through the front codec's encoder ({@link HttpListener#newCodec}), and a
 * fresh Netty {@link HttpResponseDecoder}, standing in for the client, reads what was written. The input's
 * first byte picks whether the requests were GETs or HEADs ({@code H}: HEAD); the rest is what the backend sends, in
 * two reads split at a point its last byte picks, then the backend closes. Checked for every input:
 * <ul>
 *   <li>no exception leaves any of the pipelines;</li>
 *   <li>every buffer is released (counted per input by a {@link TrackingAllocator});</li>
 *   <li>the client parses every forwarded response without error, exactly as many as were forwarded, each
 *       with the status and the body bytes Sluice decoded, complete exactly when Sluice saw it complete (but a
 *       205, which Netty's encoder always sends with an empty body);</li>
 *   <li>no header the client reads has a byte a header may not have.</li>
 * </ul>
 */
class Http1ResponseFuzzTest {
    private static final int MAX_HEADER = (int) LimitsConfig.DEFAULTS.maxHeaderSize();
    private static final int REQUESTS = 3;

    /** One response as Sluice forwarded it, or as the client read it. */
    private static final class Seen {
        final int status;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;

        Seen(int status) {
            this.status = status;
        }

        @Override
        public String toString() {
            return status + " body=" + body.size() + "B" + (complete ? "" : " (incomplete)");
        }
    }

    @DictionaryEntries({"HTTP/1.1 ", "HTTP/1.0 ", "200 OK", "100 Continue", "101 Switching", "204", "304",
        "Content-Length: ", "Transfer-Encoding: ", "chunked", "gzip", "Connection: ", "close", "keep-alive",
        "Trailer: ", "Upgrade: ", "websocket", "Keep-Alive: ", "Proxy-Connection: ", "TE: ", "trailers"})
    @FuzzTest(maxDuration = "30s")
    void forwardedResponsesReadBackAsDecoded(byte[] input) throws Exception {
        boolean head = input.length > 0 && input[0] == 'H';
        HttpMethod method = head ? HttpMethod.HEAD : HttpMethod.GET;
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel upstream = alloc.channel(new Http1ClientCodec(4096, HeadParser.MAX_SECTION, 8192));
        EmbeddedChannel front = alloc.channel(HttpListener.newCodec(MAX_HEADER));
        List<Seen> forwarded = new ArrayList<>();
        try {
            String request = method.name() + " / HTTP/1.1\r\nHost: h\r\n\r\n";
            for (int i = 0; i < REQUESTS; i++) {
                upstream.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/",
                        alloc.heapBuffer(0)));
                front.writeInbound(alloc.copyOf(request.getBytes(StandardCharsets.US_ASCII), 0, request.length()));
            }
            releaseAll(upstream.outboundMessages());
            releaseAll(front.inboundMessages());
            int from = Math.min(1, input.length); // the first byte picked the method
            int split = from + (input.length == 0 ? 0 : (input[input.length - 1] & 0xff) % (input.length - from + 1));
            upstream.writeInbound(alloc.copyOf(input, from, split));
            upstream.writeInbound(alloc.copyOf(input, split, input.length));
            upstream.finish(); // the backend closes: a body read to the close ends here
            forward(upstream, front, head, forwarded);
            front.flushOutbound();
            compare(forwarded, readBack(alloc, front, head));
        } finally {
            upstream.finishAndReleaseAll();
            front.finishAndReleaseAll();
        }
        alloc.assertAllReleased("after the input");
    }

    /** What Exchange does with the decoded responses, up to the write to the client. */
    private static void forward(EmbeddedChannel upstream, EmbeddedChannel front, boolean head, List<Seen> forwarded) {
        boolean stopped = false;
        int finals = 0;
        Seen current = null;
        for (Object msg; (msg = upstream.readInbound()) != null; ) {
            if (stopped) {
                ReferenceCountUtil.release(msg);
                continue;
            }
            if (msg instanceof HttpResponse res) {
                if (current != null && !current.complete) {
                    ReferenceCountUtil.release(msg);
                    throw new AssertionError("a new response head before the last part of " + current);
                }
                int code = res.status().code();
                if (res.decoderResult().isFailure() || code == 101 || finals == REQUESTS) {
                    stopped = true; // a 502, a tunnel, or more answers than questions: the exchange ends here
                    ReferenceCountUtil.release(msg);
                    continue;
                }
                if (code >= 100 && code < 200) {
                    ForwardHeaders.interimToClient(res);
                } else {
                    finals++;
                    ForwardHeaders.toClient(res, head, false, true, null, false);
                }
                current = new Seen(code);
                forwarded.add(current);
                front.write(msg);
                if (msg instanceof LastHttpContent) {
                    current.complete = true;
                }
            } else if (msg instanceof HttpContent c) {
                if (current == null || current.complete) {
                    ReferenceCountUtil.release(msg);
                    throw new AssertionError("body part with no response open: " + msg);
                }
                if (c.decoderResult().isFailure()) {
                    stopped = true; // the body's framing broke: the client connection is cut, the body unfinished
                    c.release();
                    continue;
                }
                append(current, c.content());
                if (c instanceof LastHttpContent) {
                    current.complete = true;
                }
                front.write(c);
            } else {
                ReferenceCountUtil.release(msg);
                throw new AssertionError("unexpected message from the codec: " + msg.getClass());
            }
        }
    }

    /** Parses what reached the client with a fresh Netty decoder that knows which requests were HEADs. */
    private static List<Seen> readBack(TrackingAllocator alloc, EmbeddedChannel front, boolean head) {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(4 * MAX_HEADER)
                .setMaxHeaderSize(4 * HeadParser.MAX_SECTION);
        EmbeddedChannel client = alloc.channel(new HttpResponseDecoder(config) {
            @Override
            protected boolean isContentAlwaysEmpty(HttpMessage msg) {
                return super.isContentAlwaysEmpty(msg)
                        || (head && ((HttpResponse) msg).status().code() >= 200);
            }
        });
        List<Seen> read = new ArrayList<>();
        try {
            for (ByteBuf b; (b = front.readOutbound()) != null; ) {
                client.writeInbound(b);
            }
            Seen current = null;
            for (Object msg; (msg = client.readInbound()) != null; ) {
                try {
                    if (msg instanceof HttpResponse res) {
                        if (res.decoderResult().isFailure()) {
                            throw new AssertionError("the client cannot parse response " + (read.size() + 1)
                                    + " after " + read, res.decoderResult().cause());
                        }
                        res.headers().forEach(e -> checkHeader(e.getKey(), e.getValue()));
                        current = new Seen(res.status().code());
                        read.add(current);
                    }
                    if (msg instanceof HttpContent c) {
                        if (c.decoderResult().isFailure()) {
                            throw new AssertionError("the client cannot parse the body of " + current,
                                    c.decoderResult().cause());
                        }
                        append(current, c.content());
                        if (c instanceof LastHttpContent) {
                            current.complete = true;
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            client.finishAndReleaseAll(); // a response cut short ends here, unread
        }
        return read;
    }

    private static void append(Seen seen, ByteBuf content) {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        seen.body.writeBytes(bytes);
    }

    private static void checkHeader(String name, String value) {
        if (name.isEmpty() || HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name) && value.isEmpty()) {
            throw new AssertionError("empty header name or Connection value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new AssertionError("header " + name + " carries a CR, LF or NUL to the client");
            }
        }
    }

    private static void compare(List<Seen> forwarded, List<Seen> read) {
        if (forwarded.size() != read.size()) {
            throw new AssertionError("forwarded " + forwarded.size() + " response(s), the client read " + read.size()
                    + "\nforwarded: " + forwarded + "\nread: " + read);
        }
        for (int i = 0; i < forwarded.size(); i++) {
            Seen f = forwarded.get(i);
            Seen r = read.get(i);
            boolean resetContent = f.status == 205; // Netty's encoder sends a 205 as Content-Length: 0, no body
            if (f.status != r.status || !resetContent && (!Arrays.equals(f.body.toByteArray(), r.body.toByteArray())
                    || f.complete != r.complete)) {
                throw new AssertionError("response " + (i + 1) + " changed on the way: forwarded " + f + ", read " + r);
            }
        }
    }

    private static void releaseAll(java.util.Queue<Object> messages) {
        for (Object m; (m = messages.poll()) != null; ) {
            ReferenceCountUtil.release(m);
        }
    }
}
