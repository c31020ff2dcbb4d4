package io.sluice.testing;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of an admin listener's {@code /metrics}, read as the Prometheus text format's sample lines
 * ({@code name{label="value",...} number}). A small reader for tests that need a few counters and cannot count
 * on {@link PrometheusText}'s Python parser being installed; it does not check the format (that is
 * PrometheusText's job). Immutable; thread-safe.
 */
public final class MetricsScrape {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    private MetricsScrape(String text) {
        this.text = text;
    }

    /** GETs {@code /metrics} from the admin listener at {@code admin}. */
    public static MetricsScrape of(InetSocketAddress admin) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + admin.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode());
        }
        return new MetricsScrape(r.body());
    }

    /**
     * The sum of the samples named {@code sample} whose labels include all of {@code labels}.
     *
     * @throws AssertionError when there is no such sample
     */
    public double sum(String sample, Map<String, String> labels) {
        double total = 0;
        boolean any = false;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(sample)) {
                continue;
            }
            Map<String, String> have = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    have.put(l.group(1), l.group(2));
                }
            }
            if (have.entrySet().containsAll(labels.entrySet())) {
                total += Double.parseDouble(m.group(3));
                any = true;
            }
        }
        if (!any) {
            throw new AssertionError("no sample " + sample + labels + " in:\n" + text);
        }
        return total;
    }

    @Override
    public String toString() {
        return text;
    }
}
