package io.sluice.admin;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.observe.History;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.turn.StunListener;
import java.util.List;
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
 * @param stun     every stun and turn listener now (asked at each call: a reload changes them); null for none
 */
public record AdminContext(Supplier<RuntimeSnapshot> snapshot, LongSupplier clock, PrometheusRegistry metrics,
                           History history, BooleanSupplier draining, ReloadControl reloads,
                           Supplier<List<StunListener>> stun) {
    public AdminContext {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(draining, "draining");
        if (stun == null) {
            stun = List::of;
        }
    }

    /** A context without stun or turn listeners. */
    public AdminContext(Supplier<RuntimeSnapshot> snapshot, LongSupplier clock, PrometheusRegistry metrics,
                        History history, BooleanSupplier draining, ReloadControl reloads) {
        this(snapshot, clock, metrics, history, draining, reloads, null);
    }

    /** A context with an empty registry and history, for an admin server without metrics. */
    public static AdminContext basic(Supplier<RuntimeSnapshot> snapshot, LongSupplier clock) {
        return new AdminContext(snapshot, clock, new PrometheusRegistry(), new History(snapshot), () -> false, null);
    }
}
