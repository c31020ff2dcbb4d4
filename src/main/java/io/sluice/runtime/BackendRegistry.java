package io.sluice.runtime;

import io.sluice.balance.BackendState;
import io.sluice.balance.TrialSchedule;
import io.sluice.config.HostPort;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live state of every backend, keyed by pool and address, so that a reload which keeps a backend keeps its
 * numbers and health. Thread-safe.
 */
public final class BackendRegistry {
    private record Key(String pool, HostPort address) {
    }

    private final Map<Key, BackendState> states = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> poolInFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> poolUnavailable = new ConcurrentHashMap<>();
    private final Map<String, TrialSchedule> poolTrials = new ConcurrentHashMap<>();
    private volatile boolean started;

    /**
     * The state for this backend, created on first use. A backend that joins after {@link #markStarted()}
     * (added by a reload) begins its slow start.
     */
    public BackendState state(String pool, HostPort address) {
        return states.computeIfAbsent(new Key(pool, address), k -> {
            BackendState s = new BackendState(poolInFlight.computeIfAbsent(pool, p -> new AtomicInteger()),
                    poolUnavailable.computeIfAbsent(pool, p -> new AtomicInteger()), pool + "/" + address,
                    poolTrials.computeIfAbsent(pool, p -> new TrialSchedule()));
            if (started) {
                s.startRamp(System.nanoTime());
            }
            return s;
        });
    }

    /** The first snapshot is built: backends from now on are joining a running proxy. */
    public void markStarted() {
        started = true;
    }

    /** Forgets backends that the current snapshot no longer has. */
    public void retainOnly(RuntimeSnapshot snapshot) {
        states.entrySet().removeIf(e -> {
            Key k = e.getKey();
            PoolRuntime p = snapshot.pool(k.pool());
            boolean gone = p == null || p.backends().stream().noneMatch(b -> b.endpoint().address().equals(k.address()));
            if (gone) {
                e.getValue().retired();
            }
            return gone;
        });
    }
}
