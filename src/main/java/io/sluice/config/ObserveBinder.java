package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.number;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Binds the observability sections {@code access_log}, {@code tracing} and {@code metrics}. Each accepts a
 * map, and {@code access_log} and {@code metrics} also {@code true}/{@code false} as a shorthand;
 * {@code tracing: false} is accepted as "off". Stateless; thread-safe.
 */
final class ObserveBinder {
    private static final List<String> FORMATS = List.of("combined", "json");
    static final Section ACCESS_LOG = Section.of("access_log", "One line per request; `true` is on with these"
                    + " defaults.",
            key("enabled", bool(), "Whether requests are logged (default true when the map is given)."),
            key("format", oneOf(FORMATS), "combined (Apache/nginx style, the default) or json."),
            key("target", string(), "\"stdout\" (the default) or a file path."));
    static final Section TRACING = Section.of("tracing", "OpenTelemetry tracing over OTLP/HTTP; off when absent.",
            required("otlp_endpoint", string(), "The collector URL, e.g. \"http://127.0.0.1:4318\"."),
            key("sample_ratio", number(0, 1), "Share of new traces sampled, from 0 to 1 (default 0.1)."),
            key("service_name", string(), "service.name of the spans (default \"sluice\")."));
    static final Section METRICS = Section.of("metrics", "Metrics for the admin API and Prometheus; on by default.",
            key("enabled", bool(), "Whether metrics are kept (default true)."));

    private ObserveBinder() {
    }

    /**
     * The access log: off when absent; {@code true} is on with the defaults; a map is on unless it says
     * {@code enabled: false}.
     */
    static AccessLogConfig accessLog(Binder b, YamlNode n, String path) {
        AccessLogConfig d = AccessLogConfig.OFF;
        if (n instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.NULL && s.kind() != YamlNode.Kind.ERROR) {
            Boolean on = b.bool(s, path);
            return on != null && on ? AccessLogConfig.STDOUT : d;
        }
        YamlNode.Mapping m = b.mapping(n, path, "true, false or a map (" + String.join(", ", ACCESS_LOG.keys()) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, ACCESS_LOG.keys());
        boolean enabled = or(b.bool(value(m, "enabled"), child(path, "enabled")), true);
        AccessLogConfig.Format format = or(format(b, value(m, "format"), child(path, "format")), d.format());
        String target = d.target();
        YamlNode t = value(m, "target");
        String text = b.text(t, child(path, "target"), "\"stdout\" or a file path");
        if (text != null) {
            if (text.isBlank()) {
                b.error(child(path, "target"), t, "`target` is empty; write \"stdout\" or a file path");
            } else {
                target = text.strip();
            }
        }
        return new AccessLogConfig(enabled, format, target);
    }

    private static AccessLogConfig.Format format(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "combined or json");
        if (t == null) {
            return null;
        }
        String word = t.strip().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(word)) {
            b.error(path, n, "unknown access log format `" + t + "`" + Suggest.didYouMean(word, FORMATS)
                    + " (known formats: " + String.join(", ", FORMATS) + ")");
            return null;
        }
        return word.equals("json") ? AccessLogConfig.Format.JSON : AccessLogConfig.Format.COMBINED;
    }

    /** Tracing: off when absent or {@code false}; a map needs {@code otlp_endpoint}. */
    static TracingConfig tracing(Binder b, YamlNode n, String path) {
        TracingConfig d = TracingConfig.OFF;
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOL) {
            if ((Boolean) s.value()) {
                b.error(path, s, "`tracing: true` does not say where spans go; write e.g. tracing: { otlp_endpoint:"
                        + " \"http://127.0.0.1:4318\" }");
            }
            return d;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map (" + String.join(", ", TRACING.keys()) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, TRACING.keys());
        String endpoint = endpoint(b, b.require(m, "otlp_endpoint", path,
                "the OTLP/HTTP collector URL, e.g. \"http://127.0.0.1:4318\""), child(path, "otlp_endpoint"));
        Double ratio = ratio(b, value(m, "sample_ratio"), child(path, "sample_ratio"));
        String service = d.serviceName();
        YamlNode sn = value(m, "service_name");
        String text = b.text(sn, child(path, "service_name"), "a service name (text)");
        if (text != null) {
            if (text.isBlank()) {
                b.error(child(path, "service_name"), sn, "`service_name` is empty; leave it out for \"sluice\"");
            } else {
                service = text.strip();
            }
        }
        return endpoint == null ? d : new TracingConfig(endpoint, or(ratio, d.sampleRatio()), service);
    }

    /** An http:// or https:// URL with a host and nothing after the path; a trailing "/" is dropped. */
    private static String endpoint(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "a URL such as \"http://127.0.0.1:4318\"");
        if (t == null) {
            return null;
        }
        String url = t.strip();
        String problem;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problem = "must start with http:// or https://";
            } else if (u.getHost() == null || u.getHost().isEmpty()) {
                problem = "has no host";
            } else if (u.getQuery() != null || u.getFragment() != null) {
                problem = "must not have a query or fragment";
            } else {
                problem = null;
            }
        } catch (URISyntaxException e) {
            problem = "is not a valid URL (" + e.getReason() + ")";
        }
        if (problem != null) {
            b.error(path, n, "the OTLP endpoint \"" + t + "\" " + problem + "; write e.g. \"http://127.0.0.1:4318\"");
            return null;
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }

    /** A number from 0 to 1, written as an integer or a decimal (numeric text from ${ENV} too). */
    private static Double ratio(Binder b, YamlNode n, String path) {
        if (Binder.absent(n) || Binder.reported(n)) {
            return null;
        }
        if (!(n instanceof YamlNode.Scalar s)
                || !(s.kind() == YamlNode.Kind.INT || s.kind() == YamlNode.Kind.FLOAT || s.kind() == YamlNode.Kind.STRING)) {
            b.typeError(n, path, "a number from 0 to 1");
            return null;
        }
        BigDecimal v;
        try {
            v = new BigDecimal(s.text().strip());
        } catch (NumberFormatException e) {
            b.typeError(n, path, "a number from 0 to 1");
            return null;
        }
        if (v.signum() < 0 || v.compareTo(BigDecimal.ONE) > 0) {
            b.error(path, n, "must be from 0 to 1 (0.1 samples one trace in ten), got " + s.text());
            return null;
        }
        return v.doubleValue();
    }

    /** Metrics: on when absent; {@code true}/{@code false}, or a map with {@code enabled}. */
    static MetricsConfig metrics(Binder b, YamlNode n, String path) {
        if (n instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.NULL && s.kind() != YamlNode.Kind.ERROR) {
            Boolean on = b.bool(s, path);
            return on == null || on ? MetricsConfig.ON : MetricsConfig.OFF;
        }
        YamlNode.Mapping m = b.mapping(n, path, "true, false or a map (enabled)");
        if (m == null) {
            return MetricsConfig.ON;
        }
        b.allowOnly(m, path, METRICS.keys());
        Boolean on = b.bool(value(m, "enabled"), child(path, "enabled"));
        return on == null || on ? MetricsConfig.ON : MetricsConfig.OFF;
    }
}
