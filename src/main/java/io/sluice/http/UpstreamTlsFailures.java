package io.sluice.http;

import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed TLS handshakes with backends (a wrong CA, a name that does not match, no HTTP/2 in ALPN):
 * these are configuration errors an operator must see, so WARN, but at most one line every 10 seconds so a
 * busy proxy does not flood its log; the rest go to DEBUG. Thread-safe.
 */
final class UpstreamTlsFailures {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsFailures.class);
    private static final LogThrottle WARNING = new LogThrottle(10_000_000_000L);

    private UpstreamTlsFailures() {
    }

    static void log(InetSocketAddress backend, Throwable cause) {
        if (WARNING.allow()) {
            log.warn("TLS with backend {} failed: {}", backend, describe(cause));
        } else {
            log.debug("TLS with backend {} failed: {}", backend, describe(cause));
        }
    }

    /** The messages of the cause chain, outermost first, each once: the engine's own is often generic. */
    static String describe(Throwable cause) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Throwable t = cause; t != null && seen.size() < 5; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (seen.add(m)) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
        }
        return sb.toString();
    }
}
