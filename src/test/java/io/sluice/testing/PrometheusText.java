package io.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parses a Prometheus text exposition with the Prometheus project's own parser (the Python client's, from
 * Debian's python3-prometheus-client, which .ci/run installs) and answers questions about the samples.
 * Not thread-safe.
 */
public final class PrometheusText {
    /** The interpreter that has the parser: Debian's, not a pyenv one on PATH. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private final JsonNode families;

    private PrometheusText(JsonNode families) {
        this.families = families;
    }

    /** True when the parser can run here. */
    public static boolean available() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client.parser")
                    .redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    public static PrometheusText parse(String text) throws Exception {
        Path script = Path.of("src/test/resources/prometheus_to_json.py").toAbsolutePath();
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("the Prometheus parser rejected the exposition (exit " + p.exitValue() + ")");
        }
        return new PrometheusText(new ObjectMapper().readTree(out));
    }

    /** The family's type ("counter", "histogram", ...), or null when absent. */
    public String type(String family) {
        JsonNode f = family(family);
        return f == null ? null : f.get("type").asText();
    }

    /** The sum of the values of samples named {@code sample} whose labels include all of {@code labels}. */
    public double sum(String sample, Map<String, String> labels) {
        double total = 0;
        boolean any = false;
        for (JsonNode f : families) {
            for (JsonNode s : f.get("samples")) {
                if (s.get("name").asText().equals(sample) && matches(s.get("labels"), labels)) {
                    total += s.get("value").asDouble();
                    any = true;
                }
            }
        }
        if (!any) {
            throw new AssertionError("no sample " + sample + labels);
        }
        return total;
    }

    /** The {@code le} buckets of one histogram series, cumulative counts in bound order. */
    public double[] buckets(String histogram, Map<String, String> labels) {
        JsonNode f = family(histogram);
        if (f == null) {
            throw new AssertionError("no histogram " + histogram);
        }
        List<Double> counts = new ArrayList<>();
        for (JsonNode s : f.get("samples")) {
            if (s.get("name").asText().equals(histogram + "_bucket") && matches(s.get("labels"), labels)) {
                counts.add(s.get("value").asDouble());
            }
        }
        return counts.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private JsonNode family(String name) {
        for (JsonNode f : families) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static boolean matches(JsonNode have, Map<String, String> want) {
        for (Map.Entry<String, String> e : want.entrySet()) {
            JsonNode v = have.get(e.getKey());
            if (v == null || !v.asText().equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }
}
