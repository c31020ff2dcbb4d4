package io.sluice.l4;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Detector} made of the bytes seen so far: a match (with what it could read, such as the TLS
 * server name), no match, or not enough bytes yet. Immutable; thread-safe.
 *
 * @param kind what the answer is
 * @param sni  the server name the client asked for (TLS, QUIC), lower case; null when none was read
 * @param alpn the application protocols the client offered (TLS, QUIC), in its order; empty when none
 */
public record Detection(Kind kind, String sni, List<String> alpn) {
    /** The three answers a detector can give. */
    public enum Kind { MATCH, NO_MATCH, NEED_MORE }

    /** The bytes are this protocol. */
    public static final Detection MATCH = new Detection(Kind.MATCH, null, List.of());
    /** The bytes are not this protocol. */
    public static final Detection NO_MATCH = new Detection(Kind.NO_MATCH, null, List.of());
    /** The bytes so far could be this protocol; look again when more arrive. */
    public static final Detection NEED_MORE = new Detection(Kind.NEED_MORE, null, List.of());

    public Detection {
        Objects.requireNonNull(kind, "kind");
        alpn = List.copyOf(Objects.requireNonNull(alpn, "alpn"));
    }

    /** A match that carries the server name and offered application protocols it read. */
    public static Detection match(String sni, List<String> alpn) {
        return new Detection(Kind.MATCH, sni, alpn);
    }

    public boolean matched() {
        return kind == Kind.MATCH;
    }
}
