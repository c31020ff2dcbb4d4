package io.sluice.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.config.AdminConfig;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The admin HTTP listener (127.0.0.1:9901 unless configured): health and status for operators and
 * scripts. Not on the proxy path, so requests are aggregated (bodies are small). Guarded like a data
 * listener: a request must arrive within the admin header timeout (else 408 and close), headers over the
 * admin header limit get 431 and a body over the admin body limit 413, each then closing the connection.
 * Refuses to start where other hosts could reach it with no token, unless the config allows that
 * ({@link AdminConfig#exposedWithoutToken()}). Thread-safe.
 */
public final class AdminServer {
    private static final int MAX_INITIAL_LINE = 8 * 1024;

    private volatile AdminConfig config;
    private final AdminContext context;
    private Channel channel;
    private volatile AdminHandler handler;

    public AdminServer(AdminConfig config, Supplier<RuntimeSnapshot> snapshot) {
        this(config, AdminContext.basic(snapshot, System::nanoTime));
    }

    /** An admin server reading what {@code context} offers. */
    public AdminServer(AdminConfig config, AdminContext context) {
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * Binds the admin socket; blocks until bound.
     *
     * @throws IllegalStateException when the config would expose the API to other hosts without a token
     */
    public void start(EventLoopGroup group) throws InterruptedException {
        if (config.exposedWithoutToken()) {
            throw new IllegalStateException("admin listener " + config.bind() + " is not on loopback and has no"
                    + " token; set a token, bind 127.0.0.1, or allow unauthenticated access explicitly");
        }
        handler = new AdminHandler(context, config.token());
        channel = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        AdminConfig c = config; // a reload may change the limits; this connection keeps these
                        int maxHeader = (int) Math.min(Integer.MAX_VALUE, c.maxHeaderSize());
                        int maxBody = (int) Math.min(Integer.MAX_VALUE, c.maxBodySize());
                        long timeoutNanos = c.headerTimeout().toNanos();
                        ch.pipeline().addLast(new HttpServerCodec(Math.min(MAX_INITIAL_LINE, maxHeader), maxHeader,
                                8 * 1024));
                        ch.pipeline().addLast(new AdminRequestTimer(timeoutNanos));
                        ch.pipeline().addLast(new BodyLimit(maxBody));
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(config.bind().resolve()).sync().channel();
    }

    /** Aggregates a request body up to the limit; over it, 413 and close (no reading on to discard it). */
    private static final class BodyLimit extends HttpObjectAggregator {
        BodyLimit(int maxBody) {
            super(maxBody);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            FullHttpResponse res = AdminHandler.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body too large\n");
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Takes a reloaded admin section: its token and request limits apply from now on. Its {@code bind} and
     * {@code enabled} need a restart; the caller reports a change to them.
     *
     * @throws IllegalStateException when the new settings would expose the API to other hosts without a token;
     *                               nothing changes then
     */
    public void update(AdminConfig next) {
        AdminConfig merged = new AdminConfig(config.enabled(), config.bind(), next.token(), next.allowUnauthenticated(),
                next.headerTimeout(), next.maxHeaderSize(), next.maxBodySize());
        if (merged.exposedWithoutToken()) {
            throw new IllegalStateException("admin listener " + merged.bind() + " is not on loopback and would have"
                    + " no token");
        }
        config = merged;
        if (handler != null) {
            handler.token(merged.token());
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}
