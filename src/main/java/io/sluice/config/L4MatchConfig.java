package io.sluice.config;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What an L4 route matches on, from the first bytes of a connection (or the first datagram of a UDP
 * session); every condition set must hold. Immutable; thread-safe.
 *
 * @param protocol a detector's name ("tls", "ssh", "dns", ...), or null for any
 * @param sni      server names, exact or {@code *.domain}, lower case; empty for any (needs tls or quic)
 * @param alpn     application protocols, one of which the client must offer; empty for any
 * @param prefix   bytes the connection must start with; null for any
 */
public record L4MatchConfig(String protocol, List<String> sni, List<String> alpn, byte[] prefix) {
    /** Matches every connection without looking at its bytes. */
    public static final L4MatchConfig ANY = new L4MatchConfig(null, List.of(), List.of(), null);

    public L4MatchConfig {
        sni = List.copyOf(Objects.requireNonNull(sni, "sni"));
        alpn = List.copyOf(Objects.requireNonNull(alpn, "alpn"));
        prefix = prefix == null ? null : prefix.clone();
    }

    /** Matches what the detector named {@code protocol} recognises ("tls", "ssh", a library user's own, ...). */
    public static L4MatchConfig protocol(String protocol) {
        return new L4MatchConfig(Objects.requireNonNull(protocol, "protocol"), List.of(), List.of(), null);
    }

    /** Matches connections (or first datagrams) that start with these bytes. */
    public static L4MatchConfig prefix(byte[] prefix) {
        return new L4MatchConfig(null, List.of(), List.of(), Objects.requireNonNull(prefix, "prefix"));
    }

    /** This match, also requiring one of these server names (exact or {@code *.domain}; lower-cased here). */
    public L4MatchConfig withSni(String... names) {
        return new L4MatchConfig(protocol, Arrays.stream(names).map(n -> n.toLowerCase(Locale.ROOT)).toList(), alpn,
                prefix);
    }

    /** This match, also requiring the client to offer one of these application protocols. */
    public L4MatchConfig withAlpn(String... protocols) {
        return new L4MatchConfig(protocol, sni, List.of(protocols), prefix);
    }

    /** Whether routing needs to look at the client's bytes for this match. */
    public boolean needsBytes() {
        return protocol != null || !sni.isEmpty() || !alpn.isEmpty() || prefix != null;
    }

    @Override
    public byte[] prefix() {
        return prefix == null ? null : prefix.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof L4MatchConfig m && Objects.equals(protocol, m.protocol) && sni.equals(m.sni)
                && alpn.equals(m.alpn) && Arrays.equals(prefix, m.prefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, sni, alpn) * 31 + Arrays.hashCode(prefix);
    }

    @Override
    public String toString() {
        return "L4MatchConfig[protocol=" + protocol + ", sni=" + sni + ", alpn=" + alpn + ", prefix="
                + (prefix == null ? null : HexFormat.ofDelimiter(" ").formatHex(prefix)) + "]";
    }
}
