package io.sluice.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The admin listener. Immutable; thread-safe.
 *
 * <p>The admin API can drain backends, change weights and swap strategies, so it is kept to loopback
 * unless told otherwise: an address written without a host ({@code ":9901"}) means 127.0.0.1 here (not
 * every interface, as it does for data listeners), and a listener on any other address needs a
 * {@code token} or an explicit {@code allow_unauthenticated: true} (see {@link #exposedWithoutToken()}).
 *
 * @param enabled              whether to start it (default true)
 * @param bind                 where it listens (default 127.0.0.1:9901)
 * @param token                bearer token required by mutating admin calls, or null for none
 * @param allowUnauthenticated true to accept a non-loopback {@code bind} without a token (default false)
 * @param headerTimeout        a request (its headers and its small body) must arrive within this, counted
 *                             from the connection's start or the previous response (default 10s); else 408
 *                             and close
 * @param maxHeaderSize        request line plus headers, in bytes (default 16 KiB); over it: 431 and close
 * @param maxBodySize          request body, in bytes (default 64 KiB: admin bodies are small JSON); over
 *                             it: 413
 */
public record AdminConfig(boolean enabled, HostPort bind, String token, boolean allowUnauthenticated,
                          Duration headerTimeout, long maxHeaderSize, long maxBodySize) {
    /** Where an address without a host puts the admin listener. */
    public static final String LOOPBACK = "127.0.0.1";
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
    public static final long DEFAULT_MAX_BODY_SIZE = 64 * 1024;

    public static final AdminConfig DEFAULTS = new AdminConfig(true, new HostPort(LOOPBACK, 9901), null);

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive");
        }
        if (maxHeaderSize < 1024) {
            throw new IllegalArgumentException("maxHeaderSize must be at least 1 KiB");
        }
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("maxBodySize must not be negative");
        }
    }

    /** An admin listener with the default timeout and size limits, refusing to be exposed without a token. */
    public AdminConfig(boolean enabled, HostPort bind, String token) {
        this(enabled, bind, token, false, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE);
    }

    /**
     * Parses an admin address: as {@link HostPort#parse}, except that {@code ":PORT"} (no host) means
     * {@value #LOOPBACK}, never every interface.
     *
     * @throws IllegalArgumentException with a message fit for a user when the text is not an address
     */
    public static HostPort parseBind(String text) {
        HostPort hp = HostPort.parse(text);
        return text.strip().startsWith(":") ? new HostPort(LOOPBACK, hp.port()) : hp;
    }

    /**
     * True when the listener is bound to a loopback address: {@code localhost}, 127.0.0.0/8 or ::1. Names
     * other than {@code localhost} are not looked up (no DNS while loading a config) and count as exposed.
     */
    public boolean loopback() {
        return isLoopback(bind.host());
    }

    /**
     * True when the listener is on, reachable from other hosts, has no token and was not explicitly allowed
     * to be: anyone who can reach it could change the proxy. Such a configuration is refused.
     */
    public boolean exposedWithoutToken() {
        return enabled && token == null && !allowUnauthenticated && !loopback();
    }

    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return host.startsWith("127.");
        }
        if (host.indexOf(':') >= 0) {
            try {
                // A text with a colon is only ever parsed as an IPv6 literal: no name lookup.
                return InetAddress.getByName(host.toLowerCase(Locale.ROOT)).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", bind=" + bind + ", token=" + (token == null ? "none" : "***")
                + ", allowUnauthenticated=" + allowUnauthenticated + ", headerTimeout=" + headerTimeout
                + ", maxHeaderSize=" + maxHeaderSize + ", maxBodySize=" + maxBodySize + "]";
    }
}
