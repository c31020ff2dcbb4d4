package io.sluice.tls;

/**
 * TLS could not be set up from a configuration: a certificate or key file is missing or wrong, or the TLS
 * library refused the settings. The message names the files involved. Immutable; thread-safe.
 */
public final class TlsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
