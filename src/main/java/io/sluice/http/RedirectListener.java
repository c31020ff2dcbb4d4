package io.sluice.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.filter.HeaderTemplate;
import io.sluice.filter.Redirects;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The clear-text side of an HTTPS listener ({@code redirect_http_from}): every request gets a 301 to the
 * same host and path over https (through {@link Redirects}, as the {@code redirect} filter answers), on the HTTPS listener's port (left out when it is 443). A request without
 * a Host gets 400. Bodies are read and dropped; keep-alive is honoured; an idle connection closes after the
 * idle timeout. Thread-safe.
 */
final class RedirectListener {
    private final HostPort bind;
    private final int httpsPort;
    private final LimitsConfig limits;
    private final Redirects redirects;
    private Channel serverChannel;

    RedirectListener(HostPort bind, int httpsPort, LimitsConfig limits) {
        this.bind = bind;
        this.httpsPort = httpsPort;
        this.limits = limits;
        this.redirects = toHttps(httpsPort);
    }

    void bind(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        long idle = limits.idleTimeout().toNanos();
        serverChannel = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, idle, TimeUnit.NANOSECONDS));
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new Redirector());
                    }
                })
                .bind(bind.resolve()).sync().channel();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    void stop() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** The redirect to https on {@code httpsPort}: {@code https://{hostname}[:port]{uri}}, answered 301. */
    static Redirects toHttps(int httpsPort) {
        return new Redirects(HeaderTemplate.parse("https://{hostname}" + (httpsPort == 443 ? "" : ":" + httpsPort)
                + "{uri}"), 301);
    }

    private final class Redirector extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                String host = req.headers().get(HttpHeaderNames.HOST);
                boolean ok = req.decoderResult().isSuccess() && host != null && !host.isBlank();
                boolean keepAlive = ok && HttpUtil.isKeepAlive(req);
                FullHttpResponse r = ok ? redirects.respond(req, null, null, false)
                        : Responses.error(HttpResponseStatus.BAD_REQUEST, true);
                if (!keepAlive) {
                    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.writeAndFlush(r, ctx.voidPromise());
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
