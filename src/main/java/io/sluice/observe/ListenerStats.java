package io.sluice.observe;

import io.sluice.runtime.StripedCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * One listener's client traffic: requests by status class with their durations, body bytes in and out,
 * connections closed for their PROXY header and for {@code max_connections_per_ip}. Thread-safe and lock-free.
 */
public final class ListenerStats {
    private final String name;
    private final StatusCounts requests = new StatusCounts();
    /** Body bytes in (0) and out (1), added by the event loops. */
    private final StripedCounters bytes = new StripedCounters(2);
    private final LongAdder proxyRefused = new LongAdder();
    private final LongAdder perIpRefused = new LongAdder();

    public ListenerStats(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Counts one finished request. */
    public void record(int status, long nanos, long in, long out) {
        requests.record(status, nanos);
        if (in > 0) {
            bytes.add(0, in);
        }
        if (out > 0) {
            bytes.add(1, out);
        }
    }

    public StatusCounts requests() {
        return requests;
    }

    /** Request body bytes read from clients. */
    public long bytesIn() {
        return bytes.sum(0);
    }

    /** Response body bytes sent to clients. */
    public long bytesOut() {
        return bytes.sum(1);
    }

    /**
     * Connections closed by the listener's PROXY protocol reader: a header from an untrusted source, a missing,
     * malformed or oversized header, or none in time. The reader adds to it.
     */
    public LongAdder proxyRefused() {
        return proxyRefused;
    }

    /** Connections closed because their client address had {@code max_connections_per_ip} open already. */
    public LongAdder perIpRefused() {
        return perIpRefused;
    }
}
