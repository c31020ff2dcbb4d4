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

    private final AdminConfig config;
    private final AdminContext context;
    private Channel channel;

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
        AdminHandler handler = new AdminHandler(context, config.token());
        int maxHeader = (int) Math.min(Integer.MAX_VALUE, config.maxHeaderSize());
        int maxBody = (int) Math.min(Integer.MAX_VALUE, config.maxBodySize());
        long timeoutNanos = config.headerTimeout().toNanos();
        channel = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
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

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}
