package io.sluice.runtime;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import io.sluice.config.CidrBlock;
import io.sluice.config.ListenerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client of one request as a listener believes it: the connection's source (already the address a trusted
 * PROXY header named), unless that source is one of the listener's {@code trusted_proxies} and the request
 * carries the {@code client_ip_header} (X-Forwarded-For or one like it). Then the header is read from the
 * right, skipping the addresses that are themselves trusted proxies, and the first one that is not is the
 * client (nginx's {@code real_ip_recursive on}). A value that is not an IP address stops the walk at the last
 * good address. Only proxies the operator listed can name a client, so a client cannot pick its own address
 * to get past an allow list or into a country's route. Immutable; thread-safe; allocates only when it
 * reads the header.
 */
public final class RealClient {
    private final String header;
    private final CidrBlock[] trusted;

    /**
     * @param header  the header to read, e.g. {@code X-Forwarded-For}
     * @param trusted the proxies believed when they send it
     */
    public RealClient(String header, List<CidrBlock> trusted) {
        this.header = header;
        this.trusted = trusted.toArray(new CidrBlock[0]);
    }

    /** The listener's rule, or null when it has no {@code client_ip_header} (the source is the client). */
    public static RealClient of(ListenerConfig listener) {
        String h = listener.policy().clientIpHeader();
        return h == null || listener.proxyProtocol().trusted().isEmpty() ? null
                : new RealClient(h, listener.proxyProtocol().trusted());
    }

    /**
     * The client of a request that came from {@code source}. The answer is {@code source} itself or, when a
     * header named the client, that address with port 0.
     */
    public InetSocketAddress resolve(HttpHeaders headers, InetSocketAddress source) {
        InetAddress from = source.getAddress();
        if (from == null || !trusted(from)) {
            return source;
        }
        List<String> values = headers.getAll(header);
        InetAddress last = from;
        for (int v = values.size() - 1; v >= 0; v--) {
            String s = values.get(v);
            int end = s.length();
            while (end > 0) {
                int comma = s.lastIndexOf(',', end - 1);
                String token = s.substring(comma + 1, end).strip();
                end = comma;
                if (token.isEmpty()) {
                    continue;
                }
                InetAddress a = address(token);
                if (a == null) {
                    return at(last, source);
                }
                last = a;
                if (!trusted(a)) {
                    return at(a, source);
                }
            }
        }
        return at(last, source);
    }

    /** Whether {@code address} is one of the trusted proxies. */
    public boolean trusted(InetAddress address) {
        for (CidrBlock c : trusted) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static InetSocketAddress at(InetAddress a, InetSocketAddress source) {
        return a == source.getAddress() ? source : new InetSocketAddress(a, 0);
    }

    /** An IPv4 or IPv6 literal, bare or as {@code 1.2.3.4:port} / {@code [v6]:port}; null for anything else. */
    static InetAddress address(String token) {
        String t = token;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            t = close < 0 ? t : t.substring(1, close);
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            t = t.substring(0, t.indexOf(':')); // IPv4 with a port
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(t);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
