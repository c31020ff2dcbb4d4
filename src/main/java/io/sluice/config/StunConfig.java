package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@code stun} listener: which transports it serves on its port, and how long an idle TCP
 * connection is kept. Immutable; thread-safe.
 *
 * @param udp         serve STUN over UDP on the listener's port
 * @param tcp         serve STUN over TCP on the same port
 * @param idleTimeout a TCP connection with no message for this long is closed
 */
public record StunConfig(boolean udp, boolean tcp, Duration idleTimeout) {
    /** Both transports, and TCP connections closed after 5 minutes idle. */
    public static final StunConfig DEFAULTS = new StunConfig(true, true, Duration.ofMinutes(5));

    public StunConfig {
        if (!udp && !tcp) {
            throw new IllegalArgumentException("a stun listener needs udp, tcp or both");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
    }
}
