package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.sluice.balance.Strategies;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The schema {@code sluice schema} prints: a valid draft 2020-12 schema, made from the same {@link Section}s the
 * binders check keys against, that refuses what the binder refuses for unknown keys and wrong types.
 */
class JsonSchemaWriterTest {
    private static final Path SOURCES = Path.of("src/main/java/io/sluice/config");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static ObjectNode tree;
    private static JsonSchema schema;

    @BeforeAll
    static void write() {
        tree = JsonSchemaWriter.schema();
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(tree);
    }

    private static Set<ValidationMessage> validate(String yaml) throws IOException {
        return schema.validate(YAML.readTree(yaml));
    }

    private static List<ConfigError> binderErrors(String yaml) {
        try {
            ConfigLoader.parse(yaml, "test.yaml", name -> null);
        } catch (ConfigException e) {
            return e.errors();
        }
        return List.of();
    }

    @Test
    void isAValidDraft202012Schema() throws IOException {
        JsonSchema meta = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(JsonSchemaWriter.DIALECT));
        assertThat(meta.validate(tree)).isEmpty();
        assertThat(tree.get("$schema").asText()).isEqualTo(JsonSchemaWriter.DIALECT);
        // the text the command prints is the same tree
        assertThat(new ObjectMapper().readTree(JsonSchemaWriter.json()).toString()).isEqualTo(tree.toString());
    }

    @Test
    void acceptsBothFormsAndTheSmallestFiles() throws IOException {
        assertThat(validate("listen: \"127.0.0.1:8080\"\nbackends: [\"127.0.0.1:3001\"]\n")).isEmpty();
        assertThat(validate("listeners: [ { name: web, bind: \":8080\" } ]\npools: [ { name: web, backends:"
                + " [ \"127.0.0.1:3001\" ] } ]\n")).isEmpty();
        assertThat(validate("workers: ${WORKERS:-4}\nlisten: ${LISTEN}\n")).isEmpty();
    }

    @Test
    void refusesAnUnknownKeyAsTheBinderDoes() throws IOException {
        String top = "listen: \"127.0.0.1:8080\"\nbackends: [\"127.0.0.1:3001\"]\nbackend_timeout: 5s\n";
        String nested = "listeners: [ { name: web, bind: \":8080\" } ]\npools:\n  - name: web\n"
                + "    backends: [ \"127.0.0.1:3001\" ]\n    health_check: { path: /, intervall: 5s }\n";
        String l4 = "listeners: [ { name: t, bind: \":2222\", protocol: tcp, http2: false } ]\n"
                + "pools: [ { name: p, protocol: tcp, backends: [ \"127.0.0.1:22\" ] } ]\n";
        for (String yaml : List.of(top, nested, l4)) {
            assertThat(validate(yaml)).as(yaml).isNotEmpty();
            assertThat(binderErrors(yaml)).as(yaml).isNotEmpty();
        }
    }

    @Test
    void refusesAWrongTypeAsTheBinderDoes() throws IOException {
        String base = "listeners: [ { name: web, bind: \":8080\" } ]\npools:\n  - name: web\n"
                + "    backends: [ \"127.0.0.1:3001\" ]\n";
        for (String bad : List.of("workers: many\n", "limits: { idle_timeout: 60 }\n", "limits: { max_body_size: lots }\n",
                "headers: { forwarded_by: 3 }\n", "access_log: { format: xml }\n", "tracing: true\n",
                "pools: [ { name: web, backends: 5 } ]\nlisteners: [ { name: web, bind: \":8080\" } ]\n",
                "listeners: [ { name: web, bind: 8080 } ]\npools: [ { name: web } ]\n",
                "listeners: [ { name: web, bind: \":8080\" } ]\npools: [ { name: web, strategy: telepathy } ]\n")) {
            String yaml = bad.startsWith("pools") || bad.startsWith("listeners") ? bad : base + bad;
            assertThat(validate(yaml)).as(yaml).isNotEmpty();
            assertThat(binderErrors(yaml)).as(yaml).isNotEmpty();
        }
    }

    @Test
    void refusesTheTwoFormsMixed() throws IOException {
        String yaml = "listen: \"127.0.0.1:8080\"\nbackends: [\"127.0.0.1:3001\"]\npools: [ { name: web } ]\n";
        assertThat(validate(yaml)).isNotEmpty();
        assertThat(binderErrors(yaml)).isNotEmpty();
    }

    @Test
    void everySectionIsInTheSchemaWithExactlyItsKeys() throws Exception {
        Map<String, Section> reachable = JsonSchemaWriter.sections();
        JsonNode defs = tree.get("$defs");
        List<Section> declared = declaredSections();
        assertThat(declared).hasSizeGreaterThan(20);
        for (Section s : declared) {
            assertThat(reachable.get(s.name())).as("section %s is reachable from the top level", s.name()).isSameAs(s);
            JsonNode def = defs.get(s.name());
            assertThat(def.get("additionalProperties").asBoolean(true)).as(s.name()).isFalse();
            List<String> keys = new ArrayList<>();
            def.get("properties").fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as("keys of %s", s.name()).isEqualTo(s.keys());
        }
        List<String> shortKeys = new ArrayList<>();
        defs.get("short_config").get("properties").fieldNames().forEachRemaining(shortKeys::add);
        assertThat(shortKeys).containsAll(ShortForm.KEYS);
    }

    @Test
    void everyAllowOnlyInTheBindersTakesASectionsKeys() throws IOException {
        List<String> handWritten = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals("Binder.java") || name.equals("BoundFilterArgs.java")) {
                    continue; // the method itself, and filters' own settings, which are open-ended
                }
                String text = Files.readString(f).replaceAll("\\s+", " ");
                int at = text.indexOf("allowOnly(");
                while (at >= 0) {
                    int end = text.indexOf(");", at);
                    String call = text.substring(at, end + 2);
                    // TOP_KEYS: the union of the keys of the two top-level forms, made from their sections
                    if (!call.endsWith(".keys());") && !call.endsWith("TOP_KEYS);")) {
                        handWritten.add(name + ": " + call);
                    }
                    at = text.indexOf("allowOnly(", end);
                }
            }
        }
        assertThat(handWritten).as("allowOnly calls with a key list of their own").isEmpty();
    }

    @Test
    void offersTheWordsTheBindersCheck() {
        JsonNode strategy = tree.at("/$defs/pool/properties/strategy/anyOf/0/enum");
        List<String> offered = new ArrayList<>();
        strategy.forEach(n -> offered.add(n.asText()));
        assertThat(offered).containsExactlyElementsOf(Strategies.names());
        JsonNode tcp = tree.at("/$defs/tcp_match/properties/protocol/anyOf/0/enum");
        List<String> detected = new ArrayList<>();
        tcp.forEach(n -> detected.add(n.asText()));
        assertThat(detected).containsExactlyElementsOf(L4Binder.protocols(false)).contains("ssh", "tls", "http");
    }

    @Test
    void refusesAKeyDeclaredTwice() {
        Section a = Section.of("twin", "a", Section.key("x", SchemaType.string(), "x"));
        assertThatThrownBy(() -> Section.of("twin", "b", Section.key("x", SchemaType.string(), "x"),
                Section.key("x", SchemaType.bool(), "again"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(a.keys()).containsExactly("x");
    }

    /** The {@link Section} constants of every class of the config package. */
    private static List<Section> declaredSections() throws Exception {
        List<Section> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                for (Field field : Class.forName("io.sluice.config." + name).getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && field.getType() == Section.class) {
                        field.setAccessible(true);
                        out.add((Section) field.get(null));
                    }
                }
            }
        }
        return out;
    }
}
