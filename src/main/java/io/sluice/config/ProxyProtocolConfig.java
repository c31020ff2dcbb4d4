package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * Whether a listener reads a PROXY protocol header (v1 or v2) at the start of each connection, and from whom.
 * A header is taken only from a source in {@code trusted}; one from anywhere else is a protocol error that
 * closes the connection, so a client cannot claim another address. Immutable; thread-safe.
 *
 * @param mode    off, accept (a trusted source may send a header) or require (every connection must come
 *                from a trusted source and start with a header)
 * @param trusted the sources allowed to send a header
 */
public record ProxyProtocolConfig(Mode mode, List<CidrBlock> trusted) {
    /** When a header is read. */
    public enum Mode {
        /** Never: the first bytes are the client's. */
        OFF,
        /** From trusted sources, when the connection starts with one; others are served as they are. */
        ACCEPT,
        /** Always: a connection without a header, or from an untrusted source, is closed. */
        REQUIRE
    }

    /** No PROXY headers. */
    public static final ProxyProtocolConfig OFF = new ProxyProtocolConfig(Mode.OFF, List.of());

    public ProxyProtocolConfig {
        Objects.requireNonNull(mode, "mode");
        trusted = List.copyOf(Objects.requireNonNull(trusted, "trusted"));
        if (mode != Mode.OFF && trusted.isEmpty()) {
            throw new IllegalArgumentException("a PROXY header needs trusted sources");
        }
    }

    public boolean enabled() {
        return mode != Mode.OFF;
    }
}
