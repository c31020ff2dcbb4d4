package io.sluice.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.config.AdminConfig;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The admin HTTP listener (127.0.0.1:9901 unless configured): health and status for operators and
 * scripts. Not on the proxy path, so requests are aggregated (bodies are small). Thread-safe.
 */
public final class AdminServer {
    private static final int MAX_ADMIN_BODY = 64 * 1024;

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

    /** Binds the admin socket; blocks until bound. */
    public void start(EventLoopGroup group) throws InterruptedException {
        AdminHandler handler = new AdminHandler(context, config.token());
        channel = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(MAX_ADMIN_BODY));
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(config.bind().resolve()).sync().channel();
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
