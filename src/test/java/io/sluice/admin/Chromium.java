package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs headless Chromium as a plain process (no driver, no npm): loads a page, lets its scripts run for a
 * budget of virtual time, then dumps the DOM or takes a screenshot. Each run gets a fresh profile directory,
 * deleted afterwards. The binary is {@code $CHROMIUM} or {@code /usr/bin/chromium}. Stateless; thread-safe.
 */
final class Chromium {
    private static final long PROCESS_TIMEOUT_SECONDS = 90;

    private Chromium() {
    }

    /** The binary, or null when there is none. */
    static Path binary() {
        String env = System.getenv("CHROMIUM");
        Path p = Path.of(env != null && !env.isBlank() ? env : "/usr/bin/chromium");
        return Files.isExecutable(p) ? p : null;
    }

    /**
     * Skips the calling test when Chromium is missing on a developer machine, but fails it when the
     * environment variable {@code CI} is set, so that CI cannot pass by skipping the browser tests.
     */
    static Path requireBinary() {
        Path p = binary();
        if (p == null) {
            String why = "headless Chromium not found at " + (System.getenv("CHROMIUM") != null ? "$CHROMIUM" : "/usr/bin/chromium")
                    + "; install it with: apt-get install -y chromium";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank()) {
                fail(why + " (CI is set, so this test must not be skipped)");
            }
            assumeTrue(false, why);
        }
        return p;
    }

    /** The DOM after the page's scripts have had {@code budgetMillis} of virtual time. */
    static String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sluice-dom", ".html");
        try {
            run(List.of("--virtual-time-budget=" + budgetMillis, "--dump-dom", url), out);
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A PNG of the viewport ({@code width x height}) after {@code budgetMillis} of virtual time. */
    static void screenshot(String url, Path png, int width, int height, int budgetMillis)
            throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(List.of("--virtual-time-budget=" + budgetMillis, "--window-size=" + width + "," + height,
                "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(), url), null);
        if (!Files.isRegularFile(png)) {
            throw new IOException("Chromium wrote no screenshot to " + png);
        }
    }

    private static void run(List<String> args, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("sluice-chromium");
        Path log = profile.resolve("chromium.log");
        try {
            List<String> cmd = new ArrayList<>(List.of(requireBinary().toString(),
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--force-device-scale-factor=1", "--user-data-dir=" + profile));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
            pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
            Process p = pb.start();
            if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException("Chromium did not finish within " + PROCESS_TIMEOUT_SECONDS + " s: " + tail(log));
            }
            if (p.exitValue() != 0) {
                throw new IOException("Chromium exited with " + p.exitValue() + ": " + tail(log));
            }
        } finally {
            deleteTree(profile);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    // ---- reading the dumped DOM: attribute values of the start tags that carry a given attribute ----

    /** The value of {@code attr} on every start tag that has it, in document order. */
    static List<String> values(String dom, String attr) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\s" + Pattern.quote(attr) + "=\"([^\"]*)\"").matcher(dom);
        while (m.find()) {
            out.add(unescape(m.group(1)));
        }
        return out;
    }

    /** The start tag that has {@code attr="value"}, or null. */
    static String tag(String dom, String attr, String value) {
        Matcher m = Pattern.compile("<[a-zA-Z][^>]*\\s" + Pattern.quote(attr) + "=\"" + Pattern.quote(value) + "\"[^>]*>")
                .matcher(dom);
        return m.find() ? m.group() : null;
    }

    /** The value of {@code attr} in one start tag, or null. */
    static String attr(String tag, String attr) {
        if (tag == null) {
            return null;
        }
        Matcher m = Pattern.compile("\\s" + Pattern.quote(attr) + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? unescape(m.group(1)) : null;
    }

    /** The markup from the start tag with {@code attr="value"} up to the next start tag of the same name. */
    static String element(String dom, String attr, String value) {
        String start = tag(dom, attr, value);
        if (start == null) {
            return null;
        }
        int at = dom.indexOf(start);
        String name = start.substring(1).split("[\\s>]", 2)[0];
        int end = dom.indexOf("</" + name + ">", at);
        return end < 0 ? dom.substring(at) : dom.substring(at, end);
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
