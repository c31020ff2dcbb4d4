package io.sluice.health;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.handler.ssl.SslContext;
import io.sluice.balance.Backend;
import io.sluice.config.UpstreamTlsConfig;
import io.sluice.tls.ClientTls;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.ProxyVersion;
import io.sluice.l4.ProxyHeaderSender;
import io.sluice.config.StatusSet;
import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP health check: {@code GET {path} HTTP/1.1} with {@code Host} (the check's host, else the
 * backend's host:port), {@code User-Agent: sluice-health-check} and {@code Connection: close}. It passes
 * when the response status is one the check expects; only the response head is looked at, and the
 * connection is closed as soon as it has arrived. For an HTTPS pool it runs over TLS with the pool's
 * settings, so a backend whose certificate fails verification fails its check. For a pool that sends PROXY
 * headers it sends one first, in clear before any TLS, with the LOCAL command (v1: {@code PROXY UNKNOWN}), as
 * HAProxy's {@code check-send-proxy} does: a backend that requires the header accepts the probe, and knows it
 * for the proxy's own connection. Immutable; thread-safe.
 */
public final class HttpProbe implements Probe {
    static final String USER_AGENT = "sluice-health-check";
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK = 8 * 1024;

    private final SslContext tls;
    private final UpstreamTlsConfig tlsConfig;
    private final ProxyVersion proxyHeader;

    /** A probe in clear text. */
    public HttpProbe() {
        this(null, null);
    }

    /** A probe over TLS with this context and settings (an HTTPS pool's), or clear text when null. */
    public HttpProbe(SslContext tls, UpstreamTlsConfig tlsConfig) {
        this(tls, tlsConfig, ProxyVersion.NONE);
    }

    /**
     * A probe over TLS (or clear text when {@code tls} is null) that first sends a LOCAL PROXY header of this
     * version ({@link ProxyVersion#NONE}: none).
     */
    public HttpProbe(SslContext tls, UpstreamTlsConfig tlsConfig, ProxyVersion proxyHeader) {
        this.tls = tls;
        this.tlsConfig = tlsConfig;
        this.proxyHeader = Objects.requireNonNull(proxyHeader, "proxyHeader");
    }

    @Override
    public void run(Backend backend, HealthCheckConfig check, EventLoop loop, Promise<Result> result) {
        String host = check.host() != null ? check.host() : backend.addressText();
        ProbeChannels.connect(backend, check, loop, result, true, p -> {
            if (proxyHeader != ProxyVersion.NONE) {
                p.addLast("proxy-header", ProxyHeaderSender.local(proxyHeader));
            }
            if (tls != null) {
                p.addLast("tls", ClientTls.newHandler(tls, tlsConfig, p.channel().alloc(),
                        backend.endpoint().address().host(), backend.socketAddress().getPort(), check.timeout()));
            }
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(MAX_INITIAL_LINE)
                    .setMaxHeaderSize(MAX_HEADER_SIZE)
                    .setMaxChunkSize(MAX_CHUNK);
            p.addLast("codec", new HttpClientCodec(decoder, false, false));
            p.addLast("probe", new StatusHandler(check.path(), host, check.expectStatus(), check.timeout(), result));
        });
    }

    /** Sends the request once connected and judges the response head. Confined to its channel's loop. */
    private static final class StatusHandler extends ChannelInboundHandlerAdapter {
        private final String path;
        private final String host;
        private final StatusSet expect;
        private final Duration timeout;
        private final Promise<Result> result;

        StatusHandler(String path, String host, StatusSet expect, Duration timeout, Promise<Result> result) {
            this.path = path;
            this.host = host;
            this.expect = expect;
            this.timeout = timeout;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                    Unpooled.EMPTY_BUFFER);
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(request).addListener(f -> {
                if (!f.isSuccess()) {
                    result.trySuccess(Result.fail(ProbeChannels.reason(f.cause(), timeout)));
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof HttpResponse response) || result.isDone()) {
                    return;
                }
                if (response.decoderResult().isFailure()) {
                    result.trySuccess(Result.fail(ProbeChannels.reason(response.decoderResult().cause(), timeout)));
                    return;
                }
                int status = response.status().code();
                if (status >= 100 && status < 200 && status != 101) {
                    return; // an interim response; the real one follows
                }
                result.trySuccess(expect.contains(status) ? Result.pass() : Result.fail("status " + status));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess(Result.fail("connection closed before a response"));
            ctx.fireChannelInactive();
        }
    }
}
