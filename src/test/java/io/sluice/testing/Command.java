package io.sluice.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An outside command a test runs as a real client (curl, openssl, ssh): found on the PATH, run with a time
 * limit, its output and exit status kept. A missing command skips the test on a developer machine and fails
 * it when the environment variable {@code CI} is set (.ci/run installs the packages), so CI cannot pass by
 * skipping. Not thread-safe per instance.
 */
public final class Command {
    /**
     * What a run gave.
     *
     * @param exit   the exit status
     * @param output standard output and standard error, interleaved, as UTF-8
     */
    public record Result(int exit, String output) {
    }

    private Command() {
    }

    /** The path of {@code name} on the PATH; skips or (under CI) fails the test when missing. */
    public static Path require(String name, String debianPackage) {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        for (String dir : (path + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        String why = name + " not found on the PATH; install it with: apt-get install -y " + debianPackage;
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank()) {
            fail(why + " (CI is set, so this test must not be skipped)");
        }
        assumeTrue(false, why);
        return null;
    }

    /** Runs {@code command} with nothing on its standard input; kills it after {@code limit}. */
    public static Result run(Duration limit, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try (InputStream in = p.getInputStream()) {
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = in.readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            }, "command-output");
            reader.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                reader.join(5_000);
                throw new AssertionError(command + " did not finish within " + limit + "; output:\n"
                        + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join(5_000);
            return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        }
    }
}
