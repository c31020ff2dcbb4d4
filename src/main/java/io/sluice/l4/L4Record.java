package io.sluice.l4;

import java.net.InetSocketAddress;

/**
 * What one L4 TCP connection or UDP session came to, reported once when it ends: for the access log and
 * metrics. Immutable; thread-safe.
 *
 * @param listener      the listener's name
 * @param transport     "tcp" or "udp"
 * @param client        the client's address (from a PROXY header when one was read)
 * @param protocol      the detected protocol of the route taken; "fallback" when the fallback took it, "closed"
 *                      when nothing did, "listener" suffix not used; null when no route looks at bytes
 * @param sni           the server name the client asked for, or null
 * @param pool          the pool, or null when none was reached
 * @param backend       the backend "host:port", or null when none was connected
 * @param bytesIn       bytes (or datagram payload bytes) from the client towards the backend
 * @param bytesOut      bytes from the backend towards the client
 * @param durationNanos from accept (first datagram) to the end
 * @param end           how it ended: client_closed, backend_closed, closed, idle_timeout, connect_failed,
 *                      no_route, no_backend, detect_timeout, client_reset, backend_reset, handed_over, shutdown
 */
public record L4Record(String listener, String transport, InetSocketAddress client, String protocol, String sni,
                       String pool, String backend, long bytesIn, long bytesOut, long durationNanos, String end) {
}
