package io.sluice.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns TOML text into the same {@link YamlNode} tree {@link YamlReader} makes from YAML, with line and column
 * on every node, so that one set of binders and one set of error messages serve both formats. Tables become
 * mappings, arrays and arrays of tables become sequences; integers read as INT, floats as FLOAT, booleans as
 * BOOL, strings and dates/times as STRING (dates in their ISO-8601 form).
 *
 * <p>Jackson's TOML module ({@code jackson-dataformat-toml}) does the parsing and says where a syntax error
 * is, but it builds its tree before handing out tokens, so its tokens have no location. The places of keys
 * and values come from {@link TomlLocations}, a second, non-validating pass over the accepted text. A
 * syntax error ends reading and is reported alone, like YAML's. Stateless; thread-safe.
 */
final class TomlReader {
    private static final TomlMapper MAPPER = new TomlMapper();

    private TomlReader() {
    }

    static YamlReader.Result read(String text) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JacksonException e) {
            return new YamlReader.Result(null, List.of(syntaxError(e, text)));
        } catch (RuntimeException e) {
            // The TOML module has no other documented failure; report rather than crash on odd input.
            return new YamlReader.Result(null, List.of(new ConfigError("", 0, 0, "cannot read TOML: " + e)));
        }
        if (tree == null || tree.isMissingNode() || tree.isEmpty()) {
            return new YamlReader.Result(null, List.of());
        }
        TomlLocations places = TomlLocations.scan(text);
        return new YamlReader.Result(node(tree, new ArrayList<>(), places, 1, 1), List.of());
    }

    /** The node for {@code value} at {@code path}; {@code line}:{@code column} is used when no place was found. */
    private static YamlNode node(JsonNode value, List<Object> path, TomlLocations places, int line, int column) {
        TomlLocations.Place at = path.isEmpty() ? null : places.place(path);
        if (at != null) {
            line = at.line();
            column = at.column();
        }
        if (value.isObject()) {
            List<YamlNode.Entry> entries = new ArrayList<>(value.size());
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                path.add(field.getKey());
                TomlLocations.Place key = places.place(path);
                int keyLine = key == null ? line : key.keyLine();
                int keyColumn = key == null ? column : key.keyColumn();
                YamlNode v = node(field.getValue(), path, places, keyLine, keyColumn);
                path.remove(path.size() - 1);
                entries.add(new YamlNode.Entry(field.getKey(), keyLine, keyColumn, v));
            }
            return new YamlNode.Mapping(entries, line, column);
        }
        if (value.isArray()) {
            List<YamlNode> items = new ArrayList<>(value.size());
            for (JsonNode item : value) {
                path.add(items.size());
                items.add(node(item, path, places, line, column));
                path.remove(path.size() - 1);
            }
            return new YamlNode.Sequence(items, line, column);
        }
        return scalar(value, line, column);
    }

    private static YamlNode.Scalar scalar(JsonNode value, int line, int column) {
        String text = value.asText();
        if (value.isIntegralNumber()) {
            return new YamlNode.Scalar(YamlNode.Kind.INT, text, value.numberValue(), line, column);
        }
        if (value.isNumber()) {
            return new YamlNode.Scalar(YamlNode.Kind.FLOAT, text, value.numberValue(), line, column);
        }
        if (value.isBoolean()) {
            return new YamlNode.Scalar(YamlNode.Kind.BOOL, text, value.booleanValue(), line, column);
        }
        if (value.isNull()) {
            return new YamlNode.Scalar(YamlNode.Kind.NULL, "", null, line, column);
        }
        return new YamlNode.Scalar(YamlNode.Kind.STRING, text, null, line, column);
    }

    /**
     * One error at the place Jackson gave up. For a key or table defined twice Jackson points past the line
     * that does it; the second definition's own key is more useful, so {@link TomlLocations} finds it.
     */
    private static ConfigError syntaxError(JacksonException e, String text) {
        String problem = e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                : e.getOriginalMessage().lines().findFirst().orElse("");
        JsonLocation at = e.getLocation();
        int line = at == null ? 0 : Math.max(0, at.getLineNr());
        int column = at == null || line == 0 ? 0 : Math.max(0, at.getColumnNr());
        if (problem.startsWith("Duplicate key") || problem.startsWith("Table redefined")) {
            TomlLocations.Place again = TomlLocations.scan(text).redefinition();
            if (again != null) {
                line = again.keyLine();
                column = again.keyColumn();
                problem = problem + ": each key and table may be defined once";
            }
        }
        return new ConfigError("", line, column, "TOML syntax error: " + problem);
    }
}
