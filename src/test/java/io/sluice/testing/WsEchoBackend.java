package io.sluice.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * A WebSocket echo backend on 127.0.0.1 (ws, or wss with an {@link SslContext}). An upgrade on any path is
 * accepted (no subprotocol, no extensions); every text frame comes back as text and every binary frame as
 * binary, fragments as fragments, in order. The text message {@value #CLOSE_COMMAND} makes the backend
 * send a close frame (1000, "bye") and close instead. A request that is not a WebSocket upgrade, to any
 * path, gets 200 {@code ws backend} (text/plain), keep-alive honoured. Thread-safe: the counters and the
 * recorded handshake may be read from any thread.
 */
public final class WsEchoBackend implements AutoCloseable {
    /** The text message that makes the backend close the WebSocket. */
    public static final String CLOSE_COMMAND = "__close__";

    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger upgrades = new AtomicInteger();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicInteger httpRequests = new AtomicInteger();
    private final AtomicReference<String> lastUpgradeUri = new AtomicReference<>();
    private final AtomicReference<Map<String, List<String>>> lastUpgradeHeaders = new AtomicReference<>();

    /** A clear-text (ws) backend. */
    public WsEchoBackend() throws InterruptedException {
        this(null);
    }

    /** A wss backend with this context, or ws when it is null. */
    public WsEchoBackend(SslContext sslOrNull) throws InterruptedException {
        group = Transport.newGroup(1, "ws-backend");
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(Transport.serverChannel())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.incrementAndGet();
                            ChannelPipeline p = ch.pipeline();
                            if (sslOrNull != null) {
                                p.addLast(sslOrNull.newHandler(ch.alloc()));
                            }
                            p.addLast(new HttpServerCodec());
                            p.addLast(new HttpObjectAggregator(1 << 20));
                            p.addLast(new PlainHttp());
                            p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                    .websocketPath("/")
                                    .checkStartsWith(true)
                                    .allowExtensions(false)
                                    .maxFramePayloadLength(16 << 20)
                                    .handshakeTimeoutMillis(10_000)
                                    .build()));
                            p.addLast(new Echo());
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A server context from PEM files (certificate chain, PKCS#8 key), without ALPN. */
    public static SslContext serverTls(Path certPem, Path keyPem) throws SSLException {
        return SslContextBuilder.forServer(certPem.toFile(), keyPem.toFile()).build();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** WebSocket handshakes completed so far. */
    public int upgrades() {
        return upgrades.get();
    }

    /** Whole messages (final frames of text or binary messages) echoed so far. */
    public int messages() {
        return messages.get();
    }

    /** Plain HTTP requests (not upgrades) answered so far. */
    public int httpRequests() {
        return httpRequests.get();
    }

    /** The request URI of the latest completed handshake, or null. */
    public String lastUpgradeUri() {
        return lastUpgradeUri.get();
    }

    /** The headers of the latest completed handshake's request, by lower-case name; null before any. */
    public Map<String, List<String>> lastUpgradeHeaders() {
        return lastUpgradeHeaders.get();
    }

    private static boolean isUpgrade(FullHttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** Answers what is not a WebSocket upgrade; passes upgrades on. */
    private final class PlainHttp extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest req) || isUpgrade(req)) {
                ctx.fireChannelRead(msg);
                return;
            }
            boolean keepAlive;
            HttpVersion version;
            try {
                keepAlive = HttpUtil.isKeepAlive(req);
                version = req.protocolVersion();
            } finally {
                req.release();
            }
            httpRequests.incrementAndGet();
            FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer("ws backend".getBytes(StandardCharsets.US_ASCII)));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            HttpUtil.setContentLength(res, res.content().readableBytes());
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Writes each data frame back as it came; ping, pong and close are the protocol handler's. */
    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame t && t.isFinalFragment() && CLOSE_COMMAND.equals(t.text())) {
                t.release();
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame
                    || msg instanceof ContinuationWebSocketFrame) {
                if (((WebSocketFrame) msg).isFinalFragment()) {
                    messages.incrementAndGet();
                }
                ctx.writeAndFlush(msg); // ownership goes with the write
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
                upgrades.incrementAndGet();
                lastUpgradeUri.set(hc.requestUri());
                lastUpgradeHeaders.set(toMap(hc.requestHeaders()));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Map<String, List<String>> toMap(HttpHeaders h) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String name : h.names()) {
            m.put(name.toLowerCase(Locale.ROOT), List.copyOf(h.getAll(name)));
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
