package io.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in string values with environment variables, before
 * values are typed (so {@code workers: ${WORKERS:-4}} is a number). {@code :-} uses the default when the
 * variable is unset or empty, as a shell does. <code>$${</code> is an escape for a literal <code>${</code>. Keys are never
 * substituted, and substituted text is not scanned again. Inside flow collections ({@code { }} and
 * {@code [ ]}) quote such values, since YAML gives braces a meaning there. Stateless; thread-safe if
 * {@code env} is.
 */
final class EnvSubstitution {

    private EnvSubstitution() {
    }

    /** A copy of {@code node} with every string scalar expanded; problems go to {@code binder}. */
    static YamlNode apply(YamlNode node, String path, Function<String, String> env, Binder binder) {
        if (node instanceof YamlNode.Scalar s) {
            if (s.kind() != YamlNode.Kind.STRING || !s.text().contains("${")) {
                return s;
            }
            try {
                return new YamlNode.Scalar(s.kind(), expand(s.text(), env), null, s.line(), s.column());
            } catch (IllegalArgumentException e) {
                binder.error(path, s, e.getMessage());
                return YamlNode.Scalar.reported(s);
            }
        }
        if (node instanceof YamlNode.Sequence q) {
            List<YamlNode> items = new ArrayList<>(q.items().size());
            for (YamlNode item : q.items()) {
                items.add(apply(item, Binder.index(path, items.size()), env, binder));
            }
            return new YamlNode.Sequence(items, q.line(), q.column());
        }
        YamlNode.Mapping m = (YamlNode.Mapping) node;
        List<YamlNode.Entry> entries = new ArrayList<>(m.entries().size());
        for (YamlNode.Entry e : m.entries()) {
            YamlNode v = apply(e.value(), Binder.child(path, e.key()), env, binder);
            entries.add(new YamlNode.Entry(e.key(), e.line(), e.column(), v));
        }
        return new YamlNode.Mapping(entries, m.line(), m.column());
    }

    /**
     * Expands the references in {@code text}.
     *
     * @throws IllegalArgumentException naming the variable when one is unset and has no default, or when a
     *                                  reference is malformed
     */
    static String expand(String text, Function<String, String> env) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed `${` in \"" + text + "\"; write ${NAME} or ${NAME:-default}"
                            + " (or $${ for a literal ${)");
                }
                out.append(lookup(text.substring(i + 2, end), text, env));
                i = end + 1;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private static String lookup(String reference, String text, Function<String, String> env) {
        int sep = reference.indexOf(":-");
        String name = sep < 0 ? reference : reference.substring(0, sep);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("bad environment variable name \"" + name + "\" in \"" + text
                    + "\"; names use letters, digits and _ and do not start with a digit");
        }
        String value = env.apply(name);
        if (sep >= 0 && (value == null || value.isEmpty())) {
            return reference.substring(sep + 2);
        }
        if (value == null) {
            throw new IllegalArgumentException("environment variable " + name + " is not set; set it, or give a default"
                    + " as in ${" + name + ":-value}");
        }
        return value;
    }
}
