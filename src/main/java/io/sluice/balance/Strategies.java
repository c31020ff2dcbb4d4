package io.sluice.balance;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The registry of strategies by configuration name: the built-ins, plus those a library user adds with
 * {@link #register} (or {@code Sluice.builder().strategy(...)}) before loading a configuration that names them.
 * Thread-safe; built-ins cannot be replaced.
 */
public final class Strategies {
    private static final Map<String, Function<BalanceOptions, Strategy>> BY_NAME;

    static {
        Map<String, Function<BalanceOptions, Strategy>> m = new java.util.concurrent.ConcurrentSkipListMap<>();
        m.put(RoundRobin.NAME, o -> new RoundRobin());
        m.put(WeightedRoundRobin.NAME, o -> new WeightedRoundRobin());
        m.put(LeastConnections.NAME, o -> new LeastConnections());
        m.put(RandomStrategy.NAME, o -> new RandomStrategy());
        m.put(PowerOfTwo.NAME, o -> new PowerOfTwo());
        m.put(IpHash.NAME, o -> new IpHash());
        m.put(ConsistentHash.NAME, ConsistentHash::new);
        m.put(LeastEwma.NAME, LeastEwma::new);
        m.put(DynamicScore.NAME, DynamicScore::new);
        m.put(FastestResponse.NAME, FastestResponse::new);
        m.put(Adaptive.NAME, Adaptive::new);
        BUILT_IN = Set.copyOf(m.keySet());
        BY_NAME = m;
    }

    private static final Set<String> BUILT_IN;

    /**
     * Adds a strategy under a name that configurations (and the admin API's strategy swap) may then use. The
     * factory is called once per pool build with the pool's balancing options. Registering the same name again
     * replaces the earlier factory; a built-in name is refused.
     *
     * @throws IllegalArgumentException for a built-in name or a name that is not lower-case letters, digits, _ or -
     */
    public static void register(String name, Function<BalanceOptions, Strategy> factory) {
        java.util.Objects.requireNonNull(factory, "factory");
        if (name == null || !name.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("a strategy name is lower-case letters, digits, _ or -: " + name);
        }
        if (BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is a built-in strategy");
        }
        BY_NAME.put(name, factory);
    }

    private Strategies() {
    }

    /** Every known strategy name, sorted. */
    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /** True when {@code name} is a known strategy. */
    public static boolean isKnown(String name) {
        return name != null && BY_NAME.containsKey(name);
    }

    /**
     * A new instance of the named strategy with these options.
     *
     * @throws IllegalArgumentException naming the known strategies when the name is unknown
     */
    public static Strategy create(String name, BalanceOptions options) {
        Function<BalanceOptions, Strategy> s = BY_NAME.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown strategy \"" + name + "\"; known: " + String.join(", ", names()));
        }
        return s.apply(options);
    }

    /** {@link #create(String, BalanceOptions)} with {@link BalanceOptions#DEFAULTS}. */
    public static Strategy create(String name) {
        return create(name, BalanceOptions.DEFAULTS);
    }
}
