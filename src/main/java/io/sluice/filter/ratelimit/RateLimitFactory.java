package io.sluice.filter.ratelimit;

import io.sluice.filter.Filter;
import io.sluice.filter.FilterArgs;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.FilterFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in {@code rate_limit} filter: a token bucket per key, refused requests answered 429 with
 * {@code Retry-After}. Configured as
 * <pre>
 * rate_limit: { requests_per_second: 100, burst: 200, key: client_ip, max_keys: 100000, status: 429, name: api }
 * </pre>
 * where only {@code requests_per_second} is required; {@code key} is {@code client_ip} (default),
 * {@code header:NAME}, {@code cookie:NAME}, {@code route}, or a list of them counted together
 * ({@code [client_ip, "header:X-Api-Key"]}). See {@link RateLimitFilter}. Stateless; thread-safe.
 */
public final class RateLimitFactory implements FilterFactory {
    /** The most {@code max_keys} allowed (each key costs a few hundred bytes). */
    static final long MAX_MAX_KEYS = 100_000_000;

    @Override
    public String name() {
        return "rate_limit";
    }

    @Override
    public Object configure(FilterArgs args) {
        int before = args.errorCount();
        if (!args.isMap()) {
            args.error("expected the settings of rate_limit, e.g. { requests_per_second: 100, burst: 200 }");
            return null;
        }
        args.allowOnly("requests_per_second", "burst", "key", "max_keys", "status", "name");
        Double rps = null;
        if (args.require("requests_per_second", "requests a key may make per second, e.g. 100")) {
            rps = args.number("requests_per_second", 0, 1e9);
            if (rps != null && rps == 0) {
                args.error("requests_per_second", "must be more than 0, got 0 (remove the filter to stop limiting)");
                rps = null;
            }
        }
        Long burst = args.integer("burst", 1, Integer.MAX_VALUE);
        Long maxKeys = args.integer("max_keys", 1, MAX_MAX_KEYS);
        Long status = args.integer("status", 400, 599);
        String name = args.text("name");
        if (name != null && !name.matches("[A-Za-z0-9_.:/-]{1,64}")) {
            args.error("name", "a policy name is 1-64 letters, digits or _.:/-, got \"" + name + "\"");
        }
        List<RateLimitKey> key = key(args.get("key"));
        if (args.errorCount() != before || rps == null) {
            return null;
        }
        return new RateLimitSettings(rps, burst != null ? burst : RateLimitSettings.defaultBurst(rps), key,
                maxKeys != null ? maxKeys : RateLimitSettings.MAX_KEYS, status != null ? status.intValue() : 429,
                name != null ? name : "default");
    }

    private static List<RateLimitKey> key(FilterArgs at) {
        List<RateLimitKey> out = new ArrayList<>();
        if (at == null) {
            out.add(new RateLimitKey(RateLimitKey.Kind.CLIENT_IP, null));
            return out;
        }
        List<FilterArgs> items = at.isList() ? at.items() : List.of(at);
        if (items == null) {
            return out;
        }
        if (items.isEmpty()) {
            at.error("an empty key: use client_ip, header:NAME, cookie:NAME, route, or a list of them");
        }
        for (FilterArgs item : items) {
            String t = item.text();
            if (t == null) {
                continue;
            }
            try {
                RateLimitKey k = RateLimitKey.parse(t);
                if (out.contains(k)) {
                    item.error("`" + k + "` is in the key twice");
                } else {
                    out.add(k);
                }
            } catch (IllegalArgumentException e) {
                item.error(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        RateLimitSettings s = (RateLimitSettings) settings;
        // The buckets outlive a reload that leaves this limit as it was.
        RateLimitStore store = env.kept("buckets", s,
                () -> new LocalRateLimitStore(s.requestsPerSecond(), s.burst(), s.maxKeys()));
        return new RateLimitFilter(s, store,
                env.counter("rate_limited", "Requests refused by a rate_limit filter"));
    }
}
