package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice status}: asks a running proxy's admin listener for backend health and prints it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the backends of a running Sluice and their health (exit 1 if none is healthy).")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--admin", defaultValue = "127.0.0.1:9901", description = "Admin address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Override
    public Integer call() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpResponse<String> res;
        try {
            res = client.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/_health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.err.println("error: no Sluice admin listener at " + admin + " (" + e + ")");
            return 1;
        }
        JsonNode health = new ObjectMapper().readTree(res.body());
        System.out.printf("%-12s %-24s %-8s %6s %6s%n", "POOL", "BACKEND", "HEALTHY", "WEIGHT", "ACTIVE");
        for (JsonNode b : health.path("backends")) {
            System.out.printf("%-12s %-24s %-8s %6d %6d%n", b.path("pool").asText(), b.path("address").asText(),
                    b.path("healthy").asBoolean() ? "yes" : "NO", b.path("weight").asInt(),
                    b.path("active_connections").asInt());
        }
        System.out.printf("%d of %d backends healthy%n", health.path("healthy_count").asInt(),
                health.path("total_count").asInt());
        return health.path("healthy").asBoolean() ? 0 : 1;
    }
}
