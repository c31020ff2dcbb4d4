package io.sluice.filter;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The filters configurations can name: the built-ins, those found by {@link ServiceLoader}, and those
 * registered in code. A name, once taken, keeps its factory (a built-in cannot be replaced). Thread-safe.
 */
public final class Filters {
    private static final Map<String, FilterFactory> FACTORIES = new ConcurrentHashMap<>();

    static {
        for (FilterFactory f : BuiltInFilters.all()) {
            FACTORIES.put(f.name(), f);
        }
        try {
            for (FilterFactory f : ServiceLoader.load(FilterFactory.class)) {
                FACTORIES.putIfAbsent(f.name(), f);
            }
        } catch (java.util.ServiceConfigurationError e) {
            throw new IllegalStateException("a filter listed in META-INF/services cannot be loaded: " + e.getMessage(), e);
        }
    }

    private Filters() {
    }

    /**
     * Makes {@code factory} available under its name. Registering the same factory object again is allowed;
     * another factory under a name already taken is refused.
     *
     * @throws IllegalArgumentException when the name is taken by another factory or is not {@code snake_case}
     */
    public static void register(FilterFactory factory) {
        String name = factory.name();
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("a filter name is snake_case, got " + name);
        }
        FilterFactory had = FACTORIES.putIfAbsent(name, factory);
        if (had != null && had != factory && had.getClass() != factory.getClass()) {
            throw new IllegalArgumentException("a filter named " + name + " exists already");
        }
    }

    /** The factory of this name, or null. */
    public static FilterFactory get(String name) {
        return FACTORIES.get(name);
    }

    /** Every name, sorted. */
    public static List<String> names() {
        return List.copyOf(new TreeSet<>(FACTORIES.keySet()));
    }
}
