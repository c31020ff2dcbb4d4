package io.sluice.balance;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The registry of strategies by configuration name. Immutable; thread-safe.
 */
public final class Strategies {
    private static final Map<String, Function<BalanceOptions, Strategy>> BY_NAME;

    static {
        Map<String, Function<BalanceOptions, Strategy>> m = new TreeMap<>();
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
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private Strategies() {
    }

    /** Every known strategy name, sorted. */
    public static Set<String> names() {
        return BY_NAME.keySet();
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
