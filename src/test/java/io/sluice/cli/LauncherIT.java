package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./sluice} launcher's JVM defaults and class-data archive, read back from the JVM's own
 * {@code -XX:+PrintCommandLineFlags}: the defaults are there, {@code SLUICE_JAVA_OPTS} replaces them, and the archive
 * is made once and then used.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path LAUNCHER = ROOT.resolve("sluice");

    @BeforeAll
    static void theJarIsCurrent() throws IOException {
        Path jar = SluiceProcess.jar().toAbsolutePath();
        Assumptions.assumeTrue(jar.equals(ROOT.resolve("target/sluice.jar")), "the launcher runs target/sluice.jar");
        long built = Files.getLastModifiedTime(jar).toMillis();
        // The launcher builds first when a source is newer than the jar; a test must not start a build.
        try (Stream<Path> sources = Files.walk(ROOT.resolve("src/main"))) {
            Assumptions.assumeTrue(sources.filter(Files::isRegularFile).allMatch(p -> p.toFile().lastModified() <= built),
                    "sources newer than target/sluice.jar");
        }
    }

    @Test
    void proxyDefaultsComeFirstAndTheUsersOptionsReplaceThem() throws Exception {
        String flags = run(Map.of("SLUICE_CDS", "0", "SLUICE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(flags).contains(cores <= 2 ? "-XX:+UseSerialGC" : "-XX:+UseParallelGC")
                .contains("-XX:MaxHeapSize=536870912").contains("-XX:InitialHeapSize=67108864")
                .contains("-XX:+ExitOnOutOfMemoryError");

        String mine = run(Map.of("SLUICE_CDS", "0", "SLUICE_JAVA_OPTS", "-XX:+UseG1GC -Xmx300m -XX:+PrintCommandLineFlags"));
        assertThat(mine).contains("-XX:+UseG1GC").contains("-XX:MaxHeapSize=314572800")
                .doesNotContain("UseSerialGC").doesNotContain("UseParallelGC").doesNotContain("InitialHeapSize=67108864");
    }

    @Test
    void theClassDataArchiveIsMadeOnceAndThenUsed() throws Exception {
        try (Stream<Path> old = Files.list(ROOT.resolve("target"))) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("sluice-.*\\.jsa.*")).toList()) {
                Files.delete(p);
            }
        }
        String first = run(Map.of("SLUICE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertThat(first).contains("making a class-data archive");
        List<Path> archives;
        try (Stream<Path> files = Files.list(ROOT.resolve("target"))) {
            archives = files.filter(p -> p.getFileName().toString().matches("sluice-.*\\.jsa")).toList();
        }
        assertThat(archives).as("one archive next to the jar").hasSize(1);
        String second = run(Map.of("SLUICE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertThat(second).doesNotContain("making a class-data archive")
                .contains("-XX:SharedArchiveFile=" + archives.get(0));
        String off = run(Map.of("SLUICE_CDS", "0", "SLUICE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertThat(off).doesNotContain("SharedArchiveFile");
    }

    /** Runs {@code ./sluice --version} with these variables; its whole output. */
    private static String run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "--version").redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
