package io.sluice.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * TLS termination on a listener. Immutable; thread-safe.
 *
 * @param certificates the certificate chains with their keys, chosen by the client's SNI name; the first is
 *                     the default for unknown names and clients that send none
 * @param protocols    TLS versions allowed, from {@code TLSv1.3} and {@code TLSv1.2}
 * @param alpn         application protocols offered, in order of preference: {@code h2}, {@code http/1.1}
 * @param clientAuth   whether clients must show a certificate
 * @param clientCa     the CA bundle client certificates are checked against; null unless client auth is on
 */
public record ListenerTlsConfig(List<TlsCertificate> certificates, List<String> protocols, List<String> alpn,
                                ClientAuth clientAuth, Path clientCa) {
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> DEFAULT_ALPN = List.of("h2", "http/1.1");

    /** Whether the listener asks for client certificates. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    public ListenerTlsConfig {
        certificates = List.copyOf(Objects.requireNonNull(certificates, "certificates"));
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate");
        }
        protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols"));
        alpn = List.copyOf(Objects.requireNonNull(alpn, "alpn"));
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (clientAuth != ClientAuth.NONE && clientCa == null) {
            throw new IllegalArgumentException("client auth needs a client CA");
        }
    }

    /** One certificate with the default versions and ALPN, no client auth. */
    public static ListenerTlsConfig of(Path cert, Path key) {
        return new ListenerTlsConfig(List.of(new TlsCertificate(cert, key)), DEFAULT_PROTOCOLS, DEFAULT_ALPN,
                ClientAuth.NONE, null);
    }

    /** Every file these settings read: each certificate and key, then the client CA bundle if any. */
    public List<Path> files() {
        List<Path> files = new java.util.ArrayList<>();
        for (TlsCertificate c : certificates) {
            files.add(c.cert());
            files.add(c.key());
        }
        if (clientCa != null) {
            files.add(clientCa);
        }
        return files;
    }
}
