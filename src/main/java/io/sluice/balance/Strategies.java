package io.sluice.balance;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The registry of strategies by configuration name. Immutable; thread-safe.
 */
public final class Strategies {
    private static final Map<String, Supplier<Strategy>> BY_NAME;

    static {
        Map<String, Supplier<Strategy>> m = new TreeMap<>();
        m.put(RoundRobin.NAME, RoundRobin::new);
        BY_NAME = Map.copyOf(m);
    }

    private Strategies() {
    }

    /** Every known strategy name, sorted. */
    public static Set<String> names() {
        return new java.util.TreeSet<>(BY_NAME.keySet());
    }

    /** True when {@code name} is a known strategy. */
    public static boolean isKnown(String name) {
        return name != null && BY_NAME.containsKey(name);
    }

    /**
     * A new instance of the named strategy.
     *
     * @throws IllegalArgumentException naming the known strategies when the name is unknown
     */
    public static Strategy create(String name) {
        Supplier<Strategy> s = BY_NAME.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown strategy \"" + name + "\"; known: " + String.join(", ", names()));
        }
        return s.get();
    }
}
