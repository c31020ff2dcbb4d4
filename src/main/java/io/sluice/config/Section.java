package io.sluice.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The keys a map in the configuration may have, each with its {@link SchemaType} and a one-line description:
 * declared next to the binder that reads the map, which passes {@link #keys()} to {@code Binder.allowOnly}, and
 * written out as JSON Schema by {@link JsonSchemaWriter}. So the keys the binder allows and the keys the schema
 * offers are one list. Immutable; thread-safe.
 */
final class Section {
    private final String name;
    private final String description;
    private final Map<String, Key> keys;
    private final List<String> keyNames;

    /**
     * One key of a section.
     *
     * @param required whether the binder reports the key missing
     */
    record Key(String name, SchemaType type, String description, boolean required) {
        Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(description, "description");
        }
    }

    private Section(String name, String description, List<Key> keys) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("a section name is snake_case, got " + name);
        }
        Map<String, Key> byName = new LinkedHashMap<>();
        for (Key k : keys) {
            if (byName.put(k.name(), k) != null) {
                throw new IllegalArgumentException("key " + k.name() + " is declared twice in section " + name);
            }
        }
        this.keys = java.util.Collections.unmodifiableMap(byName);
        this.keyNames = List.copyOf(byName.keySet());
    }

    /**
     * A section.
     *
     * @param name        its name in the schema's {@code $defs}: snake_case, unique among sections
     * @param description what the map is for, one line
     */
    static Section of(String name, String description, Key... keys) {
        return new Section(name, description, List.of(keys));
    }

    /** A section with {@code keys}. */
    static Section of(String name, String description, List<Key> keys) {
        return new Section(name, description, keys);
    }

    /** The names of {@code keys}, in order. */
    static List<String> names(List<Key> keys) {
        return keys.stream().map(Key::name).toList();
    }

    /** An optional key. */
    static Key key(String name, SchemaType type, String description) {
        return new Key(name, type, description, false);
    }

    /** A key the binder reports when it is missing. */
    static Key required(String name, SchemaType type, String description) {
        return new Key(name, type, description, true);
    }

    String name() {
        return name;
    }

    String description() {
        return description;
    }

    /** The allowed key names, in declaration order: what {@code Binder.allowOnly} takes. */
    List<String> keys() {
        return keyNames;
    }

    /** The keys with their types, in declaration order. */
    List<Key> entries() {
        return List.copyOf(keys.values());
    }

    @Override
    public String toString() {
        return "Section[" + name + " " + keyNames + "]";
    }
}
