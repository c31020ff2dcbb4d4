package io.sluice.filter;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a route's sticky sessions are kept: the cookie's name and attributes, how long it lasts, and the keys
 * that sign it (the first signs, all verify). Immutable; its {@code toString} hides the keys.
 *
 * @param cookie   the cookie's name
 * @param ttl      how long a cookie is valid (its {@code Max-Age} and the expiry signed into it)
 * @param secrets  the HMAC keys, newest first
 * @param secure   whether the cookie carries {@code Secure}
 * @param httpOnly whether it carries {@code HttpOnly}
 * @param sameSite {@code Lax}, {@code Strict} or {@code None}
 * @param path     the cookie's {@code Path}
 * @param domain   the cookie's {@code Domain}, or null for none
 */
public record StickySettings(String cookie, Duration ttl, List<String> secrets, boolean secure, boolean httpOnly,
                             String sameSite, String path, String domain) {
    /** The cookie's name when none is configured. */
    public static final String DEFAULT_COOKIE = "SLUICE_AFFINITY";
    /** The lifetime when none is configured. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);

    public StickySettings {
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(ttl, "ttl");
        secrets = List.copyOf(secrets);
        Objects.requireNonNull(sameSite, "sameSite");
        Objects.requireNonNull(path, "path");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed");
        }
        if (ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1s");
        }
        if (sameSite.equals("None") && !secure) {
            throw new IllegalArgumentException("SameSite=None needs secure");
        }
    }

    /** Settings with the defaults and these keys, for code that builds a configuration. */
    public static StickySettings of(String... secrets) {
        return new StickySettings(DEFAULT_COOKIE, DEFAULT_TTL, List.of(secrets), false, true, "Lax", "/", null);
    }

    @Override
    public String toString() {
        return "StickySettings[cookie=" + cookie + ", ttl=" + ttl + ", secrets=" + secrets.size() + " hidden, secure="
                + secure + ", httpOnly=" + httpOnly + ", sameSite=" + sameSite + ", path=" + path + ", domain="
                + domain + "]";
    }
}
