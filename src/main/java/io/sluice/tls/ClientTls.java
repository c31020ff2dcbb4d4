package io.sluice.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.sluice.config.UpstreamProtocol;
import io.sluice.config.UpstreamTlsConfig;

/** Placeholder until the TLS work lands. */
public final class ClientTls {
    private ClientTls() {
    }

    public static SslContext build(UpstreamTlsConfig cfg, UpstreamProtocol protocol) {
        throw new UnsupportedOperationException("upstream TLS not built yet");
    }

    public static SslHandler newHandler(SslContext ctx, UpstreamTlsConfig cfg, ByteBufAllocator alloc,
                                        String backendHost, int port) {
        throw new UnsupportedOperationException("upstream TLS not built yet");
    }
}
