package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.sluice.config.L4Config;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.L4RouteConfig;
import io.sluice.l4.detect.PrefixDetector;
import io.sluice.runtime.PoolRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A tcp or udp listener's routes compiled for the data path: given the bytes a connection sent so far (or a
 * session's first datagram), the first route whose conditions all hold, "need more bytes", or the fallback.
 * Routes are tried in order and a route counts only when every route before it is known not to match, so
 * "first match wins" holds however the bytes arrive. Immutable; thread-safe; allocates nothing per decision
 * beyond what detectors return.
 */
public final class L4Router {
    private final Route[] routes;
    private final Route fallback;
    private final boolean detects;
    private final L4Config config;

    /** One compiled route: its conditions and where it goes (a pool, or a listener by name). */
    public static final class Route {
        private final int index;
        private final L4RouteConfig config;
        private final Detector detector;
        private final String[] exactSni;
        private final String[] sniSuffix;
        private final String[] alpn;
        private final PrefixDetector prefix;
        private final PoolRuntime pool;

        Route(int index, L4RouteConfig config, Detector detector, PoolRuntime pool) {
            this.index = index;
            this.config = config;
            this.detector = detector;
            L4MatchConfig m = config.match();
            List<String> exact = new ArrayList<>();
            List<String> suffix = new ArrayList<>();
            for (String s : m.sni()) {
                if (s.startsWith("*.")) {
                    suffix.add(s.substring(1));
                } else {
                    exact.add(s);
                }
            }
            this.exactSni = exact.toArray(new String[0]);
            this.sniSuffix = suffix.toArray(new String[0]);
            this.alpn = m.alpn().toArray(new String[0]);
            this.prefix = m.prefix() == null ? null : new PrefixDetector(m.prefix());
            this.pool = pool;
        }

        /** 0-based position among the listener's routes; -1 for the fallback. */
        public int index() {
            return index;
        }

        /** The pool this route sends to, or null when it hands the connection to a listener. */
        public PoolRuntime pool() {
            return pool;
        }

        /** The HTTP/HTTPS listener this route hands the connection to, or null. */
        public String listener() {
            return config.listener();
        }

        /** The protocol this route matched on, or null when it looks at no protocol. */
        public String protocol() {
            return detector == null ? null : detector.protocol();
        }

        public L4RouteConfig config() {
            return config;
        }

        /**
         * What routing counts and access logs call this route: "fallback", its protocol, "prefix" for a
         * byte-prefix route, or "any" for a route that looks at no bytes.
         */
        public String result() {
            if (index < 0) {
                return "fallback";
            }
            if (detector != null) {
                return detector.protocol();
            }
            return prefix != null ? "prefix" : "any";
        }

        /** MATCH, NO_MATCH or NEED_MORE for these bytes; a match carries the detector's findings. */
        Detection test(ByteBuf seen, boolean datagram) {
            if (prefix != null) {
                Detection p = prefix.detect(seen);
                if (!p.matched()) {
                    return p.kind() == Detection.Kind.NEED_MORE && !datagram ? Detection.NEED_MORE : Detection.NO_MATCH;
                }
            }
            Detection d = Detection.MATCH;
            if (detector != null) {
                d = detector.detect(seen);
                if (d.kind() == Detection.Kind.NEED_MORE && datagram) {
                    return Detection.NO_MATCH;
                }
                if (!d.matched()) {
                    return d;
                }
            }
            if ((exactSni.length > 0 || sniSuffix.length > 0) && !sniMatches(d.sni())) {
                return Detection.NO_MATCH;
            }
            if (alpn.length > 0 && !alpnMatches(d.alpn())) {
                return Detection.NO_MATCH;
            }
            return d;
        }

        private boolean sniMatches(String sni) {
            if (sni == null) {
                return false;
            }
            for (String s : exactSni) {
                if (s.equals(sni)) {
                    return true;
                }
            }
            for (String s : sniSuffix) {
                if (sni.length() > s.length() && sni.endsWith(s)) {
                    return true;
                }
            }
            return false;
        }

        private boolean alpnMatches(List<String> offered) {
            for (String a : alpn) {
                if (offered.contains(a)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return index < 0 ? "fallback -> " + config.target() : "route " + index + " -> " + config.target();
        }
    }

    /**
     * What {@link #decide} concluded.
     *
     * @param route     the route taken; null when more bytes are needed, or nothing matched and there is no fallback
     * @param detection what the route's detector found (server name, ALPN), or null
     * @param needMore  true when the bytes so far are not enough to decide
     */
    public record Decision(Route route, Detection detection, boolean needMore) {
        static final Decision NEED_MORE = new Decision(null, null, true);
    }

    private L4Router(L4Config config, Route[] routes, Route fallback) {
        this.config = config;
        this.routes = routes;
        this.fallback = fallback;
        boolean d = false;
        for (Route r : routes) {
            d |= r.config.match().needsBytes();
        }
        this.detects = d;
    }

    /**
     * Compiles a listener's routes over the snapshot's pools.
     *
     * @param detectors finds a detector by protocol name (built-ins, the library user's and {@code ServiceLoader}'s)
     * @throws IllegalArgumentException for a route to an unknown pool or protocol
     */
    public static L4Router compile(L4Config config, Map<String, PoolRuntime> pools,
                                   Function<String, Detector> detectors) {
        Objects.requireNonNull(config, "config");
        Route[] routes = new Route[config.routes().size()];
        for (int i = 0; i < routes.length; i++) {
            routes[i] = route(i, config.routes().get(i), pools, detectors);
        }
        Route fallback = config.fallback() == null ? null : route(-1, config.fallback(), pools, detectors);
        return new L4Router(config, routes, fallback);
    }

    private static Route route(int index, L4RouteConfig rc, Map<String, PoolRuntime> pools,
                               Function<String, Detector> detectors) {
        PoolRuntime pool = null;
        if (rc.pool() != null) {
            pool = pools.get(rc.pool());
            if (pool == null) {
                throw new IllegalArgumentException("route to unknown pool " + rc.pool());
            }
        }
        Detector d = null;
        String protocol = rc.match().protocol();
        if (protocol != null) {
            d = detectors.apply(protocol);
            if (d == null) {
                throw new IllegalArgumentException("no detector for protocol " + protocol);
            }
        }
        return new Route(index, rc, d, pool);
    }

    /** Whether any route looks at the bytes; when none does, the first route (or the fallback) takes everything. */
    public boolean detects() {
        return detects;
    }

    public L4Config config() {
        return config;
    }

    /** The routes in order, without the fallback. */
    public List<Route> routes() {
        return List.of(routes);
    }

    /** The fallback route, or null. */
    public Route fallback() {
        return fallback;
    }

    /**
     * Routes by the bytes seen so far (the buffer's readable bytes; not changed).
     *
     * @param last true when no more bytes will come (the detect buffer is full, the timer fired, the client
     *             shut its side, or this is a datagram): every "need more" then counts as no match
     */
    public Decision decide(ByteBuf seen, boolean last, boolean datagram) {
        for (Route r : routes) {
            Detection d = r.test(seen, datagram);
            switch (d.kind()) {
                case MATCH -> {
                    return new Decision(r, d, false);
                }
                case NEED_MORE -> {
                    if (!last) {
                        return Decision.NEED_MORE;
                    }
                }
                case NO_MATCH -> {
                }
            }
        }
        return new Decision(fallback, null, false);
    }

    /** The route for a connection whose bytes no route looks at: the first route, else the fallback. */
    public Decision withoutBytes() {
        return new Decision(routes.length > 0 ? routes[0] : fallback, null, false);
    }
}
