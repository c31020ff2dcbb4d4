package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * A parsed YAML value that remembers where it was written, so that every configuration error can name its
 * line and column. Built by {@link YamlReader}; read by the binders. Immutable; thread-safe.
 */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Sequence, YamlNode.Mapping {

    /** 1-based line where the value starts. */
    int line();

    /** 1-based column where the value starts. */
    int column();

    /**
     * How YAML typed a scalar. ERROR marks a value already reported as wrong (an alias, a failed
     * {@code ${ENV}}), which binders then skip without piling further errors on it.
     */
    enum Kind { STRING, INT, FLOAT, BOOL, NULL, ERROR }

    /**
     * A single value.
     *
     * @param kind  how YAML typed it
     * @param text  the text as written (after {@code ${ENV}} substitution); "" for an empty value
     * @param value a {@link Number} for INT and FLOAT, a {@link Boolean} for BOOL, else null
     */
    record Scalar(Kind kind, String text, Object value, int line, int column) implements YamlNode {
        public Scalar {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(text, "text");
        }

        boolean isNull() {
            return kind == Kind.NULL;
        }

        /** A stand-in for a value whose error has already been recorded. */
        static Scalar reported(YamlNode at) {
            return new Scalar(Kind.ERROR, "", null, at.line(), at.column());
        }
    }

    /** A list, in order. */
    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /**
     * One key of a mapping and its value, with where the key was written.
     */
    record Entry(String key, int line, int column, YamlNode value) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A map whose keys keep the order they were written in; keys are unique. */
    record Mapping(List<Entry> entries, int line, int column) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        /** The entry for {@code key}, or null. */
        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        /** The value for {@code key}, or null when the key is absent. */
        YamlNode get(String key) {
            Entry e = entry(key);
            return e == null ? null : e.value();
        }
    }
}
