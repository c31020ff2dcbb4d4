package io.sluice.observe;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * Reads and writes W3C trace-context headers on Netty {@link HttpHeaders} (whose names are
 * case-insensitive) for OpenTelemetry's propagator. Stateless; thread-safe.
 */
final class NettyHeaders implements TextMapGetter<HttpHeaders>, TextMapSetter<HttpHeaders> {
    static final NettyHeaders INSTANCE = new NettyHeaders();

    private NettyHeaders() {
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
        return carrier == null ? null : carrier.get(key);
    }

    /** Replaces any value already there: the header names the sender's own span. */
    @Override
    public void set(HttpHeaders carrier, String key, String value) {
        if (carrier != null) {
            carrier.set(key, value);
        }
    }
}
