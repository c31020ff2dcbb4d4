package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a TLS handshake, makes the connection HTTP/2 or HTTP/1.1 as ALPN chose; a client that offered no
 * protocol Sluice speaks (or none at all) gets HTTP/1.1. A failed handshake closes the connection and is
 * logged at debug level only: scanners and clients that give up are common. Confined to the connection's
 * event loop.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private static final Logger log = LoggerFactory.getLogger(AlpnSwitch.class);

    private final HttpListener listener;

    AlpnSwitch(HttpListener listener) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.listener = listener;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            listener.h2(ctx.pipeline());
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            listener.http1(ctx.pipeline());
        } else {
            ctx.close();
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
