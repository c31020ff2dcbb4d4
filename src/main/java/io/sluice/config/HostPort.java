package io.sluice.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host and port as written in configuration ("127.0.0.1:8080", "localhost:3003", "[::1]:80").
 * Immutable value; thread-safe.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or {@code :port} (meaning all addresses).
     * Port 0 is accepted (bind to any free port); callers that need a real port check it.
     *
     * @throws IllegalArgumentException with a message fit for a user when the text is not an address
     */
    public static HostPort parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                throw new IllegalArgumentException("bad IPv6 address in \"" + text + "\"");
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 addresses need brackets, as in [::1]:8080: \"" + text + "\"");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        if (!host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
            throw new IllegalArgumentException("bad host in \"" + text + "\"");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in \"" + text + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535 in \"" + text + "\"");
        }
        return new HostPort(host, port);
    }

    /** An unresolved socket address, resolved when connecting or binding. */
    public InetSocketAddress toUnresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** The address resolved now; for binding listeners, never on an event loop. */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
