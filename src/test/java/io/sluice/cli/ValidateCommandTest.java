package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code validate} and {@code --format}, run in-process (no JVM started); CliIT runs the real command. */
class ValidateCommandTest {
    private static final String TOML = """
            listen = "127.0.0.1:8080"
            algorithm = "fastest_guess"

            [[backends]]
            url = "http://127.0.0.1:3001"
            wieght = 3
            """;

    /** Runs {@code sluice args}, returning the exit code and what it printed to stdout and stderr. */
    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code;
        try {
            System.setOut(capture);
            System.setErr(capture);
            CommandLine cl = Main.commandLine();
            cl.setOut(new java.io.PrintWriter(capture, true));
            cl.setErr(new java.io.PrintWriter(capture, true));
            code = cl.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {String.valueOf(code), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void formatTomlReadsAFileWhateverItsName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("lb.conf"), TOML.replace("fastest_guess", "round_robin")
                .replace("wieght", "weight"));

        assertThat(run("validate", "--format", "toml", "-c", file.toString()))
                .containsExactly("0", "OK: 1 listener(s), 1 pool(s)\n");
        assertThat(run("validate", "-c", file.toString())[0]).isEqualTo("2");
    }

    @Test
    void tomlErrorsComeWithTheirLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("lb.toml"), TOML);

        String[] r = run("validate", "-c", file.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains(file + ": 2 error(s)")
                .contains("algorithm (2:13): unknown strategy `fastest_guess`")
                .contains("backends[0].wieght (6:1): unknown key `wieght`");
    }

    @Test
    void formatIsCheckedAndOnlyGoesWithAConfigFile() {
        String[] bad = run("validate", "--format", "json", "-c", "x.yaml");
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[1]).contains("use yaml or toml");

        String[] alone = run("--format", "toml", "--port", "0", "--backends", "127.0.0.1:3001");
        assertThat(alone[0]).isEqualTo("2");
        assertThat(alone[1]).contains("--format says how to read -c FILE");

        CommandLine cl = Main.commandLine();
        cl.parseArgs("run", "--format", "Toml", "-c", "lb.conf");
        RunCommand runCommand = cl.getSubcommands().get("run").getCommand();
        assertThat(runCommand.format).isEqualTo(ConfigFormat.TOML);
        assertThat(run("--help")[1]).contains("--format=FORMAT").contains("yaml or toml");
    }
}
