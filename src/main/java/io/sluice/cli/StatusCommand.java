package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.StatusTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice status}: asks a running proxy's admin listener for its pools, tcp and udp listeners with their
 * routes, stun and turn listeners with their counters, and backends (health, breaker, in flight, req/s, errors,
 * p99) and prints them as tables (see {@link StatusTable}). Exits 0 when it could read the health document, 1 when
 * the admin listener cannot be reached or answers with an error.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the pools and backends of a running Sluice: health, breaker, in-flight, req/s and p99"
                + " (exit 1 if its admin listener cannot be reached).")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--admin", defaultValue = "127.0.0.1:9901", description = "Admin address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Override
    public Integer call() throws Exception {
        String base = admin.startsWith("http://") ? admin.replaceAll("/+$", "") : "http://" + admin;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        JsonNode health;
        try {
            HttpResponse<String> res = get(client, base + "/_health");
            if (res.statusCode() != 200) {
                System.err.println("error: the admin listener at " + admin + " answered /_health with HTTP "
                        + res.statusCode());
                return 1;
            }
            health = JSON.readTree(res.body());
        } catch (JsonProcessingException e) {
            System.err.println("error: " + admin + " answered /_health with something that is not JSON;"
                    + " is it a Sluice admin listener?");
            return 1;
        } catch (IOException e) {
            System.err.println("error: cannot reach a Sluice admin listener at " + admin + " (" + describe(e)
                    + "); is Sluice running, and is --admin its admin.bind?");
            return 1;
        }
        JsonNode metrics = optional(client, base + "/_metrics");
        JsonNode history = optional(client, base + "/_metrics/history?window=1m");
        System.out.print(StatusTable.render(health, metrics, history));
        return 0;
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A document the server may not have (older servers): null when it is missing or unreadable. */
    private static JsonNode optional(HttpClient client, String url) throws InterruptedException {
        try {
            HttpResponse<String> res = get(client, url);
            return res.statusCode() == 200 ? JSON.readTree(res.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
