package io.sluice.config;

import java.util.Objects;

/**
 * OpenTelemetry tracing: a server span per request and a client span per upstream attempt, exported over
 * OTLP/HTTP in batches. Immutable; thread-safe.
 *
 * @param otlpEndpoint the OTLP/HTTP collector base URL, e.g. {@code http://127.0.0.1:4318} (spans go to
 *                     {@code /v1/traces} under it); null when tracing is off (the default)
 * @param sampleRatio  the share of new traces sampled, 0 to 1 (default 0.1); a request with a sampled
 *                     parent in its {@code traceparent} is sampled whatever the ratio
 * @param serviceName  the {@code service.name} resource attribute (default "sluice")
 */
public record TracingConfig(String otlpEndpoint, double sampleRatio, String serviceName) {
    /** Tracing off. */
    public static final TracingConfig OFF = new TracingConfig(null, 0.1, "sluice");

    public TracingConfig {
        Objects.requireNonNull(serviceName, "serviceName");
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("sampleRatio must be within 0-1");
        }
    }

    /** True when spans are recorded and exported. */
    public boolean enabled() {
        return otlpEndpoint != null;
    }
}
