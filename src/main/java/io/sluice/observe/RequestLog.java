package io.sluice.observe;

/**
 * What one client request came to, reported once by the data path when its response is done (or failed):
 * what the access log writes and the server span ends with. Immutable; thread-safe.
 *
 * @param startMillis   wall-clock time the request head arrived, epoch milliseconds
 * @param clientIp      the client's address
 * @param method        the request method
 * @param uri           the request target as the client sent it
 * @param protocol      e.g. "HTTP/1.1"
 * @param status        the status the client got; 0 when it got none (it went away, or the connection was cut)
 * @param bytesIn       request body bytes read from the client
 * @param bytesOut      response body bytes sent to the client
 * @param durationNanos from the request head to the end of the response
 * @param upstream      "host:port" of the backend that answered (the last one tried), or null for none
 * @param upstreamNanos time of the last upstream attempt, or 0 when none was made
 * @param retries       retries made for the request
 * @param listener      the listener's name
 * @param route         the index of the route that matched, within its listener, or -1 when none did
 * @param pool          the pool that served it (a fallback pool when one took over), or null
 * @param traceId       the W3C trace id when the request is traced, else null
 * @param userAgent     the User-Agent header, or null
 * @param referer       the Referer header, or null
 * @param requestId     the X-Request-Id the request carried (the client's, or the one Sluice gave it), or null
 */
public record RequestLog(long startMillis, String clientIp, String method, String uri, String protocol, int status,
                         long bytesIn, long bytesOut, long durationNanos, String upstream, long upstreamNanos,
                         int retries, String listener, int route, String pool, String traceId, String userAgent,
                         String referer, String requestId) {
    /** A request without a request id. */
    public RequestLog(long startMillis, String clientIp, String method, String uri, String protocol, int status,
                      long bytesIn, long bytesOut, long durationNanos, String upstream, long upstreamNanos,
                      int retries, String listener, int route, String pool, String traceId, String userAgent,
                      String referer) {
        this(startMillis, clientIp, method, uri, protocol, status, bytesIn, bytesOut, durationNanos, upstream,
                upstreamNanos, retries, listener, route, pool, traceId, userAgent, referer, null);
    }
}
