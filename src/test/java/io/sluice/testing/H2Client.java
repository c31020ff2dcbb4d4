package io.sluice.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.sluice.runtime.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A small HTTP/2 client for tests: one TCP connection per object, opened by {@link #connect} and never
 * reopened, carrying any number of concurrent streams. Clear text means h2c with prior knowledge; with an
 * {@link SslContext} the connection must settle on h2 in ALPN (or on no ALPN at all). {@code connect}
 * returns once the server's first SETTINGS arrived, so its SETTINGS_MAX_CONCURRENT_STREAMS applies from
 * the first request: streams beyond it wait in the client until others finish. A stream that ends in
 * RST_STREAM, or is lost to a GOAWAY or the connection closing, completes its future exceptionally with a
 * {@link StreamException}. Thread-safe: requests may be started from any thread; the DATA callbacks run on
 * the connection's event loop and must not block.
 */
public final class H2Client implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final String scheme;
    private final String defaultAuthority;
    private final CompletableFuture<Long> goAway;
    private final AtomicBoolean closed = new AtomicBoolean();

    private H2Client(EventLoopGroup group, Channel channel, String scheme, String defaultAuthority,
                     CompletableFuture<Long> goAway) {
        this.group = group;
        this.channel = channel;
        this.scheme = scheme;
        this.defaultAuthority = defaultAuthority;
        this.goAway = goAway;
    }

    /** Why a stream ended without a whole response; {@link #errorCode()} is the HTTP/2 error code, if any. */
    public static final class StreamException extends IOException {
        private final long errorCode;

        StreamException(String message, long errorCode) {
            super(message);
            this.errorCode = errorCode;
        }

        /** The RST_STREAM or GOAWAY error code; -1 when the stream ended for another reason. */
        public long errorCode() {
            return errorCode;
        }
    }

    /**
     * Connects to {@code host:port}: h2c with prior knowledge when {@code sslOrNull} is null, TLS otherwise,
     * sending {@code sniHostOrNull} as the SNI name (the handshake's peer host is then that name, else
     * {@code host}, and an IP address sends no SNI). Waits up to 10 s for the connection, the handshake and the
     * server's SETTINGS.
     */
    public static H2Client connect(String host, int port, SslContext sslOrNull, String sniHostOrNull)
            throws IOException, InterruptedException {
        return connect(host, port, sslOrNull, sniHostOrNull, null);
    }

    /** As {@link #connect(String, int, SslContext, String)}, from {@code localHost} (e.g. 127.0.0.2); null: any. */
    public static H2Client connect(String host, int port, SslContext sslOrNull, String sniHostOrNull,
                                   String localHost) throws IOException, InterruptedException {
        EventLoopGroup group = Transport.newGroup(1, "h2-client");
        CompletableFuture<Void> settings = new CompletableFuture<>();
        CompletableFuture<Long> goAway = new CompletableFuture<>();
        String peerHost = sniHostOrNull != null ? sniHostOrNull : host;
        try {
            ChannelFuture cf = new Bootstrap()
                    .group(group)
                    .channel(Transport.clientChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (sslOrNull != null) {
                                SslHandler tls = sslOrNull.newHandler(ch.alloc(), peerHost, port);
                                if (sniHostOrNull != null) {
                                    // named outright: the JDK leaves out SNI names without a dot by itself
                                    SSLEngine engine = tls.engine();
                                    SSLParameters params = engine.getSSLParameters();
                                    params.setServerNames(List.of(new SNIHostName(sniHostOrNull)));
                                    engine.setSSLParameters(params);
                                }
                                ch.pipeline().addLast(tls);
                            }
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                    .initialSettings(Http2Settings.defaultSettings()
                                            .pushEnabled(false)
                                            .maxConcurrentStreams(100)
                                            .initialWindowSize(1 << 20))
                                    .encoderEnforceMaxConcurrentStreams(true)
                                    .build());
                            ch.pipeline().addLast(new Http2MultiplexHandler(new RefusePushedStreams()));
                            ch.pipeline().addLast(new ConnectionEvents(settings, goAway));
                        }
                    })
                    .connect(new java.net.InetSocketAddress(host, port),
                            localHost == null ? null : new java.net.InetSocketAddress(localHost, 0));
            if (!cf.await(10, TimeUnit.SECONDS) || !cf.isSuccess()) {
                cf.channel().close();
                throw new IOException("cannot connect to " + host + ":" + port, cf.cause());
            }
            Channel ch = cf.channel();
            if (sslOrNull != null) {
                SslHandler ssl = ch.pipeline().get(SslHandler.class);
                if (!ssl.handshakeFuture().await(10, TimeUnit.SECONDS) || !ssl.handshakeFuture().isSuccess()) {
                    ch.close();
                    throw new IOException("TLS handshake with " + host + ":" + port + " failed",
                            ssl.handshakeFuture().cause());
                }
                String alpn = ssl.applicationProtocol();
                if (alpn != null && !ApplicationProtocolNames.HTTP_2.equals(alpn)) {
                    ch.close();
                    throw new IOException("the server chose " + alpn + " in ALPN, not h2");
                }
            }
            try {
                settings.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                ch.close();
                throw new IOException("no SETTINGS from " + host + ":" + port, e);
            }
            return new H2Client(group, ch, sslOrNull == null ? "http" : "https", host + ":" + port, goAway);
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A client context that trusts the CA (or self-signed certificate) in this PEM file; ALPN h2, then http/1.1. */
    public static SslContext tlsTrusting(Path caPem) throws SSLException {
        return SslContextBuilder.forClient()
                .trustManager(caPem.toFile())
                .applicationProtocolConfig(alpn())
                .build();
    }

    /** A client context that trusts any certificate and checks no host name; ALPN h2, then http/1.1. */
    public static SslContext insecureTls() throws SSLException {
        return SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null)
                .applicationProtocolConfig(alpn())
                .build();
    }

    private static ApplicationProtocolConfig alpn() {
        return new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    }

    /** TCP connections this client opened: always 1, as it never reconnects. */
    public int connectionCount() {
        return 1;
    }

    /** True while the connection is open. */
    public boolean isOpen() {
        return channel.isActive();
    }

    /** The ALPN protocol agreed on, or null over clear text or when TLS negotiated none. */
    public String applicationProtocol() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.applicationProtocol();
    }

    /** Completes with the error code of the first GOAWAY the server sends. */
    public CompletableFuture<Long> goAwayReceived() {
        return goAway;
    }

    /** A GET of this path with the default authority ({@code host:port}) and no other headers. */
    public CompletableFuture<H2Response> get(String path) {
        return request("GET", path, null, Map.of(), null);
    }

    /**
     * Sends one request on a new stream: {@code :method}, {@code :path}, {@code :scheme} (https over TLS),
     * {@code :authority} ({@code host:port} when null), these headers (names lower-cased, values as given,
     * not otherwise checked), and the body in one DATA frame that ends the stream (none when null or empty,
     * the HEADERS frame ending it). Completes when the response stream ends.
     */
    public CompletableFuture<H2Response> request(String method, String path, String authority,
                                                 Map<String, String> headers, byte[] body) {
        return request(method, path, authority, headers, body, null);
    }

    /**
     * As {@link #request(String, String, String, Map, byte[])}, also handing each DATA frame's payload to
     * {@code onData} as it arrives, on the event loop. Cancelling the returned future resets the stream
     * (RST_STREAM CANCEL).
     */
    public CompletableFuture<H2Response> request(String method, String path, String authority,
                                                 Map<String, String> headers, byte[] body,
                                                 Consumer<byte[]> onData) {
        Http2Headers h = new DefaultHttp2Headers(false)
                .method(method)
                .path(path)
                .scheme(scheme)
                .authority(authority != null ? authority : defaultAuthority);
        if (headers != null) {
            headers.forEach((k, v) -> h.add(k.toLowerCase(Locale.ROOT), v));
        }
        boolean hasBody = body != null && body.length > 0;
        CompletableFuture<H2Response> result = new CompletableFuture<>();
        ResponseReader reader = new ResponseReader(result, onData);
        new Http2StreamChannelBootstrap(channel).handler(reader).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new StreamException("cannot open a stream: " + f.cause(), -1));
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            if (result.isDone()) { // cancelled before the stream existed
                stream.close();
                return;
            }
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    stream.close();
                }
            });
            stream.write(new DefaultHttp2HeadersFrame(h, !hasBody)).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(new StreamException("cannot send the headers: " + w.cause(), -1));
                    stream.close();
                }
            });
            if (hasBody) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body.clone()), true));
            }
            stream.flush();
        });
        return result;
    }

    /** Collects one response on its stream channel. */
    private static final class ResponseReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<H2Response> result;
        private final Consumer<byte[]> onData;
        private int status = -1;
        private Map<String, List<String>> headers;
        private Map<String, List<String>> trailers = new LinkedHashMap<>();
        private final List<byte[]> frames = new ArrayList<>();

        ResponseReader(CompletableFuture<H2Response> result, Consumer<byte[]> onData) {
            this.result = result;
            this.onData = onData;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = false;
            if (msg instanceof Http2HeadersFrame f) {
                end = f.isEndStream();
                if (headers == null) {
                    int s = parseStatus(f.headers());
                    if (s >= 200 || end) {
                        status = s;
                        headers = toMap(f.headers());
                    }
                } else {
                    trailers = toMap(f.headers());
                }
            } else if (msg instanceof Http2DataFrame d) {
                byte[] bytes;
                try {
                    bytes = ByteBufUtil.getBytes(d.content());
                    end = d.isEndStream();
                } finally {
                    d.release();
                }
                frames.add(bytes);
                if (onData != null) {
                    try {
                        onData.accept(bytes.clone());
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                        ctx.close();
                        return;
                    }
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
            if (end) {
                if (headers == null) {
                    result.completeExceptionally(new StreamException("the stream ended before any headers", -1));
                } else {
                    result.complete(new H2Response(status, headers, trailers, frames));
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ResetFrame r) {
                result.completeExceptionally(new StreamException(
                        "RST_STREAM " + describe(r.errorCode()), r.errorCode()));
            } else if (evt instanceof Http2GoAwayFrame g) {
                result.completeExceptionally(new StreamException("GOAWAY " + describe(g.errorCode())
                        + " with last stream " + g.lastStreamId() + ": this stream was not processed",
                        g.errorCode()));
            }
            super.userEventTriggered(ctx, evt); // the pipeline's tail releases what it is handed
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            result.completeExceptionally(new StreamException("the stream closed before its response ended", -1));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(new StreamException("stream failed: " + cause, -1));
            ctx.close();
        }
    }

    private static String describe(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return (e == null ? "error" : e.name()) + " (" + code + ")";
    }

    private static int parseStatus(Http2Headers h) {
        try {
            return h.status() == null ? -1 : Integer.parseInt(h.status().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, List<String>> toMap(Http2Headers h) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        h.forEach(e -> m.computeIfAbsent(e.getKey().toString(), k -> new ArrayList<>()).add(e.getValue().toString()));
        return m;
    }

    /** Closes any stream the server pushes (push is disabled in the client's SETTINGS anyway). */
    private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Connection-level frames on the parent channel: the first SETTINGS and any GOAWAY. */
    private static final class ConnectionEvents extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Void> settings;
        private final CompletableFuture<Long> goAway;

        ConnectionEvents(CompletableFuture<Void> settings, CompletableFuture<Long> goAway) {
            this.settings = settings;
            this.goAway = goAway;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame) {
                    settings.complete(null);
                } else if (msg instanceof Http2GoAwayFrame g) {
                    goAway.complete(g.errorCode());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            settings.completeExceptionally(new IOException("the connection closed"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            settings.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Closes the connection; unfinished requests fail. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
