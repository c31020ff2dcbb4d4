package io.sluice.admin;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.observe.History;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the admin API reads from a running proxy. Immutable; thread-safe.
 *
 * @param snapshot the data path's current snapshot
 * @param clock    the data path's clock, for breaker states
 * @param metrics  the Prometheus registry {@code /metrics} exposes
 * @param history  the per-second history behind {@code /_metrics/history}
 * @param draining true once shutdown began (readiness then fails)
 * @param reloads  configuration reloads and the running configuration; null when not available
 */
public record AdminContext(Supplier<RuntimeSnapshot> snapshot, LongSupplier clock, PrometheusRegistry metrics,
                           History history, BooleanSupplier draining, ReloadControl reloads) {
    public AdminContext {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(draining, "draining");
    }

    /** A context with an empty registry and history, for an admin server without metrics. */
    public static AdminContext basic(Supplier<RuntimeSnapshot> snapshot, LongSupplier clock) {
        return new AdminContext(snapshot, clock, new PrometheusRegistry(), new History(snapshot), () -> false, null);
    }
}
