package io.sluice.observe;

import static io.sluice.observe.Snapshots.counter;
import static io.sluice.observe.Snapshots.counterPoint;
import static io.sluice.observe.Snapshots.gauge;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.sluice.balance.Backend;
import io.sluice.config.ListenerConfig;
import io.sluice.l4.L4Router;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The L4 metric families that {@link MetricsCollector} adds to {@code /metrics}, from {@link L4Stats} and the
 * listeners' own open counts. Per tcp or udp listener: connections (tcp) or sessions (udp) that ended, how many are
 * open now, bytes from and to clients, routing results and end reasons. Per backend of a pool that an L4 route
 * sends to: connections (sessions) opened, connects that failed, bytes each way. A backend's requests in flight,
 * health and breaker state are the shared {@code sluice_backend_*} families, which count L4 connections too.
 * Every listener and backend of the current snapshot has its series, zero until something happens; each
 * listener has a {@code routed} series for every result its routes can give. Stateless; thread-safe.
 */
public final class L4Metrics {
    /** Routing results by listener and result; the admin documents read it back. */
    public static final String ROUTED = "sluice_l4_routed";
    /** TCP connections that ended, by listener. */
    public static final String CONNECTIONS = "sluice_l4_listener_connections";
    /** UDP sessions that ended, by listener. */
    public static final String SESSIONS = "sluice_l4_listener_sessions";
    /** TCP connections open now, by listener. */
    public static final String OPEN_CONNECTIONS = "sluice_l4_listener_open_connections";
    /** UDP sessions open now, by listener. */
    public static final String OPEN_SESSIONS = "sluice_l4_listener_open_sessions";
    /** Every L4 family's name starts with this. */
    public static final String PREFIX = "sluice_l4_";

    private L4Metrics() {
    }

    /** The routing result a route gives, as tcp and udp listeners report it. */
    public static String result(L4Router.Route r) {
        if (r.index() < 0) {
            return "fallback";
        }
        if (r.protocol() != null) {
            return r.protocol();
        }
        return r.config().match().prefix() != null ? "prefix" : "any";
    }

    /** Every result the listener's routes can give, in route order, then "closed" and "rejected". */
    public static Map<String, Long> routed(L4Router router, L4ListenerStats stats) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (router != null) {
            for (L4Router.Route r : router.routes()) {
                out.put(result(r), 0L);
            }
            if (router.fallback() != null) {
                out.put("fallback", 0L);
            }
        }
        out.put("closed", 0L);
        out.put("rejected", 0L);
        if (stats != null) {
            out.putAll(stats.routed());
        }
        return out;
    }

    static void collect(MetricSnapshots.Builder out, RuntimeSnapshot snap, L4Stats stats, ToIntFunction<String> open) {
        CounterSnapshot.Builder connections = counter(CONNECTIONS,
                "TCP connections through the listener, counted once each when it ends");
        CounterSnapshot.Builder sessions = counter(SESSIONS,
                "UDP sessions through the listener, counted once each when it ends");
        GaugeSnapshot.Builder openConnections = gauge(OPEN_CONNECTIONS, "TCP client connections open now");
        GaugeSnapshot.Builder openSessions = gauge(OPEN_SESSIONS, "UDP client sessions open now");
        CounterSnapshot.Builder received = counter("sluice_l4_listener_received_bytes",
                "Bytes (datagram payload bytes) received from clients, counted when each connection ends")
                .unit(Unit.BYTES);
        CounterSnapshot.Builder sent = counter("sluice_l4_listener_sent_bytes",
                "Bytes (datagram payload bytes) sent to clients, counted when each connection ends").unit(Unit.BYTES);
        CounterSnapshot.Builder routed = counter(ROUTED, "Routing results: the detected protocol of the route taken,"
                + " any, prefix, fallback, closed (nothing took it) or rejected (over max_connections)");
        CounterSnapshot.Builder ended = counter("sluice_l4_listener_ended",
                "TCP connections and UDP sessions by how they ended");
        Map<String, PoolRuntime> pools = new LinkedHashMap<>();
        for (ListenerConfig lc : snap.config().listeners()) {
            if (!lc.layer4()) {
                continue;
            }
            Labels l = Labels.of("listener", lc.name());
            L4ListenerStats s = stats.listener(lc.name());
            L4Router router = snap.l4Router(lc.name());
            (lc.udp() ? sessions : connections).dataPoint(counterPoint(l, s == null ? 0 : s.ended()));
            (lc.udp() ? openSessions : openConnections).dataPoint(GaugeDataPointSnapshot.builder().labels(l)
                    .value(open.applyAsInt(lc.name())).build());
            received.dataPoint(counterPoint(l, s == null ? 0 : s.bytesIn()));
            sent.dataPoint(counterPoint(l, s == null ? 0 : s.bytesOut()));
            routed(router, s).forEach((result, n) -> routed.dataPoint(counterPoint(l.add("result", result), n)));
            if (s != null) {
                s.endings().forEach((end, n) -> ended.dataPoint(counterPoint(l.add("end", end), n)));
            }
            if (router != null) {
                for (L4Router.Route r : router.routes()) {
                    addPool(pools, r);
                }
                addPool(pools, router.fallback());
            }
        }
        out.metricSnapshot(connections.build()).metricSnapshot(sessions.build())
                .metricSnapshot(openConnections.build()).metricSnapshot(openSessions.build())
                .metricSnapshot(received.build()).metricSnapshot(sent.build())
                .metricSnapshot(routed.build()).metricSnapshot(ended.build());

        CounterSnapshot.Builder opened = counter("sluice_l4_backend_connections",
                "TCP connections (UDP sessions) opened to the backend for L4 listeners");
        CounterSnapshot.Builder errors = counter("sluice_l4_backend_connect_errors",
                "Connects to the backend that failed for L4 listeners, each retry counted");
        CounterSnapshot.Builder toBackend = counter("sluice_l4_backend_sent_bytes",
                "Client bytes passed on to the backend, counted when each connection ends").unit(Unit.BYTES);
        CounterSnapshot.Builder fromBackend = counter("sluice_l4_backend_received_bytes",
                "Bytes the backend sent towards clients, counted when each connection ends").unit(Unit.BYTES);
        for (PoolRuntime p : pools.values()) {
            for (Backend b : p.backends()) {
                Labels bl = Labels.of("pool", p.name(), "backend", b.addressText());
                L4BackendStats s = stats.backend(p.name(), b.addressText());
                opened.dataPoint(counterPoint(bl, s == null ? 0 : s.opened()));
                errors.dataPoint(counterPoint(bl, s == null ? 0 : s.connectErrors()));
                toBackend.dataPoint(counterPoint(bl, s == null ? 0 : s.bytesSent()));
                fromBackend.dataPoint(counterPoint(bl, s == null ? 0 : s.bytesReceived()));
            }
        }
        out.metricSnapshot(opened.build()).metricSnapshot(errors.build())
                .metricSnapshot(toBackend.build()).metricSnapshot(fromBackend.build());
    }

    private static void addPool(Map<String, PoolRuntime> pools, L4Router.Route r) {
        if (r != null && r.pool() != null) {
            pools.putIfAbsent(r.pool().name(), r.pool());
        }
    }



}
