package io.sluice.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@code tcp} or {@code udp} listener does with its connections or sessions. Immutable; thread-safe.
 *
 * @param routes         ordered routes, first match wins
 * @param fallback       where unmatched (or undetected within {@code detectTimeout}) traffic goes, and traffic whose
 *                       route's pool has no usable backend; null to close the connection
 * @param detectTimeout  TCP: how long to wait for enough bytes to decide; then the fallback takes the connection
 * @param detectBuffer   TCP: the most bytes held while detecting; a client sending more undecided bytes goes to
 *                       the fallback
 * @param idleTimeout    TCP: a connection with no byte either way for this long is closed; UDP: a session with no
 *                       datagram either way for this long ends
 * @param maxConnections TCP: open connections at most (more are closed at accept); UDP: sessions at most (datagrams
 *                       that would open more are dropped)
 */
public record L4Config(List<L4RouteConfig> routes, L4RouteConfig fallback, Duration detectTimeout, int detectBuffer,
                       Duration idleTimeout, int maxConnections) {
    public static final Duration DETECT_TIMEOUT = Duration.ofSeconds(3);
    public static final int DETECT_BUFFER = 16 * 1024;
    public static final Duration TCP_IDLE = Duration.ofMinutes(10);
    public static final Duration UDP_IDLE = Duration.ofSeconds(30);
    public static final int MAX_SESSIONS = 10_000;
    /**
     * The health check of a pool that only tcp listeners use and that configures none (its backends need not speak
     * HTTP, and a dead one should leave the rotation without waiting for clients): a TCP connect every 5 s, 2 s
     * timeout, rise 2, fall 3. Config files and quick mode's {@code --mode tcp} both apply it.
     */
    public static final HealthCheckConfig TCP_POOL_CHECK = HealthCheckConfig.DEFAULTS
            .withType(HealthCheckConfig.Type.TCP).withInterval(Duration.ofSeconds(5));

    public L4Config {
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
        Objects.requireNonNull(detectTimeout, "detectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (fallback != null && fallback.match().needsBytes()) {
            throw new IllegalArgumentException("the fallback matches everything");
        }
        if (detectBuffer < 64) {
            throw new IllegalArgumentException("detectBuffer must be at least 64 bytes");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
        if (routes.isEmpty() && fallback == null) {
            throw new IllegalArgumentException("an L4 listener needs a route or a fallback");
        }
    }

    /** TCP settings with defaults, as a config file gets them: routes and fallback only. */
    public static L4Config tcp(List<L4RouteConfig> routes, L4RouteConfig fallback) {
        return new L4Config(routes, fallback, DETECT_TIMEOUT, DETECT_BUFFER, TCP_IDLE,
                LimitsConfig.DEFAULTS.maxConnections());
    }

    /** UDP settings with defaults: routes and fallback only. */
    public static L4Config udp(List<L4RouteConfig> routes, L4RouteConfig fallback) {
        return new L4Config(routes, fallback, DETECT_TIMEOUT, DETECT_BUFFER, UDP_IDLE, MAX_SESSIONS);
    }

    /** Whether any route needs the client's first bytes. */
    public boolean detects() {
        for (L4RouteConfig r : routes) {
            if (r.match().needsBytes()) {
                return true;
            }
        }
        return false;
    }
}
