package io.sluice.observe;

import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The recent past of every pool and backend, for trends and the dashboard: requests per second, error rate,
 * p50/p99 latency and requests in flight, at 1 s resolution for 15 minutes and 1 min resolution for 24 hours.
 * A sampler thread of its own reads the live counters once a second (nothing on the data path) and keeps
 * the differences in ring buffers. Thread-safe: the sampler writes and readers copy under each series' lock,
 * which only these two ever take.
 */
public final class History implements AutoCloseable {
    /** Seconds kept at 1 s resolution. */
    public static final int SECONDS = 15 * 60;
    /** Minutes kept at 1 min resolution. */
    public static final int MINUTES = 24 * 60;

    private final Supplier<RuntimeSnapshot> snapshot;
    private final Map<String, HistorySeries> series = new LinkedHashMap<>();
    private ScheduledExecutorService sampler;

    public History(Supplier<RuntimeSnapshot> snapshot) {
        this.snapshot = snapshot;
    }

    /** Starts sampling once a second. */
    public synchronized void start() {
        if (sampler != null) {
            return;
        }
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sampleSafely, 1, 1, TimeUnit.SECONDS);
    }

    private void sampleSafely() {
        try {
            sample(System.currentTimeMillis());
        } catch (RuntimeException e) {
            // a sample lost is a gap in a chart; the sampler must go on
        }
    }

    /** Takes one sample of every pool and backend now (the sampler calls it each second; tests may too). */
    public void sample(long nowMillis) {
        RuntimeSnapshot snap = snapshot.get();
        List<HistorySeries> current = new ArrayList<>();
        synchronized (this) {
            for (PoolRuntime p : snap.pools()) {
                int inFlight = 0;
                for (Backend b : p.backends()) {
                    inFlight += b.state().inFlight();
                }
                HistorySeries ps = series.computeIfAbsent("pool/" + p.name(),
                        k -> new HistorySeries("pool", p.name(), null));
                ps.pending(p.requests(), inFlight);
                current.add(ps);
                for (Backend b : p.backends()) {
                    HistorySeries bs = series.computeIfAbsent("backend/" + p.name() + "/" + b.addressText(),
                            k -> new HistorySeries("backend", p.name(), b.addressText()));
                    bs.pending(b.state().attempts(), b.state().inFlight());
                    current.add(bs);
                }
            }
            series.values().retainAll(current);
        }
        for (HistorySeries s : current) {
            s.sample(nowMillis);
        }
    }

    /** The series that exist now, pools first then their backends. */
    public synchronized List<HistorySeries> series() {
        return List.copyOf(series.values());
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }
}
