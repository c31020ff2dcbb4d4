package io.sluice.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import io.sluice.config.UpstreamProtocol;
import io.sluice.config.UpstreamTlsConfig;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of TLS towards a pool's backends: one {@link SslContext} per pool from its
 * {@link UpstreamTlsConfig}, and a new {@link SslHandler} per connection that sends the right SNI name and,
 * when verifying, checks that the backend's certificate is for that name. Stateless; thread-safe (the
 * contexts it builds are too).
 */
public final class ClientTls {
    /** The versions offered to backends. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private ClientTls() {
    }

    /**
     * A client context for a pool: the versions in {@link #PROTOCOLS}, ALPN {@code h2} for {@link UpstreamProtocol#H2}
     * and {@code http/1.1} otherwise, trust from {@code cfg.ca()} (the JDK's default CAs when null) or none at all
     * when {@code cfg.verify()} is false, and the client certificate when one is configured.
     *
     * @throws TlsException when a file cannot be used or the TLS library refuses the settings
     */
    public static SslContext build(UpstreamTlsConfig cfg, UpstreamProtocol protocol) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == UpstreamProtocol.H2C) {
            throw new IllegalArgumentException("h2c is clear text; it has no TLS context");
        }
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.provider())
                .protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm(cfg.verify() ? "HTTPS" : null);
        String alpn = protocol == UpstreamProtocol.H2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1;
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (protocol == UpstreamProtocol.H2) {
            b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        }
        try {
            if (!cfg.verify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (cfg.ca() != null) {
                b.trustManager(Pem.certificates(cfg.ca()));
            } else {
                b.trustManager((TrustManagerFactory) null);
            }
            if (cfg.clientCert() != null) {
                Pem.KeyAndChain kc = Pem.keyAndChain(cfg.clientCert(), cfg.clientKey());
                PrivateKey key = kc.key();
                b.keyManager(key, kc.chain().toArray(new X509Certificate[0]));
            }
        } catch (Pem.PemException e) {
            throw new TlsException("upstream TLS: " + e.getMessage());
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsException("upstream TLS: cannot build the client context: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /**
     * A handler for one connection to {@code backendHost:port}. The name sent by SNI and, when
     * {@code cfg.verify()}, checked against the backend's certificate is {@code cfg.sni()}, or
     * {@code backendHost} when that is null; an IP literal is checked against the certificate's IP names
     * and not sent by SNI.
     *
     * @param handshakeTimeout how long the handshake may take before the connection is closed; null or zero
     *                         for Netty's default
     */
    public static SslHandler newHandler(SslContext ctx, UpstreamTlsConfig cfg, ByteBufAllocator alloc,
                                        String backendHost, int port, Duration handshakeTimeout) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(alloc, "alloc");
        Objects.requireNonNull(backendHost, "backendHost");
        String peerHost = serverName(cfg, backendHost);
        SslHandler handler = ctx.newHandler(alloc, peerHost, port);
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(cfg.verify() ? "HTTPS" : null);
        if (!NetUtil.isValidIpV4Address(peerHost) && !NetUtil.isValidIpV6Address(peerHost)) {
            try {
                params.setServerNames(List.of(new SNIHostName(peerHost)));
            } catch (IllegalArgumentException e) {
                // not a name SNI can carry (e.g. a trailing dot); send none
            }
        }
        engine.setSSLParameters(params);
        if (handshakeTimeout != null && !handshakeTimeout.isZero() && !handshakeTimeout.isNegative()) {
            handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        }
        return handler;
    }

    /** The name sent by SNI and verified: {@code cfg.sni()}, or the backend's host. */
    public static String serverName(UpstreamTlsConfig cfg, String backendHost) {
        return cfg.sni() != null ? cfg.sni() : backendHost;
    }
}
