package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@code stun} or {@code turn} listener: which transports it serves on its port, how long an
 * idle TCP connection is kept, and for {@code turn} the relay's settings. Immutable; thread-safe.
 *
 * @param udp         serve over UDP on the listener's port
 * @param tcp         serve over TCP on the same port
 * @param idleTimeout a TCP connection with no message for this long is closed (one with an allocation lives as
 *                    long as its allocation)
 * @param turn        the TURN relay's settings; null for a STUN-only listener
 */
public record StunConfig(boolean udp, boolean tcp, Duration idleTimeout, TurnConfig turn) {
    /** Both transports, and TCP connections closed after 5 minutes idle; no relay. */
    public static final StunConfig DEFAULTS = new StunConfig(true, true, Duration.ofMinutes(5), null);

    /** A STUN-only listener's settings. */
    public StunConfig(boolean udp, boolean tcp, Duration idleTimeout) {
        this(udp, tcp, idleTimeout, null);
    }

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
