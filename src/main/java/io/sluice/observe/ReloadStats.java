package io.sluice.observe;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What configuration reloads did: how many succeeded, failed or changed nothing, when the last good and the
 * last failed one happened, the errors of the last failure, and the running configuration's text and hash.
 * Exported as {@code sluice_config_reloads_total{result}} and {@code sluice_config_last_reload_*_timestamp_seconds},
 * and shown by the admin API and the dashboard. Thread-safe.
 */
public final class ReloadStats {
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private volatile long lastGoodMillis;
    private volatile long lastFailedMillis;
    private volatile List<String> lastErrors = List.of();
    private volatile List<String> lastChanges = List.of();
    private volatile String text = "";
    private volatile String hash = "";

    /** The configuration the proxy started with (its text as read, or a description when built in code). */
    public void started(String configText) {
        text = configText;
        hash = sha256(configText);
        lastGoodMillis = System.currentTimeMillis();
    }

    /** A reload applied a new configuration. */
    public void succeeded(String configText, List<String> changes) {
        text = configText;
        hash = sha256(configText);
        lastChanges = List.copyOf(changes);
        lastGoodMillis = System.currentTimeMillis();
        ok.incrementAndGet();
    }

    /** A reload found nothing to change. */
    public void unchanged(String configText) {
        text = configText;
        hash = sha256(configText);
        lastGoodMillis = System.currentTimeMillis();
        unchanged.incrementAndGet();
    }

    /** A reload was refused; the running configuration stays. */
    public void failed(List<String> errors) {
        lastErrors = List.copyOf(errors);
        lastFailedMillis = System.currentTimeMillis();
        failed.incrementAndGet();
    }

    /** The running configuration's text (as read: {@code ${VARS}} unresolved). */
    public String text() {
        return text;
    }

    /** SHA-256 of {@link #text()}, hex. */
    public String hash() {
        return hash;
    }

    public long succeededCount() {
        return ok.get();
    }

    public long failedCount() {
        return failed.get();
    }

    /** The reload summary for JSON: counts, times (epoch ms, 0 for never), last errors and changes. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hash", hash);
        m.put("ok", ok.get());
        m.put("unchanged", unchanged.get());
        m.put("error", failed.get());
        m.put("last_good_ms", lastGoodMillis);
        m.put("last_failed_ms", lastFailedMillis);
        m.put("last_errors", lastErrors);
        m.put("last_changes", lastChanges);
        return m;
    }

    /** The Prometheus view of these counts. */
    public MultiCollector collector() {
        return () -> MetricSnapshots.builder()
                .metricSnapshot(CounterSnapshot.builder().name("sluice_config_reloads")
                        .help("Configuration reloads by result: ok (applied), unchanged, error (refused)")
                        .dataPoint(point("ok", ok.get())).dataPoint(point("unchanged", unchanged.get()))
                        .dataPoint(point("error", failed.get())).build())
                .metricSnapshot(GaugeSnapshot.builder().name("sluice_config_last_reload_success_timestamp_seconds")
                        .help("When the running configuration was last loaded or reloaded successfully")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(lastGoodMillis / 1000.0).build()).build())
                .metricSnapshot(GaugeSnapshot.builder().name("sluice_config_last_reload_failure_timestamp_seconds")
                        .help("When a reload last failed (0: never)")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(lastFailedMillis / 1000.0).build()).build())
                .build();
    }

    private static CounterDataPointSnapshot point(String result, long value) {
        return CounterDataPointSnapshot.builder().labels(Labels.of("result", result)).value(value).build();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
