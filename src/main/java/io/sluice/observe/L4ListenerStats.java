package io.sluice.observe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One tcp or udp listener's traffic as {@link L4Stats} counts it: connections (or sessions) that ended, bytes
 * from and to clients, how connections were routed (by result: a protocol name, "any", "prefix", "fallback",
 * "closed", "rejected") and how they ended (by reason). Thread-safe and lock-free once a result or reason has
 * been seen: counting is a map read and a {@link LongAdder} add.
 */
public final class L4ListenerStats {
    private final String name;
    private final LongAdder ended = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> routed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> endings = new ConcurrentHashMap<>();

    L4ListenerStats(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    void routed(String result) {
        L4Stats.adder(routed, result).increment();
    }

    void ended(String reason, long in, long out) {
        ended.increment();
        L4Stats.adder(endings, reason).increment();
        if (in > 0) {
            bytesIn.add(in);
        }
        if (out > 0) {
            bytesOut.add(out);
        }
    }

    /** TCP connections (or UDP sessions) that ended, counted once each when they end. */
    public long ended() {
        return ended.sum();
    }

    /** Bytes (datagram payload bytes) received from clients, counted when each connection ends. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Bytes (datagram payload bytes) sent to clients, counted when each connection ends. */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Routing results seen so far and how often each, sorted by result; a copy. */
    public Map<String, Long> routed() {
        return copy(routed);
    }

    /** End reasons seen so far and how often each, sorted by reason; a copy. */
    public Map<String, Long> endings() {
        return copy(endings);
    }

    private static Map<String, Long> copy(ConcurrentHashMap<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
