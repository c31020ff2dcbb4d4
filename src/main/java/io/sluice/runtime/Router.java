package io.sluice.runtime;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.config.Config;
import io.sluice.config.FilterConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.RouteConfig;
import io.sluice.filter.Filter;
import io.sluice.filter.FilterChain;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.FilterFactory;
import io.sluice.filter.FilterMetrics;
import io.sluice.filter.Filters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A listener's routes compiled for the hot path: the first route whose conditions all hold wins. A route
 * with geo conditions looks the client up once per request, and only when it is reached. Immutable;
 * thread-safe; allocates nothing per request (but for a geo lookup and a client named by a header).
 */
public final class Router {
    private final Route[] routes;
    private final RealClient realClient;
    private final GeoIp geo;
    private final boolean statusEndpoints;
    private final List<PoolRuntime> pools;

    private Router(Route[] routes, RealClient realClient, GeoIp geo, boolean statusEndpoints) {
        this.routes = routes;
        this.realClient = realClient;
        this.geo = geo;
        this.statusEndpoints = statusEndpoints;
        java.util.Set<PoolRuntime> used = new java.util.LinkedHashSet<>();
        for (Route r : routes) {
            used.addAll(r.runtime.pools());
        }
        this.pools = List.copyOf(used);
    }

    /**
     * @param geo the databases for geo conditions; null when no route of the configuration has one
     */
    static Router compile(ListenerConfig listener, Map<String, PoolRuntime> pools, Config config,
                          FilterMetrics metrics, GeoIp geo) {
        List<RouteConfig> configs = listener.routes();
        // The listener's filters are made once and shared by its routes: a listener-wide limit counts across them.
        List<Filter> shared = filters(listener.policy().filters(), config, listener.name(), -1, metrics);
        Route[] routes = new Route[configs.size()];
        for (int i = 0; i < routes.length; i++) {
            RouteConfig rc = configs.get(i);
            PoolRuntime pool = rc.pool() == null ? null : pool(pools, rc.pool());
            TrafficSplit split = null;
            if (!rc.split().isEmpty()) {
                List<PoolRuntime> members = new ArrayList<>();
                int[] weights = new int[rc.split().size()];
                for (int j = 0; j < weights.length; j++) {
                    members.add(pool(pools, rc.split().get(j).pool()));
                    weights[j] = rc.split().get(j).weight();
                }
                // Weights an operator set through the admin API outlive a reload that leaves the split as it was.
                String key = "split\0" + listener.name() + '\0' + i;
                TrafficSplit before = metrics.carried(key, rc.split());
                split = new TrafficSplit(members, before != null ? before.weights() : weights);
                metrics.put(key, rc.split(), split);
                pool = members.get(0);
            }
            List<Filter> chain = new ArrayList<>(shared);
            chain.addAll(filters(rc.filters(), config, listener.name(), i, metrics));
            routes[i] = new Route(rc.match(), new RouteRuntime(i, pool, split, FilterChain.of(chain)));
        }
        boolean geoRoutes = listener.routes().stream().anyMatch(r -> r.match().geo());
        if (geoRoutes && geo == null) {
            throw new IllegalArgumentException("geo route conditions need a geoip database");
        }
        return new Router(routes, RealClient.of(listener), geoRoutes ? geo : null,
                listener.policy().statusEndpoints());
    }

    private static PoolRuntime pool(Map<String, PoolRuntime> pools, String name) {
        PoolRuntime pool = pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("route to unknown pool " + name);
        }
        return pool;
    }

    private static List<Filter> filters(List<FilterConfig> configs, Config config, String listener, int route,
                                        FilterMetrics metrics) {
        List<Filter> out = new ArrayList<>(configs.size());
        for (FilterConfig fc : configs) {
            FilterFactory f = Filters.get(fc.name());
            if (f == null) {
                throw new IllegalArgumentException("no filter named " + fc.name() + " is registered");
            }
            out.add(f.create(fc.settings(), new FilterEnv(config, listener, route, fc.name(), metrics)));
        }
        return out;
    }

    /** The pool for this request, or null when no route matches (geo conditions match no one). */
    public PoolRuntime route(HttpRequest request) {
        RouteRuntime r = match(request, null);
        return r == null ? null : r.pool();
    }

    /**
     * The client of a request that came from {@code source}: the source, or the address a trusted proxy named
     * in the listener's {@code client_ip_header} (see {@link RealClient}). Filters, access lists and geo
     * conditions use this address.
     */
    public InetSocketAddress client(HttpRequest request, InetSocketAddress source) {
        return realClient == null ? source : realClient.resolve(request.headers(), source);
    }

    /**
     * The first route that matches this request from {@code client} (as {@link #client} gave it; null when
     * unknown, which no geo condition matches), or null when none does.
     */
    public RouteRuntime match(HttpRequest request, InetSocketAddress client) {
        String uri = request.uri();
        int pathStart = pathStart(uri);
        GeoIp.Place place = null;
        for (Route r : routes) {
            if (!r.matches(request, uri, pathStart)) {
                continue;
            }
            if (r.geo) {
                if (place == null) {
                    place = geo == null || client == null || client.getAddress() == null ? GeoIp.Place.UNKNOWN
                            : geo.lookup(client.getAddress());
                }
                if (!r.geoMatches(place)) {
                    continue;
                }
            }
            return r.runtime;
        }
        return null;
    }

    /** Whether the listener answers its status endpoints ({@code /lb-health}, ...) itself, before routing. */
    public boolean statusEndpoints() {
        return statusEndpoints;
    }

    /** The pools the routes send to (split members included), each once, in route order. */
    public List<PoolRuntime> pools() {
        return pools;
    }

    /** The routes in order. */
    public List<RouteRuntime> routes() {
        List<RouteRuntime> out = new ArrayList<>(routes.length);
        for (Route r : routes) {
            out.add(r.runtime);
        }
        return out;
    }

    /**
     * Index where the path begins in a request target: 0 for origin-form, after the authority for
     * absolute-form (at its first {@code /} or {@code ?}; the target's length when it has neither).
     */
    public static int pathStart(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') {
            return 0;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return 0;
        }
        for (int i = scheme + 3; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
        }
        return uri.length();
    }

    private static final class Route {
        private final RouteRuntime runtime;
        private final String host;          // exact, lower case; or null
        private final String hostSuffix;    // ".example.com" for "*.example.com"; or null
        private final String pathPrefix;
        private final String path;
        private final String[] methods;
        private final String[] headerNames;
        private final String[] headerValues;
        private final boolean geo;
        private final String[] countries;
        private final String[] continents;
        private final long[] asns;

        Route(MatchConfig m, RouteRuntime runtime) {
            this.runtime = runtime;
            this.geo = m.geo();
            this.countries = m.countries().toArray(new String[0]);
            this.continents = m.continents().toArray(new String[0]);
            this.asns = m.asns().stream().mapToLong(Long::longValue).toArray();
            String h = m.host() == null ? null : m.host().toLowerCase(Locale.ROOT);
            if (h != null && h.startsWith("*.")) {
                this.host = null;
                this.hostSuffix = h.substring(1);
            } else {
                this.host = h;
                this.hostSuffix = null;
            }
            this.pathPrefix = m.pathPrefix();
            this.path = m.path();
            this.methods = m.methods().toArray(new String[0]);
            this.headerNames = m.headers().keySet().toArray(new String[0]);
            this.headerValues = new String[headerNames.length];
            for (int i = 0; i < headerNames.length; i++) {
                headerValues[i] = m.headers().get(headerNames[i]);
            }
        }

        boolean matches(HttpRequest req, String uri, int pathStart) {
            if ((host != null || hostSuffix != null) && !hostMatches(req.headers().get(HttpHeaderNames.HOST))) {
                return false;
            }
            if (pathPrefix != null && !uri.startsWith(pathPrefix, pathStart)) {
                return false;
            }
            if (path != null && !exactPath(uri, pathStart)) {
                return false;
            }
            if (methods.length > 0 && !methodMatches(req.method().name())) {
                return false;
            }
            for (int i = 0; i < headerNames.length; i++) {
                if (!req.headers().contains(headerNames[i], headerValues[i], false)) {
                    return false;
                }
            }
            return true;
        }

        /** Whether the client's place meets every geo condition; an unknown place meets none. */
        boolean geoMatches(GeoIp.Place p) {
            if (countries.length > 0 && !in(p.country(), countries)) {
                return false;
            }
            if (continents.length > 0 && !in(p.continent(), continents)) {
                return false;
            }
            if (asns.length > 0) {
                for (long a : asns) {
                    if (a == p.asn()) {
                        return true;
                    }
                }
                return false;
            }
            return true;
        }

        private static boolean in(String value, String[] list) {
            if (value == null) {
                return false;
            }
            for (String s : list) {
                if (s.equals(value)) {
                    return true;
                }
            }
            return false;
        }

        private boolean exactPath(String uri, int pathStart) {
            if (!uri.startsWith(path, pathStart)) {
                return false;
            }
            int end = pathStart + path.length();
            return end == uri.length() || uri.charAt(end) == '?' || uri.charAt(end) == '#';
        }

        private boolean methodMatches(String method) {
            for (String m : methods) {
                if (m.equals(method)) {
                    return true;
                }
            }
            return false;
        }

        private boolean hostMatches(String hostHeader) {
            if (hostHeader == null) {
                return false;
            }
            int len = hostLength(hostHeader);
            if (host != null) {
                return len == host.length() && hostHeader.regionMatches(true, 0, host, 0, len);
            }
            int suffixLen = hostSuffix.length();
            return len > suffixLen
                    && hostHeader.regionMatches(true, len - suffixLen, hostSuffix, 0, suffixLen);
        }

        /** Length of the host part of a Host header, without any port; brackets kept for IPv6. */
        private static int hostLength(String h) {
            if (!h.isEmpty() && h.charAt(0) == '[') {
                int close = h.indexOf(']');
                return close < 0 ? h.length() : close + 1;
            }
            int colon = h.lastIndexOf(':');
            return colon < 0 ? h.length() : colon;
        }
    }
}
