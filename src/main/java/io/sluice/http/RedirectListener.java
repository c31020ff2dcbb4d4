package io.sluice.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The clear-text side of an HTTPS listener ({@code redirect_http_from}): every request gets a 301 to the
 * same host and path over https, on the HTTPS listener's port (left out when it is 443). A request without
 * a Host gets 400. Bodies are read and dropped; keep-alive is honoured; an idle connection closes after the
 * idle timeout. Thread-safe.
 */
final class RedirectListener {
    private final HostPort bind;
    private final int httpsPort;
    private final LimitsConfig limits;
    private Channel serverChannel;

    RedirectListener(HostPort bind, int httpsPort, LimitsConfig limits) {
        this.bind = bind;
        this.httpsPort = httpsPort;
        this.limits = limits;
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

    /** The https URL for a request's Host and target; null when there is no usable Host. */
    static String location(String host, String uri, int httpsPort) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String name = host.strip();
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf(']')) {
            name = name.substring(0, colon); // drop the clear-text port
        }
        String path = uri.startsWith("/") ? uri : "/";
        return "https://" + name + (httpsPort == 443 ? "" : ":" + httpsPort) + path;
    }

    private final class Redirector extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                String to = req.decoderResult().isSuccess()
                        ? location(req.headers().get(HttpHeaderNames.HOST), req.uri(), httpsPort) : null;
                boolean keepAlive = to != null && HttpUtil.isKeepAlive(req);
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        to == null ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.MOVED_PERMANENTLY,
                        Unpooled.EMPTY_BUFFER);
                r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                if (to != null) {
                    r.headers().set(HttpHeaderNames.LOCATION, to);
                }
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
