package io.sluice.filter;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The built-in {@code sticky} filter: {@code sticky: { cookie, ttl, secret | secrets, secure, http_only,
 * same_site, path, domain }} on a route (or in its {@code filters}). Stateless; thread-safe.
 */
final class StickyFactory implements FilterFactory {
    /** A cookie name must be an RFC 6265 token. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    /** Path and domain may not hold what would end or split the attribute. */
    private static final Pattern ATTRIBUTE = Pattern.compile("[\\x21-\\x3a\\x3c-\\x7e]+");
    private static final int MIN_SECRET = 16;

    @Override
    public String name() {
        return "sticky";
    }

    @Override
    public Object configure(FilterArgs args) {
        int before = args.errorCount();
        if (!args.isMap()) {
            args.error("sticky needs a map with at least a key to sign cookies, e.g."
                    + " { secret: \"${STICKY_SECRET}\" }");
            return null;
        }
        args.allowOnly("cookie", "ttl", "secret", "secrets", "secure", "http_only", "same_site", "path", "domain");
        String cookie = args.text("cookie");
        if (cookie == null) {
            cookie = StickySettings.DEFAULT_COOKIE;
        } else if (!TOKEN.matcher(cookie).matches()) {
            args.error("cookie", "`" + cookie + "` is not a valid cookie name (letters, digits and !#$%&'*+-.^_`|~)");
        }
        Duration ttl = args.duration("ttl");
        if (ttl == null) {
            ttl = StickySettings.DEFAULT_TTL;
        } else if (ttl.toSeconds() < 1) {
            args.error("ttl", "a sticky cookie lasts at least 1s");
        }
        List<String> secrets = secrets(args);
        Boolean secure = args.bool("secure");
        Boolean httpOnly = args.bool("http_only");
        String sameSite = sameSite(args, secure != null && secure);
        String path = args.text("path");
        if (path == null) {
            path = "/";
        } else if (!path.startsWith("/") || !ATTRIBUTE.matcher(path).matches()) {
            args.error("path", "a cookie path starts with \"/\" and has no spaces, \";\" or control characters");
        }
        String domain = args.text("domain");
        if (domain != null && !ATTRIBUTE.matcher(domain).matches()) {
            args.error("domain", "a cookie domain has no spaces, \";\" or control characters");
        }
        if (args.errorCount() != before) {
            return null;
        }
        return new StickySettings(cookie, ttl, secrets, secure != null && secure, httpOnly == null || httpOnly,
                sameSite, path, domain);
    }

    private static List<String> secrets(FilterArgs args) {
        boolean one = args.get("secret") != null;
        boolean many = args.get("secrets") != null;
        if (one && many) {
            args.error("secrets", "give either `secret` or `secrets` (the first signs, all verify), not both");
            return List.of();
        }
        if (!one && !many) {
            args.require("secret", "the key that signs the cookies, e.g. secret: \"${STICKY_SECRET}\""
                    + " (or secrets: [new, old] while rotating keys)");
            return List.of();
        }
        List<String> out;
        String key;
        if (one) {
            String s = args.text("secret");
            out = s == null ? List.of() : List.of(s);
            key = "secret";
        } else {
            out = args.texts("secrets");
            key = "secrets";
            if (out.isEmpty()) {
                args.error(key, "list at least one key; the first signs, all verify");
            }
        }
        for (String s : out) {
            if (s.length() < MIN_SECRET) {
                args.error(key, "a sticky key must have at least " + MIN_SECRET + " characters (it has "
                        + s.length() + "); use a long random one, e.g. from `openssl rand -base64 32`");
            }
        }
        return out;
    }

    private static String sameSite(FilterArgs args, boolean secure) {
        String v = args.text("same_site");
        if (v == null) {
            return "Lax";
        }
        String norm = switch (v.toLowerCase(Locale.ROOT)) {
            case "lax" -> "Lax";
            case "strict" -> "Strict";
            case "none" -> "None";
            default -> null;
        };
        if (norm == null) {
            args.error("same_site", "same_site is Lax, Strict or None, not `" + v + "`");
            return "Lax";
        }
        if (norm.equals("None") && !secure) {
            args.error("same_site", "browsers drop SameSite=None cookies without Secure; add `secure: true`");
        }
        return norm;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        return new StickyFilter((StickySettings) settings,
                env.counter("sticky_cookies_issued", "sticky-session cookies set"),
                env.counter("sticky_cookies_invalid",
                        "sticky-session cookies ignored: tampered, expired or signed by an unknown key"),
                () -> System.currentTimeMillis() / 1000);
    }
}
