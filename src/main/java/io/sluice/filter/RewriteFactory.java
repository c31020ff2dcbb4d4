package io.sluice.filter;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code rewrite} filter: changes the request's path (and Host) before it goes to the backend; routing
 * has already matched the original. In this order: {@code strip_prefix: /api}, {@code replace_prefix: { from:
 * /old, to: /new }}, {@code regex: { pattern: "^/user/(\\d+)$", replacement: "/users/$1" }} (Java regex,
 * compiled once; the first match is replaced), then {@code host: new.example.com}. The query is kept; the
 * path stays origin-form ({@code /} when a prefix was the whole path). Thread-safe.
 */
final class RewriteFactory implements FilterFactory {
    /**
     * The rewrite as configured.
     *
     * @param stripPrefix a prefix to remove, or null
     * @param from        a prefix to replace, or null
     * @param to          what replaces {@code from}
     * @param pattern     a regex on the path, or null
     * @param replacement the replacement, {@code $1} naming groups
     * @param host        a new Host, or null
     */
    record Settings(String stripPrefix, String from, String to, String pattern, String replacement, String host) {
    }

    @Override
    public String name() {
        return "rewrite";
    }

    @Override
    public Object configure(FilterArgs args) {
        int before = args.errorCount();
        if (!args.isMap()) {
            args.error("expected a map: strip_prefix, replace_prefix, regex and/or host");
            return null;
        }
        args.allowOnly("strip_prefix", "replace_prefix", "regex", "host");
        String strip = pathArg(args, "strip_prefix");
        String from = null;
        String to = null;
        FilterArgs rp = args.get("replace_prefix");
        if (rp != null) {
            rp.allowOnly("from", "to");
            if (rp.require("from", "the prefix to replace, e.g. /old") & rp.require("to", "its replacement, e.g. /new")) {
                from = pathArg(rp, "from");
                to = pathArg(rp, "to");
            }
        }
        String pattern = null;
        String replacement = null;
        FilterArgs rx = args.get("regex");
        if (rx != null) {
            rx.allowOnly("pattern", "replacement");
            if (rx.require("pattern", "a Java regex on the path, e.g. \"^/user/(\\\\d+)$\"")
                    & rx.require("replacement", "the new path, $1 for the first group, e.g. /users/$1")) {
                pattern = rx.text("pattern");
                replacement = rx.text("replacement");
                if (pattern != null && replacement != null) {
                    checkRegex(rx, pattern, replacement);
                }
            }
        }
        String host = args.text("host");
        if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == '/'))) {
            args.error("host", "expected a host name (and port), e.g. new.example.com, got \"" + host + "\"");
        }
        if (strip == null && from == null && pattern == null && host == null && args.errorCount() == before) {
            args.error("nothing to do: give strip_prefix, replace_prefix, regex or host");
        }
        return args.errorCount() == before ? new Settings(strip, from, to, pattern, replacement, host) : null;
    }

    private static String pathArg(FilterArgs args, String key) {
        String p = args.text(key);
        if (p != null && (!p.startsWith("/") || p.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == '?'))) {
            args.error(key, "expected a path starting with \"/\" (no spaces, no query), got \"" + p + "\"");
            return null;
        }
        return p;
    }

    private static void checkRegex(FilterArgs rx, String pattern, String replacement) {
        Pattern p;
        try {
            p = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            rx.error("pattern", "bad regex: " + e.getDescription() + " near index " + e.getIndex());
            return;
        }
        if (replacement.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            rx.error("replacement", "spaces and control characters are not allowed in a path");
            return;
        }
        int groups = p.matcher("").groupCount();
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '$') {
                int j = i + 1;
                while (j < replacement.length() && Character.isDigit(replacement.charAt(j))) {
                    j++;
                }
                if (j == i + 1) {
                    rx.error("replacement", "`$` must name a group by number ($1); write \\$ for a dollar sign");
                    return;
                }
                int g = Integer.parseInt(replacement.substring(i + 1, Math.min(j, i + 4)));
                if (g > groups) {
                    rx.error("replacement", "$" + g + " names a group the pattern does not have (it has " + groups + ")");
                    return;
                }
                i = j - 1;
            }
        }
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        return new Rewrite((Settings) settings);
    }

    /** Rewrites request targets. */
    static final class Rewrite implements Filter {
        private final Settings s;
        private final Pattern pattern;

        Rewrite(Settings s) {
            this.s = s;
            this.pattern = s.pattern() == null ? null : Pattern.compile(s.pattern());
        }

        @Override
        public Verdict onRequest(FilterContext ctx, HttpRequest request) {
            String uri = request.uri();
            int start = HeaderTemplate.pathStart(uri);
            int q = uri.indexOf('?', start);
            int end = q < 0 ? uri.length() : q;
            String path = uri.substring(start, end);
            String rewritten = rewrite(path);
            String prefix = uri.substring(0, start);
            if (s.host() != null) {
                request.headers().set(HttpHeaderNames.HOST, s.host());
                prefix = ""; // an absolute-form target's authority would override Host: send origin-form
            }
            if (rewritten != path || prefix.length() != start) {
                request.setUri(prefix + (rewritten.isEmpty() ? "/" : rewritten) + uri.substring(end));
            }
            return Verdict.next();
        }

        /** The new path for {@code path}; the same object when nothing changed. */
        String rewrite(String path) {
            String p = path;
            if (s.stripPrefix() != null && p.startsWith(s.stripPrefix())) {
                p = origin(p.substring(s.stripPrefix().length()));
            }
            if (s.from() != null && p.startsWith(s.from())) {
                p = origin(s.to() + p.substring(s.from().length()));
            }
            if (pattern != null) {
                Matcher m = pattern.matcher(p);
                if (m.find()) {
                    StringBuilder sb = new StringBuilder(p.length() + 16);
                    m.appendReplacement(sb, s.replacement());
                    m.appendTail(sb);
                    p = origin(sb.toString());
                }
            }
            return p;
        }

        private static String origin(String p) {
            return p.startsWith("/") ? p : "/" + p;
        }
    }
}
