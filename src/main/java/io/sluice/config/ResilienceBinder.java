package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.anyOf;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.listOrOne;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.status;
import static io.sluice.config.SchemaType.statuses;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Binds the blocks that keep a pool usable when backends misbehave: {@code health_check},
 * {@code circuit_breaker} and {@code retry}. Each may be a map (absent keys take the record's defaults) or
 * the boolean {@code false} (none / off); the seed's whole-number keys {@code interval_secs},
 * {@code timeout_secs} and {@code backoff_ms} are read too. Stateless; thread-safe (all state is in the
 * {@link Binder} passed in).
 */
final class ResilienceBinder {
    private static final List<String> HTTP_ONLY_KEYS = List.of("path", "expect_status", "host");
    private static final List<String> TYPES = List.of("http", "tcp");
    private static final List<String> ON_WORDS = List.of("connect_failure", "reset", "timeout");
    private static final int DAY_SECONDS = 86_400;
    static final Section HEALTH_CHECK = Section.of("health_check", "Active health checks; off unless given,"
                    + " `true` or `{}` for the defaults.",
            key("type", oneOf(TYPES), "http (GET, the status must match; the default) or tcp (the connection"
                    + " must open)."),
            key("path", string(), "Path to GET, starting with / (default /); http only."),
            key("expect_status", statuses(), "Statuses and ranges that count as healthy (default [200-399]);"
                    + " http only."),
            key("host", string(), "Host header to send (default the backend's host:port); http only."),
            key("interval", duration(), "From one probe's start to the next (default 10s)."),
            key("timeout", duration(), "How long a probe may take (default 2s)."),
            key("healthy_threshold", integer(1, 100), "Successes in a row that bring a down backend back."),
            key("unhealthy_threshold", integer(1, 100), "Failures in a row that take an up backend down."),
            key("interval_secs", integer(1, DAY_SECONDS), "`interval` as whole seconds (older spelling)."),
            key("timeout_secs", integer(1, DAY_SECONDS), "`timeout` as whole seconds (older spelling)."));
    static final Section CIRCUIT_BREAKER = Section.of("circuit_breaker", "Stops sending to a failing backend for a"
                    + " while; on by default, `false` turns it off.",
            key("enabled", bool(), "Whether the breaker works (default true)."),
            key("failure_rate", integer(1, 100), "Percent of the window's calls that opens the breaker."),
            key("window", integer(1, 10_000), "The last N calls judged."),
            key("min_calls", integer(1, 10_000), "Calls the window must hold before the rate is judged."),
            key("open_for", duration(), "No calls at all while open."),
            key("half_open_calls", integer(1, 1000), "Trial calls after open_for; all succeed: closed."),
            key("failure_status", statuses(), "Statuses that count as failures (default [500-599])."));
    static final Section RETRY = Section.of("retry", "Retries on another backend; on by default, `false` turns"
                    + " them off.",
            key("max_retries", integer(0, 10), "Retries after the first attempt (0-10)."),
            key("backoff", duration(), "Base of the exponential backoff with full jitter."),
            key("max_backoff", duration(), "Longest wait between attempts."),
            key("on", listOrOne(anyOf(oneOf(ON_WORDS), status())), "What is retried: connect_failure, reset,"
                    + " timeout, and statuses or ranges such as 503 or 500-599."),
            key("methods", listOrOne(string()), "Methods retried after sending, besides the idempotent ones."),
            key("budget_percent", integer(0, 100), "Retries may add at most this percent to the pool's requests."),
            key("budget_min_retries", integer(0, 100_000), "Retries allowed per 10 s whatever the percent."),
            key("backoff_ms", integer(0, DAY_SECONDS * 1000L), "`backoff` as whole milliseconds (older"
                    + " spelling)."));

    private ResilienceBinder() {
    }

    /** Active health checks; null when the block is absent, {@code false}, or wrong. */
    static HealthCheckConfig healthCheck(Binder b, YamlNode n, String path) {
        Boolean flag = flag(n);
        if (flag != null) {
            return flag ? HealthCheckConfig.DEFAULTS : null;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map of health-check settings, or false");
        if (m == null) {
            return null;
        }
        b.allowOnly(m, path, HEALTH_CHECK.keys());
        HealthCheckConfig d = HealthCheckConfig.DEFAULTS;
        HealthCheckConfig.Type type = checkType(b, value(m, "type"), child(path, "type"));
        String checkPath = null;
        StatusSet expect = null;
        String host = null;
        if (type == HealthCheckConfig.Type.TCP) {
            for (String key : HTTP_ONLY_KEYS) {
                YamlNode.Entry e = m.entry(key);
                if (e != null) {
                    b.error(child(path, key), e.line(), e.column(), "`" + key + "` applies only to http checks;"
                            + " remove it, or set `type: http`");
                }
            }
        } else {
            checkPath = checkPath(b, value(m, "path"), child(path, "path"));
            expect = StatusBinder.statuses(b, value(m, "expect_status"), child(path, "expect_status"), false);
            host = hostHeader(b, value(m, "host"), child(path, "host"));
        }
        Duration interval = eitherDuration(b, m, path, "interval", "interval_secs", ChronoUnit.SECONDS, 1, DAY_SECONDS);
        Duration timeout = eitherDuration(b, m, path, "timeout", "timeout_secs", ChronoUnit.SECONDS, 1, DAY_SECONDS);
        Integer rise = b.integer(value(m, "healthy_threshold"), child(path, "healthy_threshold"), 1, 100);
        Integer fall = b.integer(value(m, "unhealthy_threshold"), child(path, "unhealthy_threshold"), 1, 100);
        return new HealthCheckConfig(or(type, d.type()), or(checkPath, d.path()), or(expect, d.expectStatus()), host,
                or(interval, d.interval()), or(timeout, d.timeout()), or(rise, d.healthyThreshold()),
                or(fall, d.unhealthyThreshold()));
    }

    /** The circuit breaker; {@link CircuitBreakerConfig#DEFAULTS} when absent or wrong. */
    static CircuitBreakerConfig breaker(Binder b, YamlNode n, String path) {
        CircuitBreakerConfig d = CircuitBreakerConfig.DEFAULTS;
        Boolean flag = flag(n);
        if (flag != null) {
            return flag ? d : CircuitBreakerConfig.OFF;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map of circuit-breaker settings, or false");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, CIRCUIT_BREAKER.keys());
        Boolean enabled = b.bool(value(m, "enabled"), child(path, "enabled"));
        Integer rate = b.integer(value(m, "failure_rate"), child(path, "failure_rate"), 1, 100);
        YamlNode windowNode = value(m, "window");
        Integer window = b.integer(windowNode, child(path, "window"), 1, 10_000);
        YamlNode minNode = value(m, "min_calls");
        Integer minCalls = b.integer(minNode, child(path, "min_calls"), 1, 10_000);
        int w = or(window, d.window());
        if (minCalls != null && minCalls > w) {
            if (windowNode == null || window != null) {
                b.error(child(path, "min_calls"), minNode, "min_calls must not be more than window (" + w
                        + (windowNode == null ? ", the default" : "") + "), got " + minCalls);
            }
            minCalls = null;
        }
        Duration openFor = b.duration(value(m, "open_for"), child(path, "open_for"), false);
        Integer halfOpen = b.integer(value(m, "half_open_calls"), child(path, "half_open_calls"), 1, 1000);
        StatusSet failures = StatusBinder.statuses(b, value(m, "failure_status"), child(path, "failure_status"),
                true);
        // a small window without min_calls lowers the default min_calls to fit
        return new CircuitBreakerConfig(or(enabled, d.enabled()), or(rate, d.failureRate()), w,
                or(minCalls, Math.min(d.minCalls(), w)), or(openFor, d.openFor()), or(halfOpen, d.halfOpenCalls()),
                or(failures, d.failureStatus()));
    }

    /** Retries; {@link RetryConfig#DEFAULTS} when absent or wrong. */
    static RetryConfig retry(Binder b, YamlNode n, String path) {
        RetryConfig d = RetryConfig.DEFAULTS;
        Boolean flag = flag(n);
        if (flag != null) {
            return flag ? d : RetryConfig.NONE;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map of retry settings, or false");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, RETRY.keys());
        Integer max = b.integer(value(m, "max_retries"), child(path, "max_retries"), 0, 10);
        YamlNode baseNode = or(value(m, "backoff"), value(m, "backoff_ms"));
        Duration base = eitherDuration(b, m, path, "backoff", "backoff_ms", ChronoUnit.MILLIS, 0, DAY_SECONDS * 1000);
        YamlNode capNode = value(m, "max_backoff");
        Duration cap = b.duration(capNode, child(path, "max_backoff"), true);
        boolean readable = (baseNode == null || base != null) && (capNode == null || cap != null);
        if (readable && or(cap, d.maxBackoff()).compareTo(or(base, d.backoff())) < 0) {
            if (capNode != null) {
                b.error(child(path, "max_backoff"), capNode, "max_backoff (" + show(cap) + ") must be at least"
                        + " backoff (" + show(or(base, d.backoff())) + ")");
                cap = null;
            } else {
                String baseKey = value(m, "backoff") != null ? "backoff" : "backoff_ms";
                b.error(child(path, baseKey), baseNode, "backoff (" + show(base) + ") is more than max_backoff ("
                        + show(d.maxBackoff()) + ", the default); set max_backoff to at least " + show(base));
                base = null;
            }
        }
        Conditions on = conditions(b, value(m, "on"), child(path, "on"));
        List<String> methods = methods(b, value(m, "methods"), child(path, "methods"));
        Integer percent = b.integer(value(m, "budget_percent"), child(path, "budget_percent"), 0, 100);
        Integer minRetries = b.integer(value(m, "budget_min_retries"), child(path, "budget_min_retries"), 0, 100_000);
        return new RetryConfig(or(max, d.maxRetries()), or(base, d.backoff()), or(cap, d.maxBackoff()),
                on == null ? d.on() : on.words(), on == null ? d.statuses() : on.statuses(), or(methods, d.methods()),
                or(percent, d.budgetPercent()), or(minRetries, d.budgetMinRetries()));
    }

    /** What {@code on} lists: local failures and backend statuses. */
    private record Conditions(Set<RetryConfig.On> words, StatusSet statuses) {
    }

    private static Conditions conditions(Binder b, YamlNode n, String path) {
        List<YamlNode> items = StatusBinder.listOrOne(b, n, path,
                "a list of retry conditions such as [connect_failure, 503]");
        if (items == null) {
            return null;
        }
        Set<RetryConfig.On> words = EnumSet.noneOf(RetryConfig.On.class);
        List<String> codes = new ArrayList<>();
        boolean bad = false;
        for (int i = 0; i < items.size(); i++) {
            String at = StatusBinder.itemPath(n, path, i);
            YamlNode item = items.get(i);
            String t = b.text(item, at, "a retry condition such as timeout or 503");
            if (t == null) {
                bad |= !Binder.absent(item);
                continue;
            }
            String word = t.strip().toLowerCase(Locale.ROOT);
            if (!word.isEmpty() && Character.isDigit(word.charAt(0))) {
                bad |= !StatusBinder.item(b, item, at, t, codes);
            } else if (ON_WORDS.contains(word)) {
                words.add(RetryConfig.On.valueOf(word.toUpperCase(Locale.ROOT)));
            } else {
                b.error(at, item, "unknown retry condition `" + t + "`" + Suggest.didYouMean(word, ON_WORDS)
                        + " (known: " + String.join(", ", ON_WORDS) + ", or a status such as 503 or 500-599)");
                bad = true;
            }
        }
        return bad ? null : new Conditions(words, StatusSet.parse(codes));
    }

    private static List<String> methods(Binder b, YamlNode n, String path) {
        List<YamlNode> items = StatusBinder.listOrOne(b, n, path, "a list of methods such as [POST]");
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = StatusBinder.itemPath(n, path, i);
            String t = b.text(items.get(i), at, "a method name such as POST");
            if (t == null) {
                continue;
            }
            String method = t.strip().toUpperCase(Locale.ROOT);
            if (!method.matches("[A-Z]+")) {
                b.error(at, items.get(i), "bad method \"" + t + "\"; a method is one word of letters, such as POST");
            } else if (!out.contains(method)) {
                out.add(method);
            }
        }
        return out;
    }

    private static HealthCheckConfig.Type checkType(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "http or tcp");
        if (t == null) {
            return null;
        }
        String word = t.strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(word)) {
            b.error(path, n, "unknown health check type `" + t + "`" + Suggest.didYouMean(word, TYPES)
                    + " (known: http, tcp)");
            return null;
        }
        return HealthCheckConfig.Type.valueOf(word.toUpperCase(Locale.ROOT));
    }

    private static String checkPath(Binder b, YamlNode n, String path) {
        String p = ListenerBinder.urlPath(b, n, path);
        if (p == null) {
            return null;
        }
        if (!p.matches("\\S+") || p.chars().anyMatch(Character::isISOControl)) {
            b.error(path, n, "a health check path may not contain spaces or control characters, got \"" + p + "\"");
            return null;
        }
        return p;
    }

    private static String hostHeader(Binder b, YamlNode n, String path) {
        String h = b.text(n, path, "a host name such as app.internal");
        if (h != null && !h.matches("[A-Za-z0-9._~\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
            b.error(path, n, "bad Host header \"" + h + "\"; write a host name or address, optionally with :port");
            return null;
        }
        return h;
    }

    /**
     * A duration under {@code key}, or the same as a whole number of {@code unit}s under {@code seedKey}
     * (in {@code [min, max]}); giving both is an error.
     */
    private static Duration eitherDuration(Binder b, YamlNode.Mapping m, String path, String key, String seedKey,
                                           ChronoUnit unit, int min, int max) {
        YamlNode seed = value(m, seedKey);
        if (seed != null && value(m, key) != null) {
            YamlNode.Entry e = m.entry(seedKey);
            b.error(child(path, seedKey), e.line(), e.column(), "give either `" + key + "` or `" + seedKey
                    + "`, not both");
            return null;
        }
        if (seed != null) {
            Integer v = b.integer(seed, child(path, seedKey), min, max);
            return v == null ? null : Duration.of(v, unit);
        }
        return b.duration(value(m, key), child(path, key), min == 0);
    }

    /** The value of a {@code true}/{@code false} shorthand, or null when {@code n} is anything else. */
    private static Boolean flag(YamlNode n) {
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOL) {
            return (Boolean) s.value();
        }
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.STRING) {
            String t = s.text().strip().toLowerCase(Locale.ROOT);
            return t.equals("true") || t.equals("false") ? Boolean.valueOf(t) : null;
        }
        return null;
    }

    /** A duration as a person writes it: 250ms, 2s. */
    private static String show(Duration d) {
        return d.toMillis() % 1000 == 0 && !d.isZero() ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
