package io.sluice.filter;

import io.netty.handler.codec.http.HttpRequest;

/**
 * The {@code redirect} filter (also a route's {@code redirect:} key, which then needs no pool): answers every
 * request with {@code to} filled in (placeholders {@code {scheme}}, {@code {host}}, {@code {hostname}},
 * {@code {path}}, {@code {query}}, {@code {uri}}, ...) and {@code status} (301, 302, 303, 307 or 308; 302 when
 * not given, as nginx's {@code return} does). {@code redirect: https://example.com} alone is the same as
 * {@code { to: https://example.com }}. Thread-safe.
 */
final class RedirectFactory implements FilterFactory {
    /** The redirect as configured: Location template and status. */
    record Settings(HeaderTemplate to, int status) {
    }

    @Override
    public String name() {
        return "redirect";
    }

    @Override
    public Object configure(FilterArgs args) {
        int before = args.errorCount();
        String to;
        FilterArgs at = args;
        long status = 302;
        if (args.isMap()) {
            args.allowOnly("to", "status");
            if (!args.require("to", "where to send the client, e.g. \"https://example.com/new{path}\"")) {
                return null;
            }
            to = args.text("to");
            at = args.get("to");
            Long s = args.integer("status", 300, 399);
            if (s != null) {
                if (!Redirects.isRedirect(s)) {
                    args.error("status", "a redirect status is 301, 302, 303, 307 or 308, got " + s);
                }
                status = s;
            }
        } else if (args.isEmpty() || args.isList()) {
            args.error("expected { to: URL, status: 301 } or a URL");
            return null;
        } else {
            to = args.text();
        }
        HeaderTemplate t = null;
        if (to != null) {
            if (to.isBlank()) {
                at.error("expected a URL or a path, e.g. \"https://example.com/new{path}\"");
            } else {
                try {
                    t = HeaderTemplate.parse(to.strip());
                } catch (IllegalArgumentException e) {
                    at.error(e.getMessage());
                }
            }
        }
        return args.errorCount() == before && t != null ? new Settings(t, (int) status) : null;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        Settings s = (Settings) settings;
        Redirects r = new Redirects(s.to(), s.status());
        return new Filter() {
            @Override
            public Verdict onRequest(FilterContext ctx, HttpRequest request) {
                return Verdict.respond(r.respond(request, ctx.clientIp(), ctx.requestId(), ctx.secure()));
            }
        };
    }
}
