package io.sluice.http;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.TrackingAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Fuzz target for the HTTP/1.1 front: client bytes go through the production codec
 * ({@link HttpListener#newCodec}), each decoded request through the checks {@link FrontendHandler} makes
 * (decoder result, version, Host, {@link RequestRules}) and, when it passes, through
 * {@link ForwardHeaders#toUpstream}. What would be forwarded is encoded by the codec of Sluice's upstream
 * connections ({@link Http1ClientCodec}, which writes lean heads as their bytes) and read back by a fresh strict {@link HttpRequestDecoder}, standing in for the backend. Checked for every
 * input:
 * <ul>
 *   <li>no exception leaves any of the pipelines;</li>
 *   <li>every buffer is released (counted per input by a {@link TrackingAllocator});</li>
 *   <li>the backend parses every forwarded request without error, and exactly as many requests as were
 *       forwarded (nothing smuggled in a body);</li>
 *   <li>each has the method, target and Host that Sluice decided on, and the body bytes Sluice decoded,
 *       complete exactly when Sluice saw it complete;</li>
 *   <li>nothing is forwarded after a refused request, and a body part that failed to decode refuses its
 *       request (it is never forwarded as complete).</li>
 * </ul>
 * The input is raw client bytes (so the inputs directory holds plain HTTP), delivered in two reads split at a
 * point the input picks, then the client closes.
 */
class Http1FrontFuzzTest {
    private static final int MAX_HEADER = (int) LimitsConfig.DEFAULTS.maxHeaderSize();
    private static final String BACKEND = "127.0.0.1:9";

    /** One request as Sluice forwarded it, or as the backend read it. */
    private static final class Seen {
        final String method;
        final String uri;
        final String host;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;

        Seen(String method, String uri, String host) {
            this.method = method;
            this.uri = uri;
            this.host = host;
        }

        @Override
        public String toString() {
            return method + " " + uri + " Host=" + host + " body=" + body.size() + "B" + (complete ? "" : " (incomplete)");
        }
    }

    /**
     * Words of the protocol, so mutations reach the header names and codings the checks compare against.
     * (No CR or LF in entries: Jazzer 0.24 writes them into the dictionary file unescaped.)
     */
    @DictionaryEntries({" HTTP/1.1", "HTTP/1.0", "Host: ", "Content-Length: ", "Transfer-Encoding: ", "chunked",
            "Connection: ", "content-length", "transfer-encoding", "host", "keep-alive", "close", "Upgrade",
            "websocket", "TE: ", "trailers", "Trailer: ", "Expect: ", "100-continue", "Proxy-Connection",
            "X-Forwarded-For: ", "http://", "CONNECT", "OPTIONS", "HEAD", "POST"})
    @FuzzTest(maxDuration = "30s")
    void forwardedRequestsReadBackAsDecoded(byte[] input) throws Exception {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel front = alloc.channel(HttpListener.newCodec(MAX_HEADER));
        EmbeddedChannel upstream = alloc.channel(new Http1ClientCodec(4096, HeadParser.MAX_SECTION, 8192));
        List<Seen> forwarded = new ArrayList<>();
        try {
            int split = input.length == 0 ? 0 : (input[input.length - 1] & 0xff) % (input.length + 1);
            front.writeInbound(alloc.copyOf(input, 0, split));
            front.writeInbound(alloc.copyOf(input, split, input.length));
            front.finish(); // the client closes: the codec reports a request cut short
            forward(front, upstream, forwarded);
            upstream.flushOutbound();
            List<Seen> read = readBack(alloc, upstream);
            compare(forwarded, read);
        } finally {
            front.finishAndReleaseAll();
            upstream.finishAndReleaseAll();
        }
        alloc.assertAllReleased("after the input");
    }

    /** What FrontendHandler and Exchange do with the decoded messages, up to the write to the backend. */
    private static void forward(EmbeddedChannel front, EmbeddedChannel upstream, List<Seen> forwarded) {
        boolean refused = false;
        Seen current = null;
        for (Object msg; (msg = front.readInbound()) != null; ) {
            if (refused) {
                ReferenceCountUtil.release(msg); // the connection is closing: nothing more is forwarded
                continue;
            }
            if (msg instanceof HttpRequest req) {
                if (current != null && !current.complete) {
                    throw new AssertionError("a new request head before the last part of " + current);
                }
                current = null;
                if (!admissible(req)) {
                    refused = true;
                    ReferenceCountUtil.release(msg);
                    continue;
                }
                String host = req.headers().get(HttpHeaderNames.HOST);
                if (host == null && !req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                    host = BACKEND; // toUpstream names the backend for an HTTP/1.0 client that sent no Host
                }
                current = new Seen(req.method().name(), req.uri(), host);
                boolean upgrade = ForwardHeaders.isWebSocketUpgrade(req);
                ForwardHeaders.toUpstream(req, "127.0.0.1", "8080", false, BACKEND, false, false, upgrade);
                forwarded.add(current);
                upstream.write(msg);
                if (msg instanceof LastHttpContent) {
                    current.complete = true;
                }
            } else if (msg instanceof HttpContent c) {
                if (current == null || current.complete) {
                    ReferenceCountUtil.release(msg); // no request to carry it; the codec should not do this
                    throw new AssertionError("body part with no request open: " + msg);
                }
                if (c.decoderResult().isFailure()) {
                    refused = true; // the body's framing broke: the request is not forwarded as complete
                    c.release();
                    continue;
                }
                ByteBuf content = c.content();
                byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                current.body.writeBytes(bytes);
                if (c instanceof LastHttpContent) {
                    current.complete = true;
                }
                upstream.write(c);
            } else {
                ReferenceCountUtil.release(msg);
                throw new AssertionError("unexpected message from the codec: " + msg.getClass());
            }
        }
    }

    /** The checks FrontendHandler.onRequest makes before a request may go to a backend. */
    private static boolean admissible(HttpRequest req) {
        if (req.decoderResult().isFailure() || req.protocolVersion().majorVersion() != 1) {
            return false;
        }
        if (req.protocolVersion().minorVersion() >= 1 && !req.headers().contains(HttpHeaderNames.HOST)) {
            return false;
        }
        return RequestRules.check(req, false) == null;
    }

    /** Parses what reached the backend with a fresh strict decoder. */
    private static List<Seen> readBack(TrackingAllocator alloc, EmbeddedChannel upstream) {
        HttpDecoderConfig strict = new HttpDecoderConfig()
                .setMaxInitialLineLength(4 * MAX_HEADER)
                .setMaxHeaderSize(4 * MAX_HEADER)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        EmbeddedChannel backend = alloc.channel(new HttpRequestDecoder(strict));
        List<Seen> read = new ArrayList<>();
        try {
            for (ByteBuf b; (b = upstream.readOutbound()) != null; ) {
                backend.writeInbound(b);
            }
            Seen current = null;
            for (Object msg; (msg = backend.readInbound()) != null; ) {
                try {
                    if (msg instanceof HttpRequest req) {
                        if (req.decoderResult().isFailure()) {
                            throw new AssertionError("the backend cannot parse request " + (read.size() + 1)
                                    + " after " + read, req.decoderResult().cause());
                        }
                        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
                        if (hosts.size() > 1) {
                            throw new AssertionError("the backend got " + hosts.size() + " Host headers: " + hosts);
                        }
                        current = new Seen(req.method().name(), req.uri(), hosts.isEmpty() ? null : hosts.get(0));
                        read.add(current);
                    }
                    if (msg instanceof HttpContent c) {
                        if (c.decoderResult().isFailure()) {
                            throw new AssertionError("the backend cannot parse the body of " + current,
                                    c.decoderResult().cause());
                        }
                        byte[] bytes = new byte[c.content().readableBytes()];
                        c.content().getBytes(c.content().readerIndex(), bytes);
                        current.body.writeBytes(bytes);
                        if (c instanceof LastHttpContent) {
                            current.complete = true;
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            backend.finishAndReleaseAll(); // a forwarded request cut short ends here, unread
        }
        return read;
    }

    private static void compare(List<Seen> forwarded, List<Seen> read) {
        if (forwarded.size() != read.size()) {
            throw new AssertionError("forwarded " + forwarded.size() + " request(s), the backend read " + read.size()
                    + "\nforwarded: " + forwarded + "\nread: " + read);
        }
        for (int i = 0; i < forwarded.size(); i++) {
            Seen f = forwarded.get(i);
            Seen r = read.get(i);
            if (!f.method.equals(r.method) || !f.uri.equals(r.uri) || !Objects.equals(f.host, r.host)
                    || !Arrays.equals(f.body.toByteArray(), r.body.toByteArray()) || f.complete != r.complete) {
                throw new AssertionError("request " + (i + 1) + " changed on the way: forwarded " + f + ", read " + r);
            }
        }
    }
}
