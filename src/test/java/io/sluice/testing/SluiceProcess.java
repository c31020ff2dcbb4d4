package io.sluice.testing;

import static org.awaitility.Awaitility.await;

import io.sluice.runtime.LeakDetection;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar run as a separate process, as a user runs it: for tests of memory bounds, signals and
 * exit codes. Output goes to a file the test can read. Not thread-safe.
 */
public final class SluiceProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private SluiceProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * A prefix that gives the process the default action for SIGHUP, whatever this JVM inherited: under
     * {@code nohup} SIGHUP is ignored, children inherit that, and a JVM started so cannot handle it. Empty where
     * {@code env --default-signal} (coreutils 8.31+) is missing.
     */
    private static final List<String> DEFAULT_SIGNALS = defaultSignals();

    private static List<String> defaultSignals() {
        try {
            Process p = new ProcessBuilder("/usr/bin/env", "--default-signal=HUP", "true").start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return List.of("/usr/bin/env", "--default-signal=HUP");
            }
        } catch (IOException e) {
            // no env here: start java directly
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    /** The jar the build produced (the failsafe plugin passes its path). */
    public static Path jar() {
        String p = System.getProperty("sluice.jar", "target/sluice.jar");
        Path jar = Path.of(p);
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar + "; run 'mvn package' first");
        }
        return jar;
    }

    /** Starts {@code java [jvmArgs] -jar sluice.jar [args]}. */
    public static SluiceProcess start(List<String> jvmArgs, String... args) throws IOException {
        return start(Map.of(), jvmArgs, args);
    }

    /**
     * As {@link #start(List, String...)}, with environment variables set ({@code env}) or removed (an empty value)
     * before the defaults below are filled in.
     */
    public static SluiceProcess start(Map<String, String> env, List<String> jvmArgs, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(DEFAULT_SIGNALS);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("sluice-proc", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        // The command runs without Netty's leak detector unless asked. A child of the tests asks for Netty's
        // sampling level (one buffer in 128, what these processes ran with before the detector was turned off),
        // so that a leak shows as a LEAK line the tests look for, while the load and fault tests keep their timing
        // (PARANOID, as in the tests' own JVM, tracks every buffer and slowed the backends they kill and freeze).
        if (!env.containsKey(LeakDetection.ENV)) {
            pb.environment().putIfAbsent(LeakDetection.ENV, System.getProperty("sluice.child.leak.level", "simple"));
        }
        // The transport this JVM's tests run on (-Dsluice.transport), for the child too.
        String transport = System.getProperty("sluice.transport");
        if (transport != null && !env.containsKey("SLUICE_TRANSPORT")) {
            pb.environment().putIfAbsent("SLUICE_TRANSPORT", transport);
        }
        Process p = pb.start();
        return new SluiceProcess(p, out);
    }

    /** Runs to completion and returns the exit code; output via {@link #output()}. */
    public static SluiceProcess runToEnd(String... args) throws Exception {
        SluiceProcess p = start(List.of(), args);
        if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new AssertionError("sluice did not exit: " + p.output());
        }
        return p;
    }

    /** Waits until something accepts connections on this port. */
    public SluiceProcess awaitListening(int port) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("sluice exited early with " + process.exitValue() + ":\n" + output());
            }
            return accepts(port);
        });
        return this;
    }

    /** True when a TCP connection to 127.0.0.1:port succeeds. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Sends a signal by name ({@code HUP}, {@code KILL}, {@code STOP}, {@code CONT}, ...) with {@code /bin/kill},
     * since Java can send only TERM and KILL itself; waits for kill to return.
     */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("/bin/kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Resident memory in KiB (VmRSS of /proc/PID/status), or -1 where there is no such file. */
    public long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return -1;
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the exit code. */
    public int waitForExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sluice did not exit within " + limit + ":\n" + output());
        }
        return process.exitValue();
    }

    public int exitCode() {
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Writes a config file into a temp directory. */
    public static Path writeConfig(String yaml) throws IOException {
        File f = File.createTempFile("sluice", ".yaml");
        f.deleteOnExit();
        Files.writeString(f.toPath(), yaml);
        return f.toPath();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            // temp file; nothing to do
        }
    }
}
