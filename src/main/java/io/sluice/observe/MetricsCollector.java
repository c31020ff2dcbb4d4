package io.sluice.observe;

import static io.sluice.observe.Snapshots.counter;
import static io.sluice.observe.Snapshots.gauge;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.filter.FilterCounter;
import io.sluice.health.CircuitBreaker;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.Router;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Turns Sluice's live counts into Prometheus metric families at scrape time: the data path only adds to
 * lock-free counters ({@link StatusCounts}, {@link LatencyHistogram}, {@link BackendState}) and this reads
 * them when {@code /metrics} is asked for, so a request never looks up a label set. The L4 families are
 * {@link L4Metrics}'. Thread-safe.
 */
public final class MetricsCollector implements MultiCollector {
    private static final double[] UPPER_BOUNDS = withInfinity(LatencyHistogram.BOUNDS);

    private final Supplier<RuntimeSnapshot> snapshot;
    private final Telemetry telemetry;
    private final ToIntFunction<String> clientConnections;
    private final IntSupplier upstreamConnections;
    private final IntSupplier upstreamQueued;
    private final LongSupplier clock;

    /**
     * @param clientConnections open client connections of the named listener
     * @param upstreamConnections open upstream connections
     * @param upstreamQueued requests waiting for an upstream connection under a pool's connection limit
     * @param clock the data path's clock, for breaker states
     */
    public MetricsCollector(Supplier<RuntimeSnapshot> snapshot, Telemetry telemetry,
                            ToIntFunction<String> clientConnections, IntSupplier upstreamConnections,
                            IntSupplier upstreamQueued, LongSupplier clock) {
        this.snapshot = snapshot;
        this.telemetry = telemetry;
        this.clientConnections = clientConnections;
        this.upstreamConnections = upstreamConnections;
        this.upstreamQueued = upstreamQueued;
        this.clock = clock;
    }

    private static double[] withInfinity(double[] bounds) {
        double[] out = new double[bounds.length + 1];
        System.arraycopy(bounds, 0, out, 0, bounds.length);
        out[bounds.length] = Double.POSITIVE_INFINITY;
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        RuntimeSnapshot snap = snapshot.get();
        long now = clock.getAsLong();
        MetricSnapshots.Builder out = MetricSnapshots.builder();

        CounterSnapshot.Builder listenerRequests = counter("sluice_listener_requests",
                "Client requests by listener and status class (none: no status was sent)");
        HistogramSnapshot.Builder listenerDuration = histogram("sluice_listener_request_duration_seconds",
                "Client request duration, from the request head to the end of the response, by listener");
        CounterSnapshot.Builder received = counter("sluice_listener_received_bytes",
                "Request body bytes read from clients").unit(Unit.BYTES);
        CounterSnapshot.Builder sent = counter("sluice_listener_sent_bytes",
                "Response body bytes sent to clients").unit(Unit.BYTES);
        GaugeSnapshot.Builder clients = gauge("sluice_listener_open_connections", "Client connections open now");
        CounterSnapshot.Builder proxyRefused = counter("sluice_listener_proxy_refused",
                "Connections closed for their PROXY header: untrusted source, missing, malformed or too slow");
        CounterSnapshot.Builder perIpRefused = counter("sluice_listener_per_ip_refused",
                "Connections closed at once because their client address had max_connections_per_ip open already");
        for (ListenerStats l : telemetry.listeners()) {
            Labels labels = Labels.of("listener", l.name());
            byClass(listenerRequests, l.requests(), labels);
            listenerDuration.dataPoint(histogramPoint(l.requests().latency(), labels));
            received.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(l.bytesIn()).build());
            sent.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(l.bytesOut()).build());
            clients.dataPoint(GaugeDataPointSnapshot.builder().labels(labels)
                    .value(clientConnections.applyAsInt(l.name())).build());
            proxyRefused.dataPoint(CounterDataPointSnapshot.builder().labels(labels)
                    .value(l.proxyRefused().sum()).build());
            perIpRefused.dataPoint(CounterDataPointSnapshot.builder().labels(labels)
                    .value(l.perIpRefused().sum()).build());
        }
        out.metricSnapshot(listenerRequests.build()).metricSnapshot(listenerDuration.build())
                .metricSnapshot(received.build()).metricSnapshot(sent.build()).metricSnapshot(clients.build())
                .metricSnapshot(proxyRefused.build())
                .metricSnapshot(perIpRefused.build());

        CounterSnapshot.Builder routeRequests = counter("sluice_route_requests",
                "Client requests by the route that matched them and status class");
        for (Map.Entry<String, Router> e : snap.routers().entrySet()) {
            for (RouteRuntime r : e.getValue().routes()) {
                byClass(routeRequests, r.requests(), Labels.of("listener", e.getKey(),
                        "route", Integer.toString(r.index()), "pool", r.pool() == null ? "" : r.pool().name()));
            }
        }
        out.metricSnapshot(routeRequests.build());
        filterCounters(out, snap);

        CounterSnapshot.Builder poolRequests = counter("sluice_pool_requests",
                "Client requests by the pool that served them (a fallback pool when one took over) and status class");
        HistogramSnapshot.Builder poolDuration = histogram("sluice_pool_request_duration_seconds",
                "Client request duration by serving pool");
        CounterSnapshot.Builder retries = counter("sluice_pool_retries", "Retries made");
        CounterSnapshot.Builder denied = counter("sluice_pool_retries_denied",
                "Retries the retry budget refused");
        GaugeSnapshot.Builder panic = gauge("sluice_pool_panic", "1 while the pool balances over unhealthy backends");
        CounterSnapshot.Builder attempts = counter("sluice_backend_requests",
                "Upstream attempts by backend and the status it answered (none: a local failure)");
        HistogramSnapshot.Builder attemptDuration = histogram("sluice_backend_request_duration_seconds",
                "Upstream attempt duration, from choosing the backend to the end of its response");
        HistogramSnapshot.Builder connect = histogram("sluice_backend_connect_duration_seconds",
                "Time to open a new upstream connection");
        GaugeSnapshot.Builder inFlight = gauge("sluice_backend_in_flight_requests", "Requests in flight to the backend");
        GaugeSnapshot.Builder up = gauge("sluice_backend_up",
                "1 when the backend takes requests: no failed health check, open breaker or drain");
        GaugeSnapshot.Builder breaker = gauge("sluice_backend_circuit_state",
                "1 for the backend's circuit breaker state, 0 for the others");
        CounterSnapshot.Builder checks = counter("sluice_backend_health_checks",
                "Active health check results by backend");
        GaugeSnapshot.Builder weight = gauge("sluice_backend_weight", "The backend's weight");
        for (PoolRuntime p : snap.pools()) {
            Labels pl = Labels.of("pool", p.name());
            byClass(poolRequests, p.requests(), pl);
            poolDuration.dataPoint(histogramPoint(p.requests().latency(), pl));
            retries.dataPoint(CounterDataPointSnapshot.builder().labels(pl).value(p.retriesMade()).build());
            denied.dataPoint(CounterDataPointSnapshot.builder().labels(pl).value(p.retriesDenied()).build());
            panic.dataPoint(GaugeDataPointSnapshot.builder().labels(pl).value(p.panic() ? 1 : 0).build());
            boolean checked = p.config().healthCheck() != null;
            for (Backend b : p.backends()) {
                BackendState s = b.state();
                Labels bl = Labels.of("pool", p.name(), "backend", b.addressText());
                byClass(attempts, s.attempts(), bl);
                attemptDuration.dataPoint(histogramPoint(s.attempts().latency(), bl));
                connect.dataPoint(histogramPoint(s.connectTime(), bl));
                inFlight.dataPoint(GaugeDataPointSnapshot.builder().labels(bl).value(s.inFlight()).build());
                up.dataPoint(GaugeDataPointSnapshot.builder().labels(bl).value(b.available() ? 1 : 0).build());
                weight.dataPoint(GaugeDataPointSnapshot.builder().labels(bl).value(b.weight()).build());
                CircuitBreaker.State state = s.breaker().state(now);
                for (CircuitBreaker.State st : CircuitBreaker.State.values()) {
                    breaker.dataPoint(GaugeDataPointSnapshot.builder().labels(bl.add("state", st.label()))
                            .value(st == state ? 1 : 0).build());
                }
                if (checked) {
                    checks.dataPoint(CounterDataPointSnapshot.builder().labels(bl.add("result", "pass"))
                            .value(s.activeHealth().passed()).build());
                    checks.dataPoint(CounterDataPointSnapshot.builder().labels(bl.add("result", "fail"))
                            .value(s.activeHealth().failed()).build());
                }
            }
        }
        out.metricSnapshot(poolRequests.build()).metricSnapshot(poolDuration.build())
                .metricSnapshot(retries.build()).metricSnapshot(denied.build()).metricSnapshot(panic.build())
                .metricSnapshot(attempts.build()).metricSnapshot(attemptDuration.build())
                .metricSnapshot(connect.build()).metricSnapshot(inFlight.build()).metricSnapshot(up.build())
                .metricSnapshot(weight.build()).metricSnapshot(breaker.build()).metricSnapshot(checks.build());

        L4Metrics.collect(out, snap, telemetry.l4(), clientConnections);

        out.metricSnapshot(gauge("sluice_upstream_open_connections", "Upstream connections open now, busy or idle")
                .dataPoint(GaugeDataPointSnapshot.builder().value(upstreamConnections.getAsInt()).build()).build());
        out.metricSnapshot(gauge("sluice_upstream_queued_requests", "Requests waiting for an upstream connection"
                + " under a pool's connection_limit")
                .dataPoint(GaugeDataPointSnapshot.builder().value(upstreamQueued.getAsInt()).build()).build());
        out.metricSnapshot(counter("sluice_access_log_dropped_lines",
                "Access log lines dropped because the writer could not keep up")
                .dataPoint(CounterDataPointSnapshot.builder().value(telemetry.accessLog().dropped()).build()).build());
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        out.metricSnapshot(gauge("sluice_netty_pooled_memory_used_bytes",
                "Memory Netty's pooled buffer allocator holds, by kind").unit(Unit.BYTES)
                .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("kind", "direct"))
                        .value(m.usedDirectMemory()).build())
                .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("kind", "heap"))
                        .value(m.usedHeapMemory()).build()).build());
        return out.build();
    }



    private static HistogramSnapshot.Builder histogram(String name, String help) {
        return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
    }

    private static void byClass(CounterSnapshot.Builder b, StatusCounts counts, Labels labels) {
        for (int i = 0; i < StatusCounts.CLASSES.length; i++) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(labels.add("code_class", StatusCounts.CLASSES[i]))
                    .value(counts.count(i)).build());
        }
    }

    private static HistogramDataPointSnapshot histogramPoint(LatencyHistogram h, Labels labels) {
        return HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, h.counts()))
                .sum(h.sumNanos() / 1e9).build();
    }

    /** {@code sluice_filter_NAME_total{listener, route, filter}}: what each filter counted ({@link FilterCounter}). */
    private static void filterCounters(MetricSnapshots.Builder out, RuntimeSnapshot snap) {
        Map<String, CounterSnapshot.Builder> families = new java.util.LinkedHashMap<>();
        for (FilterCounter c : snap.filterMetrics().counters()) {
            CounterSnapshot.Builder f = families.computeIfAbsent(c.name(),
                    n -> CounterSnapshot.builder().name("sluice_filter_" + n).help(c.help()));
            f.dataPoint(CounterDataPointSnapshot.builder().value(c.get()).labels(Labels.of("listener", c.listener(),
                    "route", c.route() < 0 ? "" : Integer.toString(c.route()), "filter", c.filter())).build());
        }
        for (CounterSnapshot.Builder f : families.values()) {
            out.metricSnapshot(f.build());
        }
    }
}
