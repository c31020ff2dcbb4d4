package io.sluice.balance;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The registry of strategies by configuration name: the built-ins, plus those a library user adds with
 * {@link #register} (or {@code Sluice.builder().strategy(...)}) before loading a configuration that names them.
 * Names are also accepted in the forms other load balancers' configurations use: any case, with or without
 * {@code _} and {@code -} ({@code RoundRobin}, {@code LEAST_CONNECTIONS}, {@code ip-hash}), and a few short
 * names ({@link #canonical}); everything else (messages, the admin API, metrics) shows the canonical name.
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
     * Short names other tools use (nginx {@code least_conn}, HAProxy {@code leastconn} and {@code source},
     * Traefik {@code wrr} and {@code p2c}, Envoy {@code ring_hash}), keyed by their {@link #squash}ed form.
     */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("rr", RoundRobin.NAME),
            Map.entry("weighted", WeightedRoundRobin.NAME),
            Map.entry("wrr", WeightedRoundRobin.NAME),
            Map.entry("leastconn", LeastConnections.NAME),
            Map.entry("leastconnection", LeastConnections.NAME),
            Map.entry("p2c", PowerOfTwo.NAME),
            Map.entry("poweroftwochoices", PowerOfTwo.NAME),
            Map.entry("source", IpHash.NAME),
            Map.entry("ringhash", ConsistentHash.NAME),
            Map.entry("ewma", LeastEwma.NAME),
            Map.entry("peakewma", LeastEwma.NAME));

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

    /**
     * The short names accepted besides the canonical ones and their case and separator variants ({@code wrr},
     * {@code leastconn}, ...), in squashed form; for the configuration's JSON Schema.
     */
    public static Set<String> aliases() {
        return ALIASES.keySet();
    }

    /** True when {@code name} is a known strategy, in its canonical form or another accepted one. */
    public static boolean isKnown(String name) {
        return canonical(name) != null;
    }

    /**
     * The canonical name of a strategy given in any accepted form, or null when no strategy has that name. A
     * canonical name is itself; otherwise case, {@code _}, {@code -} and spaces are ignored
     * ({@code WeightedRoundRobin}, {@code least-connections}, {@code IpHash}), and these short names are
     * accepted: {@code Weighted} and {@code wrr} ({@code weighted_round_robin}), {@code rr}
     * ({@code round_robin}), {@code leastconn} and {@code least_conn} ({@code least_connections}), {@code p2c}
     * ({@code power_of_two}), {@code source} ({@code ip_hash}), {@code ring_hash} ({@code consistent_hash})
     * and {@code ewma} and {@code peak_ewma} ({@code least_ewma}).
     */
    public static String canonical(String name) {
        if (name == null) {
            return null;
        }
        if (BY_NAME.containsKey(name)) {
            return name;
        }
        String squashed = squash(name);
        String alias = ALIASES.get(squashed);
        if (alias != null) {
            return alias;
        }
        for (String known : BY_NAME.keySet()) {
            if (squash(known).equals(squashed)) {
                return known;
            }
        }
        return null;
    }

    /**
     * The CamelCase form of a canonical name, as other load balancers' status pages show it:
     * {@code weighted_round_robin} is {@code WeightedRoundRobin}.
     */
    public static String camelCase(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' || c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** Lower case without {@code _}, {@code -} and spaces. */
    private static String squash(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '_' && c != '-' && c != ' ') {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString();
    }

    /**
     * A new instance of the named strategy (in any form {@link #canonical} accepts) with these options.
     *
     * @throws IllegalArgumentException naming the known strategies when the name is unknown
     */
    public static Strategy create(String name, BalanceOptions options) {
        String c = canonical(name);
        Function<BalanceOptions, Strategy> s = c == null ? null : BY_NAME.get(c);
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
