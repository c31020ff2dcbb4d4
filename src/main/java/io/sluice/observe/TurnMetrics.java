package io.sluice.observe;

import static io.sluice.observe.Snapshots.counter;
import static io.sluice.observe.Snapshots.counterPoint;
import static io.sluice.observe.Snapshots.gauge;
import static io.sluice.observe.Snapshots.gaugePoint;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.sluice.turn.StunListener;
import io.sluice.turn.StunStats;
import io.sluice.turn.TurnService;
import io.sluice.turn.TurnStats;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The STUN and TURN metric families of {@code /metrics}, labelled by listener: what every stun and turn listener
 * answered, and for each turn listener its allocations, permissions and channels alive now, the packets and bytes
 * it relayed each way, and failed authentications. The listeners are asked for at every scrape, so listeners a
 * reload adds, replaces or removes show up (or go) at once; each one's series are there from its start, zero until
 * something happens. Reads only the listeners' own counters. Thread-safe.
 */
public final class TurnMetrics implements MultiCollector {
    /** Every STUN family's name starts with this. */
    public static final String STUN_PREFIX = "sluice_stun_";
    /** Every TURN family's name starts with this. */
    public static final String TURN_PREFIX = "sluice_turn_";

    private final Supplier<List<StunListener>> listeners;

    /** @param listeners every stun and turn listener now */
    public TurnMetrics(Supplier<List<StunListener>> listeners) {
        this.listeners = Objects.requireNonNull(listeners, "listeners");
    }

    @Override
    public MetricSnapshots collect() {
        CounterSnapshot.Builder bindings = counter("sluice_stun_binding_requests",
                "STUN Binding requests answered with the client's address, by stun or turn listener");
        CounterSnapshot.Builder errors = counter("sluice_stun_error_responses",
                "STUN error responses sent to Binding and unknown requests (400, 420)");
        CounterSnapshot.Builder malformed = counter("sluice_stun_malformed_messages",
                "Messages that were not well-formed STUN: dropped over UDP, 400 or a close over TCP");
        CounterSnapshot.Builder ignored = counter("sluice_stun_ignored_messages",
                "Well-formed STUN messages that need no answer: indications, responses, RFC 3489 requests of other"
                        + " methods");
        GaugeSnapshot.Builder allocations = gauge("sluice_turn_allocations", "TURN allocations alive now");
        GaugeSnapshot.Builder permissions = gauge("sluice_turn_permissions",
                "TURN permissions installed and not expired, over all allocations");
        GaugeSnapshot.Builder channels = gauge("sluice_turn_channels",
                "TURN channels bound and not expired, over all allocations");
        CounterSnapshot.Builder made = counter("sluice_turn_allocations_made", "TURN allocations made since start");
        CounterSnapshot.Builder sentPackets = counter("sluice_turn_peer_sent_packets",
                "Datagrams relayed from clients to peers");
        CounterSnapshot.Builder sentBytes = counter("sluice_turn_peer_sent_bytes",
                "Application bytes relayed from clients to peers").unit(Unit.BYTES);
        CounterSnapshot.Builder receivedPackets = counter("sluice_turn_peer_received_packets",
                "Datagrams relayed from peers to clients");
        CounterSnapshot.Builder receivedBytes = counter("sluice_turn_peer_received_bytes",
                "Application bytes relayed from peers to clients").unit(Unit.BYTES);
        CounterSnapshot.Builder authFailures = counter("sluice_turn_auth_failures",
                "TURN requests that failed authentication: wrong key, unknown or expired user");
        CounterSnapshot.Builder dropped = counter("sluice_turn_dropped_messages",
                "TURN data and requests dropped: no permission or channel, a client that cannot take more, or a"
                        + " source over auth_failures_per_minute");
        Set<String> seen = new HashSet<>();
        for (StunListener l : listeners.get()) {
            if (!seen.add(l.config().name())) {
                continue; // one series per name, even if a reload ever lists an old and a new listener at once
            }
            Labels labels = Labels.of("listener", l.config().name());
            StunStats s = l.stats();
            bindings.dataPoint(counterPoint(labels, s.bindings()));
            errors.dataPoint(counterPoint(labels, s.errors()));
            malformed.dataPoint(counterPoint(labels, s.malformed()));
            ignored.dataPoint(counterPoint(labels, s.ignored()));
            TurnService turn = l.turn();
            if (turn == null) {
                continue;
            }
            TurnStats t = turn.stats();
            allocations.dataPoint(gaugePoint(labels, t.allocations()));
            permissions.dataPoint(gaugePoint(labels, t.permissions()));
            channels.dataPoint(gaugePoint(labels, t.channels()));
            made.dataPoint(counterPoint(labels, t.allocationsMade()));
            sentPackets.dataPoint(counterPoint(labels, t.packetsToPeers()));
            sentBytes.dataPoint(counterPoint(labels, t.bytesToPeers()));
            receivedPackets.dataPoint(counterPoint(labels, t.packetsFromPeers()));
            receivedBytes.dataPoint(counterPoint(labels, t.bytesFromPeers()));
            authFailures.dataPoint(counterPoint(labels, t.authFailures()));
            dropped.dataPoint(counterPoint(labels, t.dropped()));
        }
        return MetricSnapshots.builder()
                .metricSnapshot(bindings.build()).metricSnapshot(errors.build())
                .metricSnapshot(malformed.build()).metricSnapshot(ignored.build())
                .metricSnapshot(allocations.build()).metricSnapshot(permissions.build())
                .metricSnapshot(channels.build()).metricSnapshot(made.build())
                .metricSnapshot(sentPackets.build()).metricSnapshot(sentBytes.build())
                .metricSnapshot(receivedPackets.build()).metricSnapshot(receivedBytes.build())
                .metricSnapshot(authFailures.build()).metricSnapshot(dropped.build())
                .build();
    }




}
