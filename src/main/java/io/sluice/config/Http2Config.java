package io.sluice.config;

/**
 * HTTP/2 on a listener: over TLS when ALPN picks {@code h2}, in clear text with prior knowledge. Immutable.
 *
 * @param enabled              whether the listener speaks HTTP/2 at all (HTTP/1.1 always)
 * @param maxConcurrentStreams streams one client connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams) {
    public static final Http2Config DEFAULTS = new Http2Config(true, 128);

    public Http2Config {
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams must be >= 1");
        }
    }
}
