package io.sluice.config;

/** How Sluice talks to a pool's backends. */
public enum UpstreamProtocol {
    /** HTTP/1.1 with keep-alive (over TLS when the pool has {@code tls}). */
    HTTP1,
    /** HTTP/2 over TLS (ALPN h2), many requests multiplexed on each connection. */
    H2,
    /** HTTP/2 in clear text with prior knowledge. */
    H2C,
    /** Bytes as they come, over TCP: for pools behind {@code tcp} listeners only. */
    TCP,
    /** Datagrams as they come: for pools behind {@code udp} listeners only. */
    UDP;

    /** Whether HTTP requests can be sent to such a pool. */
    public boolean http() {
        return this == HTTP1 || this == H2 || this == H2C;
    }
}
