package io.sluice.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.sluice.config.ListenerTlsConfig;

/** Placeholder until the TLS work lands. */
public final class ServerTls {
    private ServerTls() {
    }

    public static ServerTls build(ListenerTlsConfig cfg, boolean http2Enabled) {
        throw new UnsupportedOperationException("TLS not built yet");
    }

    public Mapping<String, SslContext> sniMapping() {
        throw new UnsupportedOperationException();
    }

    public SslContext defaultContext() {
        throw new UnsupportedOperationException();
    }
}
