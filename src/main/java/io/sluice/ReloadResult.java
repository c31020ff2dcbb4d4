package io.sluice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one reload did. Immutable; thread-safe.
 *
 * @param outcome       applied, unchanged, or failed (nothing changed)
 * @param changes       what changed, in words ("pool api: backend 10.0.0.7:80 added", ...)
 * @param restartNeeded settings that changed but only take effect after a restart (workers, admin)
 * @param errors        for a failed reload, every error (a config error names its line:column); for an
 *                      applied one, problems met while applying (a new listener that could not bind)
 * @param hash          SHA-256 of the configuration text in force after the reload
 */
public record ReloadResult(Outcome outcome, List<String> changes, List<String> restartNeeded, List<String> errors,
                           String hash) {
    /** How a reload ended. */
    public enum Outcome { APPLIED, UNCHANGED, FAILED }

    public ReloadResult {
        Objects.requireNonNull(outcome, "outcome");
        changes = List.copyOf(changes);
        restartNeeded = List.copyOf(restartNeeded);
        errors = List.copyOf(errors);
        Objects.requireNonNull(hash, "hash");
    }

    /** The result as the admin API answers it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", switch (outcome) {
            case APPLIED -> "ok";
            case UNCHANGED -> "unchanged";
            case FAILED -> "error";
        });
        m.put("changes", changes);
        m.put("restart_needed", restartNeeded);
        m.put(outcome == Outcome.FAILED ? "errors" : "problems", errors);
        m.put("hash", hash);
        return m;
    }
}
