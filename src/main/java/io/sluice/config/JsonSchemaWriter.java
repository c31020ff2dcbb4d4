package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.filter.Filters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the JSON Schema (draft 2020-12) of the configuration file from the {@link Section}s the binders check
 * keys against, so the schema an editor completes with and the keys {@code sluice validate} allows are the same
 * list. Every section becomes a {@code $defs} entry with {@code additionalProperties: false}; the top level
 * accepts the full form ({@code listeners}, {@code pools}) or the short single-pool form ({@code listen},
 * {@code backends}, ...). Values that are not plain text also accept a {@code ${NAME}} reference, since those are
 * replaced before values are read. Word lists (strategies, detector protocols, filters) are read when the schema
 * is written, so they include what a library user registered. Stateless; thread-safe.
 */
public final class JsonSchemaWriter {
    /** The JSON Schema dialect written. */
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String ENV = "env";
    private static final String FILTER = "filter";
    private static final String DURATION = "^\\s*([0-9]*\\.?[0-9]+(ms|s|m|h))+\\s*$";
    private static final String SIZE = "^\\s*[0-9]+(\\.[0-9]+)?\\s*[A-Za-z]*\\s*$";
    private static final String ADDRESS = "^\\s*(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]*):[0-9]{1,5}\\s*$";
    private static final String NAME = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
    private static final String STATUS = "^\\s*[1-5][0-9][0-9](\\s*-\\s*[1-5][0-9][0-9])?\\s*$";

    /** Sections by {@code $defs} name, to refuse two different sections under one name. */
    private final Map<String, Section> sections = new HashMap<>();
    private final Map<String, ObjectNode> defs = new TreeMap<>();

    private JsonSchemaWriter() {
    }

    /** The schema as a tree. */
    public static ObjectNode schema() {
        JsonSchemaWriter w = new JsonSchemaWriter();
        ObjectNode root = JSON.objectNode();
        root.put("$schema", DIALECT);
        root.put("title", "Sluice configuration");
        root.put("description", "A Sluice configuration file: the full form (listeners and pools) or the short"
                + " single-pool form (listen and backends). Written by `sluice schema`.");
        ArrayNode forms = root.putArray("anyOf");
        for (Section top : List.of(ConfigBinder.FULL, ConfigBinder.SHORT)) {
            forms.add(w.ref(top));
        }
        w.defs.put(ENV, env());
        w.defs.put(FILTER, filter());
        ObjectNode defs = root.putObject("$defs");
        w.defs.forEach(defs::set);
        return root;
    }

    /** The schema as indented JSON text, ending with a newline. */
    public static String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(schema()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the schema", e); // a tree of plain nodes always writes
        }
    }

    /** The sections reachable from the top level, by {@code $defs} name. */
    static Map<String, Section> sections() {
        JsonSchemaWriter w = new JsonSchemaWriter();
        w.ref(ConfigBinder.FULL);
        w.ref(ConfigBinder.SHORT);
        return new TreeMap<>(w.sections);
    }

    // ---- sections ----

    private ObjectNode ref(Section s) {
        Section had = sections.putIfAbsent(s.name(), s);
        if (had != null && had != s) {
            throw new IllegalStateException("two sections are named " + s.name() + ": " + had + " and " + s);
        }
        if (had == null) {
            defs.put(s.name(), JSON.objectNode()); // placeholder, so a section can refer to itself
            defs.put(s.name(), section(s));
        }
        return JSON.objectNode().put("$ref", "#/$defs/" + s.name());
    }

    private ObjectNode section(Section s) {
        ObjectNode o = JSON.objectNode();
        o.put("type", "object");
        o.put("description", s.description());
        ObjectNode props = o.putObject("properties");
        List<String> required = new ArrayList<>();
        for (Section.Key k : s.entries()) {
            ObjectNode p = JSON.objectNode();
            p.put("description", k.description());
            p.setAll(type(k.type()));
            props.set(k.name(), p);
            if (k.required()) {
                required.add(k.name());
            }
        }
        if (!required.isEmpty()) {
            ArrayNode r = o.putArray("required");
            required.forEach(r::add);
        }
        o.put("additionalProperties", false);
        return o;
    }

    // ---- types ----

    private ObjectNode type(SchemaType t) {
        if (t instanceof SchemaType.Scalar s) {
            return scalar(s.kind());
        }
        if (t instanceof SchemaType.Whole w) {
            ObjectNode o = JSON.objectNode().put("type", "integer");
            o.put("minimum", w.min()).put("maximum", w.max());
            return withEnv(o);
        }
        if (t instanceof SchemaType.Decimal d) {
            return withEnv(JSON.objectNode().put("type", "number").put("minimum", d.min()).put("maximum", d.max()));
        }
        if (t instanceof SchemaType.Words w) {
            return withEnv(words(w.values().get()));
        }
        if (t instanceof SchemaType.Spellings sp) {
            List<String> all = new ArrayList<>(sp.canonical().get());
            all.addAll(sp.aliases().get());
            return anyOf(List.of(words(sp.canonical().get()), pattern(loose(all)),
                    JSON.objectNode().put("$ref", "#/$defs/" + ENV)));
        }
        if (t instanceof SchemaType.ListOf l) {
            ObjectNode list = JSON.objectNode().put("type", "array");
            list.set("items", type(l.item()));
            return l.orOne() ? anyOf(List.of(type(l.item()), list)) : list;
        }
        if (t instanceof SchemaType.MapOf m) {
            ObjectNode o = JSON.objectNode().put("type", "object");
            if (m.keyPattern() != null) {
                o.putObject("propertyNames").put("pattern", m.keyPattern());
            }
            o.set("additionalProperties", type(m.value()));
            return o;
        }
        if (t instanceof SchemaType.Ref r) {
            return ref(r.section());
        }
        if (t instanceof SchemaType.OneOf o) {
            return anyOf(o.options().stream().map(this::type).toList());
        }
        if (t instanceof SchemaType.Switch s) {
            return switchOn(s);
        }
        if (t instanceof SchemaType.Filter) {
            return JSON.objectNode().put("$ref", "#/$defs/" + FILTER);
        }
        if (t instanceof SchemaType.Settings) {
            return JSON.objectNode(); // each filter reads its own settings: a map, a list, or nothing
        }
        throw new IllegalArgumentException("no schema for " + t);
    }

    private static ObjectNode scalar(SchemaType.Kind kind) {
        return switch (kind) {
            case STRING, FILE -> JSON.objectNode().put("type", "string");
            case TEXT -> {
                ObjectNode o = JSON.objectNode();
                o.putArray("type").add("string").add("number").add("boolean");
                yield o;
            }
            case BOOLEAN -> withEnv(JSON.objectNode().put("type", "boolean"));
            case DURATION -> withEnv(pattern(DURATION));
            case SIZE -> withEnv(anyOf(List.of(JSON.objectNode().put("type", "integer").put("minimum", 0),
                    pattern(SIZE))));
            case ADDRESS -> withEnv(pattern(ADDRESS));
            case NAME -> pattern(NAME);
            case STATUS -> anyOf(List.of(JSON.objectNode().put("type", "integer").put("minimum", 100)
                    .put("maximum", 599), pattern(STATUS)));
        };
    }

    private ObjectNode switchOn(SchemaType.Switch s) {
        ObjectNode otherwise = ref(s.otherwise());
        Map<String, Section> cases = new TreeMap<>(s.cases());
        List<String> values = new ArrayList<>(cases.keySet());
        java.util.Collections.reverse(values);
        ObjectNode result = otherwise;
        for (String v : values) {
            ObjectNode cond = JSON.objectNode();
            cond.putObject("properties").putObject(s.key()).put("const", v);
            cond.putArray("required").add(s.key());
            ObjectNode o = JSON.objectNode().put("type", "object");
            o.set("if", cond);
            o.set("then", ref(cases.get(v)));
            o.set("else", result);
            result = o;
        }
        return result;
    }

    private static ObjectNode words(Collection<?> values) {
        ObjectNode o = JSON.objectNode();
        ArrayNode e = o.putArray("enum");
        for (Object v : values) {
            if (v instanceof Boolean bool) {
                e.add(bool);
            } else if (v instanceof java.lang.Integer i) {
                e.add(i);
            } else {
                e.add(String.valueOf(v));
            }
        }
        return o;
    }

    private static ObjectNode pattern(String regex) {
        return JSON.objectNode().put("type", "string").put("pattern", regex);
    }

    /** A pattern for any of these words in any case, with _, - or a space allowed between any two characters. */
    static String loose(Collection<String> words) {
        StringBuilder p = new StringBuilder("^(?:");
        boolean first = true;
        for (String w : new java.util.TreeSet<>(words)) {
            String squashed = w.replaceAll("[_\\- ]", "").toLowerCase(java.util.Locale.ROOT);
            if (!first) {
                p.append('|');
            }
            first = false;
            for (int i = 0; i < squashed.length(); i++) {
                char c = squashed.charAt(i);
                if (i > 0) {
                    p.append("[_\\- ]?");
                }
                if (Character.isLetter(c)) {
                    p.append('[').append(c).append(Character.toUpperCase(c)).append(']');
                } else if (Character.isLetterOrDigit(c)) {
                    p.append(c);
                } else {
                    p.append('\\').append(c);
                }
            }
        }
        return p.append(")$").toString();
    }

    private static ObjectNode anyOf(List<ObjectNode> options) {
        ObjectNode o = JSON.objectNode();
        ArrayNode a = o.putArray("anyOf");
        options.forEach(a::add);
        return o;
    }

    private static ObjectNode withEnv(ObjectNode o) {
        return anyOf(List.of(o, JSON.objectNode().put("$ref", "#/$defs/" + ENV)));
    }

    // ---- shared definitions ----

    private static ObjectNode env() {
        ObjectNode o = pattern("\\$\\{");
        o.put("description", "Text with a ${NAME} or ${NAME:-default} reference, replaced from the environment"
                + " before the value is read; the result must then fit the key.");
        return o;
    }

    private static ObjectNode filter() {
        List<String> names = Filters.names();
        ObjectNode o = JSON.objectNode();
        o.put("description", "A filter: its name alone, a preset's name, or { NAME: SETTINGS }. Built in: "
                + String.join(", ", names) + "; a library user may register more.");
        ObjectNode byName = JSON.objectNode();
        ArrayNode known = byName.putArray("enum");
        names.forEach(known::add);
        ObjectNode object = JSON.objectNode().put("type", "object").put("minProperties", 1).put("maxProperties", 1);
        ObjectNode props = object.putObject("properties");
        names.forEach(n -> props.putObject(n).put("description", "settings of the built-in filter `" + n + "`"));
        o.set("anyOf", JSON.arrayNode().add(byName).add(JSON.objectNode().put("type", "string")).add(object));
        return o;
    }
}
