package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import io.sluice.tls.ClientTls;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP/2 connections to backends for one event loop: one connection per backend address, shared by every
 * request on this loop, each request on a stream of its own. A stream channel carries the same HTTP/1-style
 * messages as an HTTP/1.1 connection (through Netty's stream-frame codec), so the exchange does not know
 * which it has; trailers arrive as the last part's trailing headers. Streams past the backend's
 * concurrency limit wait in the codec until others end. A connection that closed or got GOAWAY is replaced
 * by the next request; one idle with no stream for the pool's idle timeout closes. A pool that sends PROXY
 * headers has one connection per backend <em>and client connection</em> instead, made with the header naming
 * that client and closed when the client connection closes (see {@link UpstreamPool}). Confined to its event
 * loop; not thread-safe.
 */
final class H2Upstream {
    /** Stream frames to HTTP/1-style messages and back; stateless, so one serves every stream. */
    private static final Http2StreamFrameToHttpObjectCodec CLIENT_CODEC =
            new Http2StreamFrameToHttpObjectCodec(false, false);
    private final UpstreamPool pool;
    /** By {@link UpstreamPool#idleKey}: the backend address, or the address and a client connection. */
    private final Map<Object, Future<Channel>> connections = new HashMap<>();

    H2Upstream(UpstreamPool pool) {
        this.pool = pool;
    }

    /**
     * A new stream to the backend for a request from {@code client}, on its connection (made first when there
     * is none usable).
     */
    Future<Channel> stream(Backend backend, PoolRuntime runtime, Channel client) {
        InetSocketAddress address = backend.socketAddress();
        Object key = UpstreamPool.idleKey(address, runtime, client);
        Future<Channel> conn = connections.get(key);
        if (conn == null || (conn.isDone() && !usable(conn))) {
            conn = connect(backend, runtime, client, key);
            connections.put(key, conn);
        }
        Promise<Channel> stream = pool.loop().newPromise();
        long idle = runtime.idleTimeoutNanos();
        if (conn.isDone()) {
            open(conn, stream, address, key, idle);
        } else {
            Future<Channel> c = conn;
            conn.addListener(f -> open(c, stream, address, key, idle));
        }
        return stream;
    }

    private static boolean usable(Future<Channel> conn) {
        if (!conn.isSuccess()) {
            return false;
        }
        Channel ch = conn.getNow();
        Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
        return ch.isActive() && codec != null && !codec.connection().goAwayReceived()
                && !codec.connection().goAwaySent();
    }

    private void open(Future<Channel> conn, Promise<Channel> stream, InetSocketAddress address, Object key,
                      long idleNanos) {
        if (!conn.isSuccess()) {
            connections.remove(key, conn);
            stream.tryFailure(conn.cause());
            return;
        }
        new Http2StreamChannelBootstrap(conn.getNow())
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.config().setAutoRead(false);
                        ch.pipeline().addLast("codec", CLIENT_CODEC);
                        ch.pipeline().addLast("upstream", new UpstreamHandler(pool, address, key, idleNanos));
                    }
                })
                .open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        stream.trySuccess((Channel) f.getNow());
                    } else {
                        stream.tryFailure(f.cause());
                    }
                });
    }

    private Future<Channel> connect(Backend backend, PoolRuntime runtime, Channel client, Object key) {
        InetSocketAddress address = backend.socketAddress();
        SslContext tls = runtime.upstreamTls();
        long idleNanos = runtime.idleTimeoutNanos();
        ChannelFuture cf = pool.bootstrap().clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, UpstreamPool.connectTimeoutMillis(runtime))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        UpstreamPool.sendProxyHeader(p, runtime, client);
                        if (tls != null) {
                            p.addLast("tls", ClientTls.newHandler(tls, runtime.config().tls(), ch.alloc(),
                                    backend.endpoint().address().host(), address.getPort(),
                                    UpstreamPool.handshakeTimeout(runtime)));
                        }
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                .encoderEnforceMaxConcurrentStreams(true)
                                .build();
                        H2IdleClose.install(p, idleNanos, codec, new Http2MultiplexHandler(new RefusePushes()));
                        ch.config().setAutoRead(true); // each stream has its own flow-control window
                    }
                })
                .connect(address);
        UpstreamPool.privateTo(cf.channel(), key);
        Future<Channel> ready = pool.ready(cf, address, tls == null ? null : ApplicationProtocolNames.HTTP_2);
        cf.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().closeFuture().addListener(c -> connections.remove(key, ready));
            }
        });
        return ready;
    }

    /** Server pushes are turned off in the settings; a stream a backend opens anyway is closed. */
    private static final class RefusePushes extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }
}
