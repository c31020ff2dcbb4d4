package io.sluice.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns YAML text into a {@link YamlNode} tree with line and column on every node, using Jackson's streaming
 * parser (data binding would lose the locations). Duplicate keys, aliases and extra documents are reported
 * as errors; a syntax error ends reading and is reported alone. Stateless; thread-safe.
 */
final class YamlReader {
    /** An empty plain value ({@code key:}) reads as null, as YAML says; a quoted "" stays a string. */
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    /**
     * What reading produced.
     *
     * @param root   the document, or null when the text is empty or could not be parsed
     * @param errors problems found; a syntax error is the only one when present
     */
    record Result(YamlNode root, List<ConfigError> errors) {
    }

    private YamlReader() {
    }

    static Result read(String text) {
        List<ConfigError> errors = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return new Result(null, errors);
            }
            YamlNode root = value(p, "", errors);
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                errors.add(new ConfigError("", at.getLineNr(), at.getColumnNr(),
                        "only one YAML document is allowed; remove the second `---` and what follows"));
            }
            return new Result(root, errors);
        } catch (JsonProcessingException e) {
            return new Result(null, List.of(syntaxError(e)));
        } catch (IOException e) {
            return new Result(null, List.of(new ConfigError("", 0, 0, "cannot read YAML: " + e.getMessage())));
        }
    }

    /** Reads the value whose first token is current, leaving its last token current. */
    private static YamlNode value(JsonParser p, String path, List<ConfigError> errors) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT:
                return mapping(p, path, errors, line, column);
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p, Binder.index(path, items.size()), errors));
                }
                return new YamlNode.Sequence(items, line, column);
            }
            default:
                return scalar(p, t, path, errors, line, column);
        }
    }

    private static YamlNode mapping(JsonParser p, String path, List<ConfigError> errors, int line, int column)
            throws IOException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation keyAt = p.currentTokenLocation();
            p.nextToken();
            YamlNode v = value(p, Binder.child(path, key), errors);
            int first = keys.indexOf(key);
            if (first >= 0) {
                YamlNode.Entry earlier = entries.get(first);
                errors.add(new ConfigError(Binder.child(path, key), keyAt.getLineNr(), keyAt.getColumnNr(),
                        "duplicate key `" + key + "` (first given at " + earlier.line() + ":" + earlier.column()
                                + "); each key may appear once"));
                continue;
            }
            keys.add(key);
            entries.add(new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), v));
        }
        return new YamlNode.Mapping(entries, line, column);
    }

    private static YamlNode scalar(JsonParser p, JsonToken t, String path, List<ConfigError> errors,
                                   int line, int column) throws IOException {
        String text = t == JsonToken.VALUE_NULL ? "" : p.getText();
        if (p instanceof YAMLParser yp && yp.isCurrentAlias()) {
            errors.add(new ConfigError(path, line, column,
                    "`*" + text + "` is a YAML alias, which is not supported; if you meant text, quote it, as in"
                            + " \"*" + text + "\""));
            return new YamlNode.Scalar(YamlNode.Kind.ERROR, text, null, line, column);
        }
        switch (t) {
            case VALUE_NUMBER_INT:
                return new YamlNode.Scalar(YamlNode.Kind.INT, text, p.getNumberValue(), line, column);
            case VALUE_NUMBER_FLOAT:
                return new YamlNode.Scalar(YamlNode.Kind.FLOAT, text, p.getNumberValue(), line, column);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YamlNode.Scalar(YamlNode.Kind.BOOL, text, t == JsonToken.VALUE_TRUE, line, column);
            case VALUE_NULL:
                return new YamlNode.Scalar(YamlNode.Kind.NULL, "", null, line, column);
            default:
                return new YamlNode.Scalar(YamlNode.Kind.STRING, text, null, line, column);
        }
    }

    /** One error at the place the YAML parser gave up, without the parser's multi-line snippet. */
    private static ConfigError syntaxError(JsonProcessingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                Mark problem = m.getProblemMark();
                StringBuilder msg = new StringBuilder("YAML syntax error: ").append(m.getProblem());
                if (m.getContext() != null) {
                    msg.append(" (").append(m.getContext());
                    Mark ctx = m.getContextMark();
                    if (ctx != null) {
                        msg.append(" that starts at ").append(ctx.getLine() + 1).append(':').append(ctx.getColumn() + 1);
                    }
                    msg.append(')');
                    if (m.getContext().contains("alias")) {
                        msg.append("; a value starting with `*` is read as a YAML alias: quote it, as in \"*.example.com\"");
                    }
                }
                return new ConfigError("", problem.getLine() + 1, problem.getColumn() + 1, msg.toString());
            }
        }
        JsonLocation at = e.getLocation();
        String msg = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().lines().findFirst().orElse("");
        return at == null
                ? new ConfigError("", 0, 0, "YAML error: " + msg)
                : new ConfigError("", Math.max(0, at.getLineNr()), Math.max(0, at.getColumnNr()), "YAML error: " + msg);
    }
}
