package io.sluice.config;

import java.util.Objects;
import java.nio.file.Path;

/**
 * A PEM certificate chain (leaf first) and its PEM private key (PKCS#8, unencrypted). The leaf's subject
 * alternative names (or its common name when it has none) are the SNI names it serves. Immutable.
 */
public record TlsCertificate(Path cert, Path key) {
    public TlsCertificate {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }
}
