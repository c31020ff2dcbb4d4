package io.sluice.observe;

import io.sluice.l4.L4Events;
import io.sluice.l4.L4Record;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Where tcp and udp listeners report (an {@link L4Events}): counts per listener ({@link L4ListenerStats}) and per
 * pool and backend ({@link L4BackendStats}) for {@code /metrics} and the admin documents, and one access log line
 * per TCP connection or UDP session. One per running Sluice, kept across reloads.
 *
 * <p>Thread-safe and lock-free on the data path: each event is a map read or two (a map write only the first
 * time a listener, backend, result or end reason is seen) and a {@link LongAdder} add; the access log line is
 * queued, never formatted or written on the event loop. Events come once per connection, never per byte, so
 * byte counts move when a connection ends.
 */
public final class L4Stats implements L4Events {
    private static final Function<String, L4ListenerStats> NEW_LISTENER = L4ListenerStats::new;
    private static final Function<String, ConcurrentHashMap<String, L4BackendStats>> NEW_POOL =
            k -> new ConcurrentHashMap<>();
    private static final Function<String, L4BackendStats> NEW_BACKEND = k -> new L4BackendStats();

    private final java.util.function.Supplier<AccessLog> accessLog;
    private final ConcurrentHashMap<String, L4ListenerStats> listeners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, L4BackendStats>> pools =
            new ConcurrentHashMap<>();

    /** @param accessLog where one line per connection or session goes (a disabled log writes nothing) */
    public L4Stats(AccessLog accessLog) {
        this(() -> accessLog);
        Objects.requireNonNull(accessLog, "accessLog");
    }

    /** @param accessLog the access log in force at each call (a reload may replace it) */
    public L4Stats(java.util.function.Supplier<AccessLog> accessLog) {
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
    }

    @Override
    public void routed(String listener, String result) {
        listenerStats(listener).routed(result == null ? "closed" : result);
    }

    @Override
    public void connectFailed(String listener, String pool, String backend) {
        backendStats(pool, backend).connectFailed();
    }

    @Override
    public void opened(String listener, String transport, String pool, String backend) {
        backendStats(pool, backend).open();
    }

    @Override
    public void ended(L4Record r) {
        listenerStats(r.listener()).ended(r.end() == null ? "closed" : r.end(), r.bytesIn(), r.bytesOut());
        // A connect that failed sent the client's bytes nowhere: they stay the listener's only.
        if (r.pool() != null && r.backend() != null && !"connect_failed".equals(r.end())) {
            backendStats(r.pool(), r.backend()).bytes(r.bytesIn(), r.bytesOut());
        }
        accessLog.get().log(r);
    }

    /** The counts of the named listener, or null before its first event. */
    public L4ListenerStats listener(String name) {
        return listeners.get(name);
    }

    /** The counts of a backend ("host:port") of a pool, or null before its first event. */
    public L4BackendStats backend(String pool, String backend) {
        ConcurrentHashMap<String, L4BackendStats> p = pools.get(pool);
        return p == null ? null : p.get(backend);
    }

    private L4ListenerStats listenerStats(String name) {
        return get(listeners, name, NEW_LISTENER);
    }

    private L4BackendStats backendStats(String pool, String backend) {
        return get(get(pools, String.valueOf(pool), NEW_POOL), String.valueOf(backend), NEW_BACKEND);
    }

    /** A read first: {@code computeIfAbsent} may lock a bin even when the key is there. */
    private static <V> V get(ConcurrentHashMap<String, V> map, String key, Function<String, V> make) {
        V v = map.get(key);
        return v != null ? v : map.computeIfAbsent(key, make);
    }

    static LongAdder adder(ConcurrentHashMap<String, LongAdder> map, String key) {
        LongAdder a = map.get(key);
        return a != null ? a : map.computeIfAbsent(key, k -> new LongAdder());
    }
}
