package io.sluice.config;

import java.nio.file.Path;

/**
 * TLS towards a pool's backends. Immutable; thread-safe.
 *
 * @param verify     check the backend's certificate chain and name (default true)
 * @param ca         PEM bundle of the CAs to trust; null for the JDK's default trust store
 * @param sni        the server name sent and checked; null for the backend's host
 * @param clientCert PEM certificate chain shown to backends that ask (mutual TLS); null for none
 * @param clientKey  its PEM private key; set exactly when {@code clientCert} is
 */
public record UpstreamTlsConfig(boolean verify, Path ca, String sni, Path clientCert, Path clientKey) {
    /** Verification on, default trust, the backend's host as SNI, no client certificate. */
    public static final UpstreamTlsConfig DEFAULTS = new UpstreamTlsConfig(true, null, null, null, null);

    public UpstreamTlsConfig {
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException("clientCert and clientKey go together");
        }
    }
}
