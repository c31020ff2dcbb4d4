package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;

import io.sluice.filter.FilterArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link FilterArgs} over a YAML node, reporting through the load's {@link Binder}. Not thread-safe. */
final class BoundFilterArgs implements FilterArgs {
    private final Binder b;
    private final YamlNode node;
    private final YamlNode at;
    private final String path;

    /**
     * @param node the value (null when none was given)
     * @param at   where to report mistakes about a missing value
     */
    BoundFilterArgs(Binder b, YamlNode node, YamlNode at, String path) {
        this.b = b;
        this.node = Binder.absent(node) ? null : node;
        this.at = at;
        this.path = path;
    }

    private YamlNode.Mapping map() {
        return node instanceof YamlNode.Mapping m ? m : null;
    }

    private YamlNode value(String key) {
        return Binder.value(map(), key);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean isEmpty() {
        return node == null;
    }

    @Override
    public boolean isMap() {
        return node instanceof YamlNode.Mapping;
    }

    @Override
    public boolean isList() {
        return node instanceof YamlNode.Sequence;
    }

    @Override
    public String text() {
        return b.text(node, path, "a value");
    }

    @Override
    public List<FilterArgs> items() {
        List<YamlNode> items = b.sequence(node, path, "a list");
        if (items == null) {
            return null;
        }
        List<FilterArgs> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(new BoundFilterArgs(b, items.get(i), items.get(i), index(path, i)));
        }
        return out;
    }

    @Override
    public Set<String> keys() {
        Set<String> out = new LinkedHashSet<>();
        if (map() != null) {
            for (YamlNode.Entry e : map().entries()) {
                out.add(e.key());
            }
        }
        return out;
    }

    @Override
    public FilterArgs get(String key) {
        YamlNode.Entry e = map() == null ? null : map().entry(key);
        return e == null ? null : new BoundFilterArgs(b, e.value(), e.value(), child(path, key));
    }

    @Override
    public void allowOnly(String... allowed) {
        if (node != null && !(node instanceof YamlNode.Mapping)) {
            b.typeError(node, path, "a map of settings (" + String.join(", ", allowed) + ")");
            return;
        }
        b.allowOnly(map(), path, List.of(allowed));
    }

    @Override
    public boolean require(String key, String hint) {
        if (map() == null) {
            b.error(child(path, key), node == null ? at : node, "missing required key `" + key + "` (" + hint + ")");
            return false;
        }
        return b.require(map(), key, path, hint) != null;
    }

    @Override
    public String text(String key) {
        return b.text(value(key), child(path, key), "text");
    }

    @Override
    public Long integer(String key, long min, long max) {
        Integer v = b.integer(value(key), child(path, key), (int) Math.max(Integer.MIN_VALUE, min),
                (int) Math.min(Integer.MAX_VALUE, max));
        return v == null ? null : v.longValue();
    }

    @Override
    public Double number(String key, double min, double max) {
        YamlNode n = value(key);
        String t = b.text(n, child(path, key), "a number");
        if (t == null) {
            return null;
        }
        double v;
        try {
            v = Double.parseDouble(t.strip());
        } catch (NumberFormatException e) {
            b.error(child(path, key), n, "expected a number, got \"" + t + "\"");
            return null;
        }
        if (!(v >= min)) {
            b.error(child(path, key), n, "must be at least " + fmt(min) + ", got " + t);
            return null;
        }
        if (v > max) {
            b.error(child(path, key), n, "must be at most " + fmt(max) + ", got " + t);
            return null;
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @Override
    public Boolean bool(String key) {
        return b.bool(value(key), child(path, key));
    }

    @Override
    public Duration duration(String key) {
        return b.duration(value(key), child(path, key), false);
    }

    @Override
    public Long size(String key, long min) {
        return b.size(value(key), child(path, key), min);
    }

    @Override
    public Path file(String key) {
        YamlNode n = value(key);
        Path p = b.file(n, child(path, key), "a file name");
        if (p != null && !Files.isReadable(p)) {
            b.error(child(path, key), n, "no readable file at " + p);
            return null;
        }
        return p;
    }

    @Override
    public List<String> texts(String key) {
        YamlNode n = value(key);
        List<String> out = new ArrayList<>();
        if (n instanceof YamlNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                String t = b.text(s.items().get(i), index(child(path, key), i), "text");
                if (t != null) {
                    out.add(t);
                }
            }
        } else if (n != null) {
            String t = b.text(n, child(path, key), "text or a list of texts");
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public Map<String, String> textMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode.Mapping m = b.mapping(value(key), child(path, key), "a map of names to values");
        if (m != null) {
            for (YamlNode.Entry e : m.entries()) {
                String t = Binder.absent(e.value()) ? "" : b.text(e.value(), child(child(path, key), e.key()), "text");
                if (t != null) {
                    out.put(e.key(), t);
                }
            }
        }
        return out;
    }

    @Override
    public void error(String message) {
        b.error(path, node == null ? at : node, message);
    }

    @Override
    public void error(String key, String message) {
        YamlNode.Entry e = map() == null ? null : map().entry(key);
        if (e != null && !Binder.absent(e.value())) {
            b.error(child(path, key), e.value(), message);
        } else if (e != null) {
            b.error(child(path, key), e.line(), e.column(), message);
        } else {
            b.error(child(path, key), node == null ? at : node, message);
        }
    }

    @Override
    public int errorCount() {
        return b.errorCount();
    }
}
