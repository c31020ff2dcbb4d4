package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.JsonSchemaWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice schema} prints the configuration's JSON Schema, and {@code sluice --help} lists it. */
class SchemaCommandTest {

    private static String run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void printsTheSchema() throws Exception {
        String printed = run("schema");
        JsonNode schema = new ObjectMapper().readTree(printed);
        assertThat(schema.get("$schema").asText()).isEqualTo(JsonSchemaWriter.DIALECT);
        assertThat(schema.at("/$defs/config/properties/listeners").isMissingNode()).isFalse();
        assertThat(schema.at("/$defs/short_config/properties/listen").isMissingNode()).isFalse();
        assertThat(printed).endsWith("}\n");
    }

    @Test
    void helpListsIt() {
        assertThat(run("--help")).contains("schema").contains("JSON Schema");
        assertThat(run("schema", "--help")).contains("yaml-language-server");
    }
}
