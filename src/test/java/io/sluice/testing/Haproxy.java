package io.sluice.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy (the Debian package) run as a child process in the foreground with a configuration the test
 * writes, for checking Sluice's PROXY protocol against the protocol's own reference implementation. The
 * configuration gets a {@code global} and {@code defaults} section; the test gives the frontends and
 * backends, bound to loopback ports it chose. Output goes to a file shown when it fails. Not thread-safe.
 */
public final class Haproxy implements AutoCloseable {
    private static final String PREAMBLE = """
            global
                maxconn 256
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;

    private final Process process;
    private final Path log;

    private Haproxy(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The haproxy binary on the PATH (or in /usr/sbin, which a non-root PATH may lack), or null. */
    public static Path binary() {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        for (String dir : (path + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "haproxy"))) {
                return Path.of(dir, "haproxy");
            }
        }
        return null;
    }

    /**
     * Skips the calling test when haproxy is missing on a developer machine, but fails it when the environment
     * variable {@code CI} is set (.ci/run installs it), so CI cannot pass by skipping.
     */
    public static Path requireBinary() {
        Path p = binary();
        if (p == null) {
            String why = "haproxy not found on the PATH; install it with: apt-get install -y haproxy";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                fail(why + " (CI is set, so this test must not be skipped)");
            }
            assumeTrue(false, why);
        }
        return p;
    }

    /**
     * Starts haproxy with this configuration (after the preamble) and waits until every port in
     * {@code listening} accepts connections.
     */
    public static Haproxy start(Path dir, String config, int... listening) throws IOException {
        Path binary = requireBinary();
        Path cfg = Files.createTempFile(dir, "haproxy", ".cfg");
        Files.writeString(cfg, PREAMBLE + config, StandardCharsets.UTF_8);
        Path log = Files.createTempFile(dir, "haproxy", ".log");
        Process p = new ProcessBuilder(List.of(binary.toString(), "-f", cfg.toString(), "-db"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy h = new Haproxy(p, log);
        try {
            for (int port : listening) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            if (!p.isAlive()) {
                                throw new AssertionError("haproxy exited " + p.exitValue() + ":\n" + h.output());
                            }
                            return accepts(port);
                        });
            }
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
        return h;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What haproxy printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Stops haproxy and waits for it to exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
