package io.sluice.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API may ask of the proxy's configuration: reload it, and show the running one. Implementations
 * are thread-safe; {@link #reload()} must not block its caller (the admin listener's event loop).
 */
public interface ReloadControl {
    /**
     * Starts a reload from the configuration file; completes with the answer (see
     * {@link io.sluice.ReloadResult#toMap()}), or with an IllegalStateException when there is no file to reload.
     */
    CompletableFuture<Map<String, Object>> reload();

    /** The running configuration: {@code config} (secrets masked), {@code hash}, {@code file}, {@code reloads}. */
    Map<String, Object> config();

    /** The reload counts and times, for {@code /_health} and the dashboard. */
    Map<String, Object> status();
}
