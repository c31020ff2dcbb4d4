package io.sluice.balance;

import java.util.Locale;
import java.util.Objects;

/**
 * What a hashing strategy hashes: the client IP, a request header, a cookie, a query parameter or the
 * path, or (L4) the TLS/QUIC server name. Written in config as {@code client_ip}, {@code sni}, {@code header:NAME}, {@code cookie:NAME},
 * {@code query:NAME} or {@code path}. Immutable value; thread-safe.
 *
 * @param kind the source
 * @param name the header, cookie or parameter name; empty for {@code client_ip} and {@code path}
 */
public record HashKey(Kind kind, String name) {
    /** Where the key comes from. */
    public enum Kind { CLIENT_IP, HEADER, COOKIE, QUERY, PATH, SNI }

    public static final HashKey CLIENT_IP = new HashKey(Kind.CLIENT_IP, "");

    public HashKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        boolean named = kind == Kind.HEADER || kind == Kind.COOKIE || kind == Kind.QUERY;
        if (named == name.isEmpty()) {
            throw new IllegalArgumentException(named ? kind + " needs a name" : kind + " takes no name");
        }
    }

    /**
     * Parses the config form.
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    public static HashKey parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        String head = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : t.substring(colon + 1).strip();
        switch (head) {
            case "client_ip", "path", "sni" -> {
                if (colon >= 0) {
                    throw new IllegalArgumentException("`" + head + "` takes no name");
                }
                return head.equals("client_ip") ? CLIENT_IP : new HashKey(Kind.valueOf(head.toUpperCase(Locale.ROOT)), "");
            }
            case "header", "cookie", "query" -> {
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("`" + head + ":` needs a name, e.g. " + head + ":session");
                }
                return new HashKey(Kind.valueOf(head.toUpperCase(Locale.ROOT)), name);
            }
            default -> throw new IllegalArgumentException("unknown hash key `" + text
                    + "`; use client_ip, header:NAME, cookie:NAME, query:NAME, path or sni (L4)");
        }
    }

    @Override
    public String toString() {
        return name.isEmpty() ? kind.name().toLowerCase(Locale.ROOT) : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
