package io.sluice.config;

/**
 * Whether the data path records metrics (Prometheus {@code /metrics}, JSON {@code /_metrics} and the history
 * behind the dashboard). On by default; off only to measure what they cost. Immutable; thread-safe.
 *
 * @param enabled whether requests are counted and timed
 */
public record MetricsConfig(boolean enabled) {
    public static final MetricsConfig ON = new MetricsConfig(true);
    public static final MetricsConfig OFF = new MetricsConfig(false);
}
