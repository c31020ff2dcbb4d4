package io.sluice.filter;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code security_headers} filter: sets the browser security headers on every response, replacing what
 * the backend sent (the proxy's policy wins, as Traefik's headers middleware does). Alone ({@code -
 * security_headers}) it sets {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY},
 * {@code Referrer-Policy: strict-origin-when-cross-origin} and, on TLS connections only,
 * {@code Strict-Transport-Security: max-age=31536000}. Each key overrides its header; {@code false} or an empty
 * value turns it off; {@code true} keeps the default. Thread-safe.
 */
final class SecurityHeadersFactory implements FilterFactory {
    private static final String HSTS = "hsts";
    /** Key, header name, default value (null: off unless given). */
    private static final String[][] KEYS = {
        {HSTS, "Strict-Transport-Security", "max-age=31536000"},
        {"frame_options", "X-Frame-Options", "DENY"},
        {"content_type_options", "X-Content-Type-Options", "nosniff"},
        {"referrer_policy", "Referrer-Policy", "strict-origin-when-cross-origin"},
        {"csp", "Content-Security-Policy", null},
        {"permissions_policy", "Permissions-Policy", null},
        {"cross_origin_opener_policy", "Cross-Origin-Opener-Policy", null},
        {"cross_origin_resource_policy", "Cross-Origin-Resource-Policy", null},
        {"cross_origin_embedder_policy", "Cross-Origin-Embedder-Policy", null},
    };

    /**
     * The headers to set: header name to value, in a fixed order; {@code hsts} apart (TLS connections only).
     *
     * @param headers the headers set on every response
     * @param hsts    the Strict-Transport-Security value, or null for none
     */
    record Settings(Map<String, String> headers, String hsts) {
        Settings {
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

    @Override
    public String name() {
        return "security_headers";
    }

    @Override
    public Object configure(FilterArgs args) {
        int before = args.errorCount();
        if (!args.isEmpty() && !args.isMap()) {
            args.error("expected a map (hsts, frame_options, content_type_options, referrer_policy, csp, ...)"
                    + " or nothing for the defaults");
            return null;
        }
        List<String> allowed = new ArrayList<>();
        for (String[] k : KEYS) {
            allowed.add(k[0]);
        }
        if (args.isMap()) {
            args.allowOnly(allowed.toArray(String[]::new));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String hsts = null;
        for (String[] k : KEYS) {
            String value = k[2];
            FilterArgs v = args.isMap() ? args.get(k[0]) : null;
            if (v != null) {
                String text = v.isEmpty() ? "" : v.text();
                if (text == null) {
                    continue;
                }
                text = text.strip();
                if (text.isEmpty() || text.equals("false")) {
                    value = null;
                } else if (text.equals("true")) {
                    if (k[2] == null) {
                        v.error("`" + k[0] + "` has no default: give its value, e.g. " + example(k[0]));
                    }
                } else if (hasControl(text)) {
                    v.error("control characters (CR, LF, ...) are not allowed in a header value");
                } else {
                    value = text;
                }
            }
            if (value != null) {
                if (k[0].equals(HSTS)) {
                    hsts = value;
                } else {
                    headers.put(k[1], value);
                }
            }
        }
        return args.errorCount() == before ? new Settings(headers, hsts) : null;
    }

    private static String example(String key) {
        return key.equals("csp") ? "\"default-src 'self'\"" : key.equals("permissions_policy") ? "\"camera=()\""
                : "same-origin";
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (HeaderTemplate.isControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        return new SecurityHeaders((Settings) settings);
    }

    /** Sets the configured headers on response heads. */
    static final class SecurityHeaders implements Filter {
        private static final AsciiString STS = AsciiString.cached("strict-transport-security");
        private final AsciiString[] names;
        private final AsciiString[] values;
        private final AsciiString hsts;

        SecurityHeaders(Settings s) {
            names = s.headers().keySet().stream().map(AsciiString::cached).toArray(AsciiString[]::new);
            values = s.headers().values().stream().map(AsciiString::cached).toArray(AsciiString[]::new);
            hsts = s.hsts() == null ? null : AsciiString.cached(s.hsts());
        }

        @Override
        public void onResponse(FilterContext ctx, HttpResponse response) {
            HttpHeaders h = response.headers();
            for (int i = 0; i < names.length; i++) {
                h.set(names[i], values[i]);
            }
            if (hsts != null && ctx.secure()) {
                h.set(STS, hsts);
            }
        }
    }
}
