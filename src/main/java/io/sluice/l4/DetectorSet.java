package io.sluice.l4;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.sluice.l4.detect.Detectors;

/**
 * The detectors a Sluice knows, by protocol name: the built-ins, those found with {@code ServiceLoader}, and
 * those a library user registered on the builder. Immutable; thread-safe.
 */
public final class DetectorSet {
    private final Map<String, Detector> byName;

    private DetectorSet(Map<String, Detector> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** The built-ins and {@code ServiceLoader}'s, plus {@code extra}; a name given twice is an error. */
    public static DetectorSet of(Collection<? extends Detector> extra) {
        Map<String, Detector> m = new LinkedHashMap<>();
        List<Detector> all = new ArrayList<>(Detectors.load(Thread.currentThread().getContextClassLoader()));
        all.addAll(extra);
        for (Detector d : all) {
            Detector before = m.putIfAbsent(d.protocol(), d);
            if (before != null && before != d) {
                throw new IllegalStateException("two detectors for protocol `" + d.protocol() + "`: "
                        + before.getClass().getName() + " and " + d.getClass().getName());
            }
        }
        return new DetectorSet(m);
    }

    /** The built-ins and {@code ServiceLoader}'s. */
    public static DetectorSet standard() {
        return of(List.of());
    }

    /** The detector for this protocol name, or null. */
    public Detector get(String protocol) {
        return byName.get(protocol);
    }

    /** Every detector, by name. */
    public Map<String, Detector> all() {
        return byName;
    }
}
