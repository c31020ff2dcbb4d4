package io.sluice.cli;

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
 * {@code sluice reload}: asks a running proxy's admin listener to read its configuration file again
 * ({@code POST /api/reload}) and prints the answer: what changed, or every error of a refused file. Exits 0
 * when the reload was applied or changed nothing, 2 when the file was refused, 1 when the admin listener cannot
 * be reached or refuses the call.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Reload the config file of a running Sluice through its admin listener and print what changed"
                + " (exit 0), or every error of a refused file (exit 2; the running config stays).")
final class ReloadCommand implements Callable<Integer> {
    @Option(names = "--admin", defaultValue = "127.0.0.1:9901", description = "Admin address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:SLUICE_ADMIN_TOKEN}",
            description = "The admin token, when admin.token is set (default: $SLUICE_ADMIN_TOKEN).")
    String token;

    @Override
    public Integer call() throws Exception {
        String base = admin.startsWith("http://") ? admin.replaceAll("/+$", "") : "http://" + admin;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/api/reload"))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null && !token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> res;
        try {
            res = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("error: cannot reach a Sluice admin listener at " + admin + " (" + e.getMessage()
                    + "); is Sluice running, and is --admin its admin.bind?");
            return 1;
        }
        if (res.statusCode() == 200) {
            System.out.print(res.body().endsWith("\n") ? res.body() : res.body() + "\n");
            return 0;
        }
        System.err.print(res.body().endsWith("\n") ? res.body() : res.body() + "\n");
        return res.statusCode() == 422 ? 2 : 1;
    }
}
