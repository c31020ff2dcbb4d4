package io.sluice.cli;

import io.sluice.config.JsonSchemaWriter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice schema}: prints the JSON Schema of the configuration file, for editors that complete and check
 * YAML against one. Not thread-safe; used once per process.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = {"Print the JSON Schema (draft 2020-12) of the config file, for editor completion:",
            "  sluice schema > sluice.schema.json",
            "then start the config with: # yaml-language-server: $schema=./sluice.schema.json"})
final class SchemaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(JsonSchemaWriter.json());
        out.flush();
        return 0;
    }
}
