package io.sluice.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AttributeKey;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.runtime.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * An HTTP/2 backend on 127.0.0.1 for tests of HTTP/2 and gRPC-style proxying. Clear text means h2c with
 * prior knowledge (no HTTP/1.1 upgrade); with an {@link SslContext} it speaks h2 over TLS and closes a
 * connection whose ALPN settled on anything else (no ALPN at all is taken as h2). Every request is answered
 * once its stream has ended (the body is read in full first), by path, the query ignored:
 * <ul>
 *   <li>{@code /echo}: {@code :status 200}, the request's {@code content-type}, the request body as the
 *       response body, then trailers {@code grpc-status: 0}, {@code grpc-message: ok} and
 *       {@code x-echo-bytes: <body length>}.</li>
 *   <li>{@code /stream?n=K}: headers ({@code content-type: application/grpc}), then K DATA frames, each one
 *       gRPC length-prefixed message (flag byte 0, 4-byte big-endian length, ASCII {@code msg-<i>}), then
 *       trailers {@code grpc-status: 0}. {@code msg-0} goes at once; each later one waits for a permit of
 *       {@link #streamGate()}, so a test can show that the proxy passes a message on before the next
 *       exists. A test that does not care releases plenty of permits up front.</li>
 *   <li>{@code /status/<code>}: that status with no body, then trailers {@code grpc-status: 13}.</li>
 *   <li>anything else: 200, {@code content-type: text/plain}, {@code x-backend-port: <port>}, body
 *       {@code h2 <:path as received>} (query included), no trailers.</li>
 * </ul>
 * Every response copies a request header {@code x-test} back as {@code x-test}. Waiting for the gate never
 * blocks an event loop: a separate thread waits, then hands the write back to the stream's event loop.
 * Thread-safe: the counters and recorded headers may be read from any thread while requests run.
 */
public final class H2Backend implements AutoCloseable {
    private static final AttributeKey<AtomicInteger> STREAMS = AttributeKey.valueOf("h2backend.streams");

    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService waiters;
    private final Semaphore gate = new Semaphore(0);
    private final AtomicInteger connections = new AtomicInteger();
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger streamMessagesSent = new AtomicInteger();
    private final AtomicInteger maxStreamsOnOneConnection = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger maxOpenStreams = new AtomicInteger();
    private final AtomicReference<Http2Headers> lastHeaders = new AtomicReference<>();
    private final Map<String, Http2Headers> lastHeadersByPath = new ConcurrentHashMap<>();
    private final AtomicReference<String> lastSniHostname = new AtomicReference<>();
    private final int maxConcurrentStreams;

    /** A clear-text (h2c prior knowledge) backend allowing 1000 concurrent streams per connection. */
    public H2Backend() throws InterruptedException {
        this(null);
    }

    /** A backend speaking h2 over TLS with this context, or h2c when it is null; 1000 concurrent streams. */
    public H2Backend(SslContext sslOrNull) throws InterruptedException {
        this(sslOrNull, 1000);
    }

    /** As {@link #H2Backend(SslContext)}, advertising this SETTINGS_MAX_CONCURRENT_STREAMS. */
    public H2Backend(SslContext sslOrNull, int maxConcurrentStreams) throws InterruptedException {
        this.maxConcurrentStreams = maxConcurrentStreams;
        group = Transport.newGroup(2, "h2-backend");
        waiters = Executors.newCachedThreadPool(new DefaultThreadFactory("h2-backend-gate", true));
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(Transport.serverChannel())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.incrementAndGet();
                            accepted.add(ch);
                            ch.attr(STREAMS).set(new AtomicInteger());
                            if (sslOrNull == null) {
                                addHttp2(ch.pipeline());
                            } else {
                                addTls(ch.pipeline(), sslOrNull);
                            }
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            waiters.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * A server context for this backend from PEM files (an X.509 certificate chain and a PKCS#8 key) that
     * offers only h2 in ALPN.
     */
    public static SslContext serverTls(Path certPem, Path keyPem) throws SSLException {
        return SslContextBuilder.forServer(certPem.toFile(), keyPem.toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    private void addTls(ChannelPipeline p, SslContext ssl) {
        Mapping<String, SslContext> recordSni = hostname -> {
            lastSniHostname.set(hostname);
            return ssl;
        };
        p.addLast(new SniHandler(recordSni));
        p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_2) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    addHttp2(ctx.pipeline());
                } else {
                    ctx.close();
                }
            }
        });
    }

    private void addHttp2(ChannelPipeline p) {
        p.addLast(Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(maxConcurrentStreams)
                        .initialWindowSize(1 << 20))
                .build());
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                int onConnection = ch.parent().attr(STREAMS).get().incrementAndGet();
                maxStreamsOnOneConnection.accumulateAndGet(onConnection, Math::max);
                maxOpenStreams.accumulateAndGet(openStreams.incrementAndGet(), Math::max);
                ch.closeFuture().addListener(f -> openStreams.decrementAndGet());
                ch.pipeline().addLast(new StreamHandler());
            }
        }));
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The gate of {@code /stream}: each message after the first takes one permit. */
    public Semaphore streamGate() {
        return gate;
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Requests (streams whose request headers arrived) so far. */
    public int requests() {
        return requests.get();
    }

    /** The most streams seen on any one connection, over its whole life. */
    public int maxStreamsOnOneConnection() {
        return maxStreamsOnOneConnection.get();
    }

    /** The most streams open at once, across all connections. */
    public int maxConcurrentStreamsSeen() {
        return maxOpenStreams.get();
    }

    /** RST_STREAM frames received from clients. */
    public int resetsReceived() {
        return resets.get();
    }

    /**
     * {@code /stream} messages written so far, over all streams; counted just before each write, so once a
     * client has received {@code msg-i} this is at least i + 1.
     */
    public int streamMessagesSent() {
        return streamMessagesSent.get();
    }

    /** A copy of the latest request's headers (pseudo-headers included), or null before any request. */
    public Http2Headers lastHeaders() {
        Http2Headers h = lastHeaders.get();
        return h == null ? null : copy(h);
    }

    /** A copy of the latest headers of a request to this path (query excluded), or null if none came. */
    public Http2Headers lastHeaders(String path) {
        Http2Headers h = lastHeadersByPath.get(path);
        return h == null ? null : copy(h);
    }

    /** The SNI host name of the latest TLS connection; null when it sent none or none came. */
    public String lastSniHostname() {
        return lastSniHostname.get();
    }

    private static Http2Headers copy(Http2Headers h) {
        return new DefaultHttp2Headers(false).set(h);
    }

    /** Reads one request in full, then answers it. Lives on the stream channel's event loop. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private Http2Headers request;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = false;
            if (msg instanceof Http2HeadersFrame h) {
                if (request == null) {
                    request = copy(h.headers());
                    requests.incrementAndGet();
                    lastHeaders.set(request);
                    lastHeadersByPath.put(pathOnly(request), request);
                }
                end = h.isEndStream();
            } else if (msg instanceof Http2DataFrame d) {
                try {
                    byte[] bytes = ByteBufUtil.getBytes(d.content());
                    body.write(bytes, 0, bytes.length);
                    end = d.isEndStream();
                } finally {
                    d.release();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
            if (end && request != null && !answered) {
                answered = true;
                answer(ctx);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ResetFrame) {
                resets.incrementAndGet();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void answer(ChannelHandlerContext ctx) {
            String fullPath = request.path() == null ? "" : request.path().toString();
            String path = pathOnly(request);
            if (path.equals("/echo")) {
                byte[] bytes = body.toByteArray();
                Http2Headers head = head(200);
                CharSequence type = request.get("content-type");
                if (type != null) {
                    head.set("content-type", type);
                }
                ctx.write(new DefaultHttp2HeadersFrame(head, false));
                if (bytes.length > 0) {
                    ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), false));
                }
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                        .set("grpc-status", "0")
                        .set("grpc-message", "ok")
                        .set("x-echo-bytes", Integer.toString(bytes.length)), true));
            } else if (path.equals("/stream")) {
                int n = intParam(fullPath, "n", 1);
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(head(200).set("content-type", "application/grpc"),
                        false));
                sendMessage(ctx, 0, n);
            } else if (path.startsWith("/status/")) {
                int code;
                try {
                    code = Integer.parseInt(path.substring("/status/".length()));
                } catch (NumberFormatException e) {
                    code = 400;
                }
                ctx.write(new DefaultHttp2HeadersFrame(head(code), false));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "13"),
                        true));
            } else {
                ctx.write(new DefaultHttp2HeadersFrame(head(200)
                        .set("content-type", "text/plain")
                        .set("x-backend-port", Integer.toString(port())), false));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(
                        Unpooled.wrappedBuffer(("h2 " + fullPath).getBytes(StandardCharsets.UTF_8)), true));
            }
        }

        private Http2Headers head(int status) {
            Http2Headers head = new DefaultHttp2Headers().status(Integer.toString(status));
            CharSequence test = request.get("x-test");
            if (test != null) {
                head.set("x-test", test);
            }
            return head;
        }

        /** Writes message i (or the trailers when i == n), on the stream's event loop. */
        private void sendMessage(ChannelHandlerContext ctx, int i, int n) {
            if (i >= n) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"),
                        true));
                return;
            }
            streamMessagesSent.incrementAndGet(); // counted first, so a client that has msg-i sees i + 1 or more
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(grpcMessage("msg-" + i)), false));
            if (i + 1 >= n) {
                sendMessage(ctx, n, n);
                return;
            }
            try {
                waiters.execute(() -> awaitPermit(ctx, i + 1, n));
            } catch (RejectedExecutionException e) {
                ctx.close(); // the backend is closing
            }
        }

        /** On a gate thread: waits for a permit while the stream lives, then hops back to the event loop. */
        private void awaitPermit(ChannelHandlerContext ctx, int next, int n) {
            try {
                while (ctx.channel().isActive()) {
                    if (gate.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (!ctx.channel().isActive()) {
                            gate.release(); // the stream went away; the permit belongs to another
                            return;
                        }
                        ctx.executor().execute(() -> sendMessage(ctx, next, n));
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RejectedExecutionException e) {
                // the event loop is shutting down
            }
        }
    }

    private static String pathOnly(Http2Headers h) {
        String p = h.path() == null ? "" : h.path().toString();
        int q = p.indexOf('?');
        return q < 0 ? p : p.substring(0, q);
    }

    private static int intParam(String fullPath, String name, int otherwise) {
        int q = fullPath.indexOf('?');
        if (q < 0) {
            return otherwise;
        }
        for (String pair : fullPath.substring(q + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    return Integer.parseInt(pair.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return otherwise;
                }
            }
        }
        return otherwise;
    }

    /** One gRPC length-prefixed message: flag 0, 4-byte big-endian length, the payload in ASCII. */
    public static byte[] grpcMessage(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[5 + p.length];
        out[1] = (byte) (p.length >>> 24);
        out[2] = (byte) (p.length >>> 16);
        out[3] = (byte) (p.length >>> 8);
        out[4] = (byte) p.length;
        System.arraycopy(p, 0, out, 5, p.length);
        return out;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        waiters.shutdownNow();
        server.close().syncUninterruptibly();
        // Each connection is closed at once (not through its pipeline, whose HTTP/2 codec would wait for open
        // streams) and the close awaited before the loops stop: a close still under way when an io_uring loop
        // stops can leave the socket open, and a client would wait for a FIN that never comes.
        for (Channel ch : accepted) {
            ch.eventLoop().execute(() -> ch.unsafe().close(ch.unsafe().voidPromise()));
        }
        accepted.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
