package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example configuration — the README's and the files in {@code examples/} — must both match the JSON Schema
 * {@code sluice schema} prints and load through {@link ConfigLoader#parse}, so the documentation, the schema and
 * the binder cannot drift apart.
 *
 * <p>Which README blocks are whole files: a {@code ```yaml} block is a whole configuration when one of its lines
 * starts, at column 0, with {@code listeners:} or {@code listen:} (the keys the full and the short form cannot do
 * without). Other blocks ({@code pools:} alone, the observability sections) are fragments of a file and are left
 * out; {@link #readmeHasWholeFiles()} makes sure the rule still finds the README's examples.
 *
 * <p>Files the examples name (certificates, GeoIP databases) do not exist here: the binder's "no such file" errors
 * are accepted, every other error fails. {@code ${NAME}} references get a fixed value.
 */
class ExampleConfigsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```(yaml|toml)\\n(.*?)^```");
    private static final Pattern WHOLE_FILE = Pattern.compile("(?m)^(listeners:|listen:|\\[\\[listeners]]|listen\\s*=)");
    private static final Function<String, String> ENV = name -> "env-value-" + name + "-0123456789abcdef0123456789";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper TOML = new com.fasterxml.jackson.dataformat.toml.TomlMapper();

    private static JsonSchema schema;

    @TempDir
    Path emptyDir;

    /** An example: where it comes from, its text (YAML, or TOML when {@code format} says so). */
    record Example(String source, String yaml, ConfigFormat format) {
        Example(String source, String yaml) {
            this(source, yaml, ConfigFormat.YAML);
        }

        @Override
        public String toString() {
            return source;
        }
    }

    @BeforeAll
    static void schema() {
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JsonSchemaWriter.schema());
    }

    static List<Example> readmeExamples() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<Example> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(readme);
        while (m.find()) {
            if (WHOLE_FILE.matcher(m.group(2)).find()) {
                int line = (int) readme.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                out.add(new Example("README.md:" + line, m.group(2),
                        m.group(1).equals("toml") ? ConfigFormat.TOML : ConfigFormat.YAML));
            }
        }
        return out;
    }

    /** The YAML and TOML files of {@code examples/}. */
    static List<Example> fileExamples() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("examples"))) {
            List<Example> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".toml")) {
                    out.add(new Example("examples/" + name, Files.readString(f), ConfigFormat.of(f)));
                }
            }
            return out;
        }
    }

    static Stream<Example> examples() throws IOException {
        return Stream.concat(readmeExamples().stream(), fileExamples().stream());
    }

    @Test
    void readmeHasWholeFiles() throws IOException {
        List<Example> readme = readmeExamples();
        assertThat(readme).hasSizeGreaterThanOrEqualTo(5);
        assertThat(readme).anyMatch(e -> e.yaml().contains("\nlisten:") || e.yaml().startsWith("listen:"));
        assertThat(readme).anyMatch(e -> e.yaml().contains("protocol: tcp"));
        assertThat(fileExamples()).hasSizeGreaterThanOrEqualTo(3)
                .anyMatch(e -> e.format() == ConfigFormat.TOML);
        assertThat(readme).anyMatch(e -> e.format() == ConfigFormat.TOML);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void matchesTheSchema(Example example) throws IOException {
        JsonNode doc = (example.format() == ConfigFormat.TOML ? TOML : YAML).readTree(example.yaml());
        Set<ValidationMessage> errors = schema.validate(doc);
        assertThat(errors).as("%s against the schema", example.source()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void loadsThroughTheBinder(Example example) {
        try {
            Config c = ConfigLoader.parse(example.yaml(), example.source(), ENV, emptyDir, example.format());
            assertThat(c.listeners()).isNotEmpty();
        } catch (ConfigException e) {
            List<ConfigError> real = e.errors().stream().filter(err -> !missingFile(err)).toList();
            assertThat(real).as("%s through the binder", example.source()).isEmpty();
        }
    }

    /** An error that only says a file the example names is not there. */
    private static boolean missingFile(ConfigError e) {
        return e.message().startsWith("no such file: ") || e.message().startsWith("no readable file at ");
    }
}
