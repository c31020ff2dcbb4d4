package io.sluice.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.sluice.config.ConfigFile;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.TlsCertificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of a TLS listener: one {@link SslContext} per configured certificate, and the mapping from
 * the client's SNI name to the context that serves it, for Netty's {@code SniHandler}. A certificate serves
 * the DNS names (wildcards included) and IP addresses in its subject alternative names, or its common name
 * when it has none; the first certificate also serves every name no certificate claims, and clients that
 * send no name. When two certificates claim a name, the one listed first keeps it.
 *
 * <p>Building reads the files and logs one INFO line for the listener and a WARN for each certificate that
 * is expired or not yet valid (those are still served). Immutable once built; thread-safe.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    static final int SESSION_CACHE_SIZE = 20_480;
    static final long SESSION_TIMEOUT_SECONDS = 300;

    private final List<SslContext> contexts;
    private final List<List<String>> names;
    private final Mapping<String, SslContext> mapping;
    private final List<String> alpn;

    private ServerTls(List<SslContext> contexts, List<List<String>> names, Mapping<String, SslContext> mapping,
                      List<String> alpn) {
        this.contexts = List.copyOf(contexts);
        this.names = List.copyOf(names);
        this.mapping = mapping;
        this.alpn = List.copyOf(alpn);
    }

    /**
     * A digest of what the certificate and key files of {@code cfg} hold now, so that a reload can tell when
     * a renewal replaced them under the same names. A file that cannot be read digests as its error.
     * Reads the files: call off the event loops.
     */
    public static String fingerprint(ListenerTlsConfig cfg) {
        return ConfigFile.digest(cfg.files());
    }

    /** TLS for {@code listener}, which must be an https listener. */
    public static ServerTls build(ListenerConfig listener) {
        Objects.requireNonNull(listener, "listener");
        if (listener.tls() == null) {
            throw new IllegalArgumentException("listener " + listener.name() + " has no tls");
        }
        return build(listener.name(), listener.tls(), listener.http2().enabled());
    }

    /** TLS from {@code cfg}; {@code h2} is left out of ALPN unless {@code http2Enabled}. */
    public static ServerTls build(ListenerTlsConfig cfg, boolean http2Enabled) {
        return build("(unnamed)", cfg, http2Enabled);
    }

    /**
     * TLS from {@code cfg} for the listener {@code name} (used in logs).
     *
     * @throws TlsException when a file cannot be used or the TLS library refuses the settings
     */
    public static ServerTls build(String name, ListenerTlsConfig cfg, boolean http2Enabled) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cfg, "cfg");
        List<String> alpn = new ArrayList<>(cfg.alpn());
        if (!http2Enabled) {
            alpn.remove("h2");
        }
        if (alpn.isEmpty()) {
            throw new TlsException("listener " + name + ": ALPN offers only h2, but HTTP/2 is disabled");
        }
        SslProvider provider = TlsProvider.provider();
        List<X509Certificate> clientCa = null;
        if (cfg.clientAuth() != ListenerTlsConfig.ClientAuth.NONE) {
            try {
                clientCa = Pem.certificates(cfg.clientCa());
            } catch (Pem.PemException e) {
                throw new TlsException("listener " + name + ": client_ca: " + e.getMessage());
            }
        }
        List<SslContext> contexts = new ArrayList<>();
        List<List<String>> names = new ArrayList<>();
        for (TlsCertificate c : cfg.certificates()) {
            Pem.KeyAndChain kc;
            try {
                kc = Pem.keyAndChain(c.cert(), c.key());
            } catch (Pem.PemException e) {
                throw new TlsException("listener " + name + ": " + e.getMessage());
            }
            warnIfOutOfDate(name, c, kc.chain());
            contexts.add(context(name, c, kc, cfg, alpn, provider, clientCa));
            names.add(CertificateNames.of(kc.leaf()));
        }
        DomainWildcardMappingBuilder<SslContext> builder = new DomainWildcardMappingBuilder<>(contexts.get(0));
        Set<String> claimed = new HashSet<>();
        for (int i = 0; i < contexts.size(); i++) {
            for (String n : names.get(i)) {
                if (claimed.add(n.toLowerCase(Locale.ROOT))) {
                    builder.add(n, contexts.get(i));
                }
            }
        }
        StringBuilder certs = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            certs.append(i == 0 ? "" : "; ").append(cfg.certificates().get(i).cert().getFileName())
                    .append(i == 0 ? " (default)" : "").append(" -> ").append(String.join(", ", names.get(i)));
        }
        log.info("listener {}: TLS with {}, {}, ALPN {}, client auth {}; certificates: {}", name,
                TlsProvider.name(), String.join("/", cfg.protocols()), String.join(",", alpn),
                cfg.clientAuth().name().toLowerCase(Locale.ROOT), certs);
        return new ServerTls(contexts, names, builder.build(), alpn);
    }

    /** The context for clients that send no SNI name, or one no certificate claims. */
    public SslContext defaultContext() {
        return contexts.get(0);
    }

    /** SNI name to context, for {@code new SniHandler(sniMapping())}; unknown and null names map to the default. */
    public Mapping<String, SslContext> sniMapping() {
        return mapping;
    }

    /** The context of the {@code certIndex}-th configured certificate. */
    public SslContext context(int certIndex) {
        return contexts.get(certIndex);
    }

    /** The names the {@code certIndex}-th configured certificate was read to serve. */
    public List<String> names(int certIndex) {
        return names.get(certIndex);
    }

    /** How many certificates the listener has. */
    public int size() {
        return contexts.size();
    }

    /** The application protocols offered by ALPN, in order of preference. */
    public List<String> alpn() {
        return alpn;
    }

    private static SslContext context(String name, TlsCertificate c, Pem.KeyAndChain kc, ListenerTlsConfig cfg,
                                      List<String> alpn, SslProvider provider, List<X509Certificate> clientCa) {
        SslContextBuilder b = SslContextBuilder.forServer(kc.key(), kc.chain())
                .sslProvider(provider)
                .protocols(cfg.protocols())
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (alpn.contains("h2")) {
            // RFC 9113 section 9.2.2: HTTP/2 over TLS 1.2 only with ephemeral key exchange and AEAD ciphers
            b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        }
        switch (cfg.clientAuth()) {
            case OPTIONAL -> b.clientAuth(ClientAuth.OPTIONAL).trustManager(clientCa);
            case REQUIRE -> b.clientAuth(ClientAuth.REQUIRE).trustManager(clientCa);
            default -> b.clientAuth(ClientAuth.NONE);
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsException("listener " + name + ": cannot use " + c.cert() + " with " + c.key() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    private static void warnIfOutOfDate(String name, TlsCertificate c, List<X509Certificate> chain) {
        Instant now = Instant.now();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate x = chain.get(i);
            Instant from = x.getNotBefore().toInstant();
            Instant to = x.getNotAfter().toInstant();
            String which = i == 0 ? "certificate" : "chain certificate " + (i + 1);
            if (now.isAfter(to)) {
                log.warn("listener {}: {} {} ({}) EXPIRED on {} (valid {} to {}); clients will reject it", name,
                        which, c.cert(), x.getSubjectX500Principal().getName(), to, from, to);
            } else if (now.isBefore(from)) {
                log.warn("listener {}: {} {} ({}) is NOT YET VALID until {} (valid {} to {}); clients will reject"
                        + " it", name, which, c.cert(), x.getSubjectX500Principal().getName(), from, from, to);
            }
        }
    }
}
