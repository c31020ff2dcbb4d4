package io.sluice;

import io.sluice.admin.ReloadControl;
import io.sluice.config.ConfigDocument;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin API's view of a proxy's reloads: {@code POST /api/reload} runs {@link Sluice#reload()} on a thread of
 * its own (reloads block on file I/O and binding, never on an event loop), {@code GET /api/config} shows the
 * running text masked. Thread-safe.
 */
final class AdminReloads implements ReloadControl {
    /** One daemon thread for admin-started reloads; {@link Sluice#reload()} serialises them with the others. */
    private static final ExecutorService RELOADS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-admin-reload");
        t.setDaemon(true);
        return t;
    });

    private final Sluice sluice;

    AdminReloads(Sluice sluice) {
        this.sluice = sluice;
    }

    @Override
    public CompletableFuture<Map<String, Object>> reload() {
        if (sluice.configFile() == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "this proxy was started without a configuration file (quick mode or a library Config):"
                            + " there is nothing to reload"));
        }
        return CompletableFuture.supplyAsync(() -> sluice.reload().toMap(), RELOADS);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", sluice.configFile() == null ? null : sluice.configFile().path().toString());
        m.put("format", sluice.configFile() == null ? null : sluice.configFile().format().name().toLowerCase(
                java.util.Locale.ROOT));
        m.put("hash", sluice.reloads().hash());
        m.put("config", sluice.configFile() == null ? null : ConfigDocument.masked(sluice.reloads().text(),
                sluice.configFile().format()));
        m.put("reloads", sluice.reloads().toMap());
        return m;
    }

    @Override
    public Map<String, Object> status() {
        return sluice.reloads().toMap();
    }
}
