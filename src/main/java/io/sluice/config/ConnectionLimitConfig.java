package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How many connections a pool may have open to each of its backends, and what a request does when they are all
 * taken: it waits in a queue for one to come free, up to {@code queue} requests for {@code queueTimeout}, and gets
 * 503 otherwise. Limits HTTP/1.1 connections (an HTTP/2 pool has one multiplexed connection per event loop).
 * Each event loop keeps its own connections, so the limits are shared out among the loops: each gets its share,
 * rounded up, and at least one connection. Immutable; thread-safe.
 *
 * @param maxPerBackend connections to one backend at most, counting those being opened; 0 = no limit (default)
 * @param queue         requests that may wait for a connection to one backend; 0 = none wait (default 1024)
 * @param queueTimeout  how long a request waits at most before it gets 503 (default 10s)
 */
public record ConnectionLimitConfig(int maxPerBackend, int queue, Duration queueTimeout) {
    /** No limit: a request that finds no idle connection opens one. */
    public static final ConnectionLimitConfig NONE = new ConnectionLimitConfig(0, 1024, Duration.ofSeconds(10));

    public ConnectionLimitConfig {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (maxPerBackend < 0) {
            throw new IllegalArgumentException("maxPerBackend must be >= 0");
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue must be >= 0");
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queueTimeout must be positive");
        }
    }

    /** Whether there is a limit at all. */
    public boolean limited() {
        return maxPerBackend > 0;
    }

    /** {@code total} shared out among {@code loops} event loops: rounded up, at least one. */
    public static int share(int total, int loops) {
        return Math.max(1, (total + loops - 1) / Math.max(1, loops));
    }
}
