package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The running configuration as JSON for {@code GET /api/config}: the file's text read into a tree, as written
 * ({@code ${VARS}} are shown as references, never resolved), with the value of every key that holds a secret
 * (secret, secrets, token, password, users, ...) replaced by {@code "***"} unless it is only a {@code ${VAR}}
 * reference. Stateless; thread-safe.
 */
public final class ConfigDocument {
    /** The mask shown in place of a secret. */
    public static final String MASK = "***";
    private static final Pattern ONLY_REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?}");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConfigDocument() {
    }

    /** The masked tree of a YAML or TOML text; a JSON null when the text is empty or does not parse. */
    public static JsonNode masked(String text, ConfigFormat format) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        YamlReader.Result read = format == ConfigFormat.TOML ? TomlReader.read(t) : YamlReader.read(t);
        return read.root() == null ? JSON.nullNode() : json(read.root(), false);
    }

    /** True for a key whose value is a secret to keep out of the API's answers. */
    static boolean secretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("secret") || k.contains("token") || k.contains("password") || k.equals("users")
                || k.equals("passphrase");
    }

    private static JsonNode json(YamlNode node, boolean secret) {
        if (node instanceof YamlNode.Mapping m) {
            ObjectNode o = JSON.objectNode();
            for (YamlNode.Entry e : m.entries()) {
                o.set(e.key(), json(e.value(), secret || secretKey(e.key())));
            }
            return o;
        }
        if (node instanceof YamlNode.Sequence s) {
            ArrayNode a = JSON.arrayNode();
            s.items().forEach(i -> a.add(json(i, secret)));
            return a;
        }
        YamlNode.Scalar sc = (YamlNode.Scalar) node;
        if (secret && !sc.isNull() && !ONLY_REFERENCE.matcher(sc.text()).matches()) {
            return JSON.textNode(MASK);
        }
        return switch (sc.kind()) {
            case NULL -> JSON.nullNode();
            case BOOL -> JSON.booleanNode((Boolean) sc.value());
            case INT -> sc.value() instanceof Number n ? JSON.numberNode(n.longValue()) : JSON.textNode(sc.text());
            case FLOAT -> sc.value() instanceof Number n ? JSON.numberNode(n.doubleValue()) : JSON.textNode(sc.text());
            default -> JSON.textNode(sc.text());
        };
    }
}
