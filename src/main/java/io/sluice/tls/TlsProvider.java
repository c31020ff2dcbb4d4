package io.sluice.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Chooses the TLS implementation: Netty's OpenSSL binding (BoringSSL from netty-tcnative) when its native
 * library loads, the JDK's otherwise. The system property {@value #PROPERTY} ({@code jdk} or {@code openssl})
 * forces one, e.g. to test both. Stateless; thread-safe.
 */
public final class TlsProvider {
    /** System property that forces the provider: {@code jdk} or {@code openssl}. */
    public static final String PROPERTY = "sluice.tls.provider";

    private TlsProvider() {
    }

    /** The provider to build contexts with. */
    public static SslProvider provider() {
        String forced = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "jdk":
                return SslProvider.JDK;
            case "openssl":
                if (!OpenSsl.isAvailable()) {
                    throw new TlsException("-D" + PROPERTY + "=openssl, but OpenSSL is not available: "
                            + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            case "":
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            default:
                throw new TlsException("-D" + PROPERTY + " must be jdk or openssl, got \"" + forced + "\"");
        }
    }

    /** The provider's name for logs, e.g. "OpenSSL (BoringSSL)" or "JDK". */
    public static String name() {
        return provider() == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }
}
