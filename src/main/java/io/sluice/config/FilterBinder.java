package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;

import io.sluice.filter.FilterFactory;
import io.sluice.filter.Filters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds filter lists ({@code filters:} of listeners and routes), the route keys that are filters written
 * another way ({@code sticky}, {@code redirect}, and {@code rate_limit} of the short form), and the named
 * {@code filter_presets} lists may refer to. Each filter's own arguments are read by its
 * {@link FilterFactory#configure}. Stateless; thread-safe.
 */
final class FilterBinder {
    private FilterBinder() {
    }

    /**
     * {@code filter_presets}: name -> one filter ({@code NAME: { FILTER: ARGS }}) or a list of them. A preset
     * may not refer to another preset.
     */
    static Map<String, List<FilterConfig>> presets(Binder b, YamlNode n, String path) {
        Map<String, List<FilterConfig>> out = new LinkedHashMap<>();
        YamlNode.Mapping m = b.mapping(n, path, "a map of preset names to filters");
        if (m == null) {
            return out;
        }
        for (YamlNode.Entry e : m.entries()) {
            String at = child(path, e.key());
            if (!e.key().matches("[a-z][a-z0-9_]*")) {
                b.error(at, e.line(), e.column(), "a preset name is snake_case (letters, digits, _), got `" + e.key() + "`");
                continue;
            }
            if (Binder.absent(e.value())) {
                b.error(at, e.line(), e.column(), "preset `" + e.key() + "` is empty; give it a filter, e.g. "
                        + e.key() + ": { security_headers: {} }");
                continue;
            }
            List<FilterConfig> filters = new ArrayList<>();
            if (e.value() instanceof YamlNode.Sequence s) {
                for (int i = 0; i < s.items().size(); i++) {
                    FilterConfig f = entry(b, s.items().get(i), index(at, i), Map.of());
                    if (f != null) {
                        filters.add(f);
                    }
                }
            } else {
                FilterConfig f = entry(b, e.value(), at, Map.of());
                if (f != null) {
                    filters.add(f);
                }
            }
            out.put(e.key(), List.copyOf(filters));
        }
        return out;
    }

    /** A {@code filters:} list; preset names expand to their filters. */
    static List<FilterConfig> filters(Binder b, YamlNode n, String path, Map<String, List<FilterConfig>> presets) {
        List<FilterConfig> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, path, "a list of filters, e.g. [ compress, { rate_limit: {"
                + " requests_per_second: 10 } } ]");
        if (items == null) {
            return out;
        }
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String at = index(path, i);
            if (item instanceof YamlNode.Scalar s && !s.isNull() && presets.containsKey(s.text())) {
                out.addAll(presets.get(s.text()));
                continue;
            }
            FilterConfig f = entry(b, item, at, presets);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /** One filter: {@code NAME} (no arguments) or {@code { NAME: ARGS }}. */
    private static FilterConfig entry(Binder b, YamlNode n, String path, Map<String, List<FilterConfig>> presets) {
        if (Binder.absent(n)) {
            b.error(path, n, "empty filter entry; name a filter, e.g. compress or { rate_limit: { requests_per_second: 10 } }");
            return null;
        }
        if (n instanceof YamlNode.Scalar s) {
            String name = b.text(s, path, "a filter name");
            return name == null ? null : named(b, name, null, s, path, presets);
        }
        if (n instanceof YamlNode.Mapping m) {
            if (m.entries().size() != 1) {
                b.error(path, n, "a filter entry is one filter name with its settings, e.g. { rate_limit: {"
                        + " requests_per_second: 10 } }; got " + m.entries().size() + " keys (one entry per filter)");
                return null;
            }
            YamlNode.Entry e = m.entries().get(0);
            if (presets.containsKey(e.key())) {
                b.error(child(path, e.key()), e.line(), e.column(), "`" + e.key() + "` is a preset from filter_presets;"
                        + " name it alone (- " + e.key() + "), without settings");
                return null;
            }
            return named(b, e.key(), e.value(), e.value() == null ? n : e.value(), child(path, e.key()), presets);
        }
        b.typeError(n, path, "a filter name or { NAME: SETTINGS }");
        return null;
    }

    /** The filter {@code name} with {@code args} (null for none), configured by its factory. */
    static FilterConfig named(Binder b, String name, YamlNode args, YamlNode at, String path,
                              Map<String, List<FilterConfig>> presets) {
        FilterFactory f = Filters.get(name);
        if (f == null) {
            List<String> known = new ArrayList<>(Filters.names());
            known.addAll(presets.keySet());
            b.error(path, at, "unknown filter `" + name + "`" + Suggest.didYouMean(name, known)
                    + " (filters: " + String.join(", ", Filters.names())
                    + (presets.isEmpty() ? "" : "; presets: " + String.join(", ", presets.keySet())) + ")");
            return null;
        }
        int before = b.errorCount();
        Object settings;
        try {
            settings = f.configure(new BoundFilterArgs(b, args, at, path));
        } catch (RuntimeException e) {
            b.error(path, at, "filter `" + name + "` could not read its settings: " + e.getMessage());
            return null;
        }
        return b.errorCount() == before ? new FilterConfig(name, settings) : null;
    }
}
