package io.sluice.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names and addresses seen while binding, with where each was written, for the checks that span the
 * whole file: unique pool and listener names, unique bind addresses, routes and fallback pools that name a
 * real pool, and fallback chains that never come back to where they started. Not thread-safe; one per load.
 */
final class Refs {
    /** A name or address as written, with its place. */
    private record Ref<T>(T value, String path, int line, int column) {
    }

    /** Pool {@code from} (null when its own name was bad) falls back to the pool {@code to} names. */
    private record Fallback(String from, Ref<String> to) {
    }

    private final List<Ref<String>> pools = new ArrayList<>();
    private final List<Ref<String>> listeners = new ArrayList<>();
    private final List<Ref<String>> routes = new ArrayList<>();
    private final List<Ref<HostPort>> binds = new ArrayList<>();
    private final List<Ref<HostPort>> udpBinds = new ArrayList<>();
    private final List<Fallback> fallbacks = new ArrayList<>();
    /** Where an L4 listener sends traffic: a pool or a listener, with whether the sender is udp. */
    private record L4Target(String from, boolean udp, Ref<String> pool, Ref<String> listener) {
    }

    private final List<L4Target> l4Targets = new ArrayList<>();
    private final Map<String, UpstreamProtocol> poolProtocols = new HashMap<>();
    private final Set<String> tlsPools = new HashSet<>();
    private final Map<String, String> listenerProtocols = new HashMap<>();
    private int poolsDeclared;

    /** One more pool entry, named or not, so that "exactly one pool" can be judged. */
    private java.util.Map<String, java.util.List<FilterConfig>> presets = java.util.Map.of();

    /** The {@code filter_presets} that filter lists may name. */
    java.util.Map<String, java.util.List<FilterConfig>> presets() {
        return presets;
    }

    void presets(java.util.Map<String, java.util.List<FilterConfig>> value) {
        this.presets = value;
    }

    void poolDeclared() {
        poolsDeclared++;
    }

    int poolsDeclared() {
        return poolsDeclared;
    }

    void pool(String name, String path, YamlNode at) {
        pools.add(ref(name, path, at));
    }

    void listener(String name, String path, YamlNode at) {
        listeners.add(ref(name, path, at));
    }

    private final Set<String> noHealthCheck = new HashSet<>();

    /** A pool that says {@code health_check: false}: it gets no default probe either. */
    void noHealthCheck(String pool) {
        noHealthCheck.add(pool);
    }

    /** A pool's protocol and whether it is TLS, for checking who may route to it. */
    void poolProtocol(String name, UpstreamProtocol protocol) {
        poolProtocols.putIfAbsent(name, protocol);
    }

    /** A pool that talks TLS to its backends ({@code tls}, https:// URLs, or h2). */
    void poolTls(String name) {
        tlsPools.add(name);
    }

    /** A listener's protocol (http, https, tcp, udp). */
    void listenerProtocol(String name, String protocol) {
        listenerProtocols.putIfAbsent(name, protocol);
    }

    /** Where an L4 route or fallback of listener {@code from} goes: a pool or a listener (the other null). */
    void l4Target(String from, boolean udp, String pool, String listener, String path, YamlNode at) {
        l4Targets.add(new L4Target(from, udp, pool == null ? null : ref(pool, path, at),
                listener == null ? null : ref(listener, path, at)));
    }

    /**
     * The pools that only tcp listeners use (as route targets or fallbacks), for their default health check. A
     * pool that HTTP routes or udp listeners reach, directly or through {@code fallback_pool}, is not one.
     */
    Set<String> poolsOnlyForTcp() {
        Set<String> used = new HashSet<>();
        java.util.Collection<String> others = new ArrayList<>();
        for (L4Target t : l4Targets) {
            if (t.pool() != null) {
                (t.udp() ? others : used).add(t.pool().value());
            }
        }
        routes.forEach(r -> others.add(r.value()));
        Map<String, String> next = new HashMap<>();
        fallbacks.stream().filter(f -> f.from() != null).forEach(f -> next.putIfAbsent(f.from(), f.to().value()));
        Set<String> reached = new HashSet<>();
        for (String p : others) {
            for (String at = p; at != null && reached.add(at); at = next.get(at)) {
                used.remove(at);
            }
        }
        used.removeAll(noHealthCheck);
        return used;
    }

    /** An HTTP route's target pool. */
    void route(String pool, String path, YamlNode at) {
        routes.add(ref(pool, path, at));
    }

    /** A pool's {@code fallback_pool}; {@code from} is the pool's own name, or null when that was bad. */
    void fallback(String from, String to, String path, YamlNode at) {
        fallbacks.add(new Fallback(from, ref(to, path, at)));
    }

    /** An address something listens on; {@code at} is null for a default not written in the file. */
    void bind(HostPort address, String path, YamlNode at) {
        binds.add(ref(address, path, at));
    }

    /** An address a udp listener receives on (which a TCP listener may share, as DNS does on port 53). */
    void udpBind(HostPort address, String path, YamlNode at) {
        udpBinds.add(ref(address, path, at));
    }

    /** The names of the pools, in file order, without repeats. */
    Set<String> poolNames() {
        Set<String> names = new LinkedHashSet<>();
        pools.forEach(p -> names.add(p.value()));
        return names;
    }

    /** The first pool (in file order) a tcp ({@code udp} false) or udp listener could route to, or null. */
    String poolFor(boolean udp) {
        for (Ref<String> p : pools) {
            UpstreamProtocol protocol = poolProtocols.get(p.value());
            if (protocol != null && (protocol == UpstreamProtocol.UDP) == udp && (udp || !tlsPools.contains(p.value()))
                    && (udp || protocol == UpstreamProtocol.TCP || protocol == UpstreamProtocol.HTTP1)) {
                return p.value();
            }
        }
        return null;
    }

    /** The name of the only pool, when exactly one is declared and it has a good name; else null. */
    String onlyPool() {
        return poolsDeclared == 1 && pools.size() == 1 ? pools.get(0).value() : null;
    }

    /** Reports duplicates and dangling pool references. */
    void check(Binder b) {
        unique(b, pools, "pool name", "pool names must be unique");
        unique(b, listeners, "listener name", "listener names must be unique");
        uniqueAddresses(b, binds, "");
        uniqueAddresses(b, udpBinds, " (a tcp and a udp listener may share one)");
        Set<String> known = poolNames();
        for (Ref<String> r : routes) {
            if (!known.contains(r.value())) {
                String list = known.isEmpty() ? "no pools are defined" : "known pools: " + String.join(", ", known);
                b.error(r.path(), r.line(), r.column(), "no pool named `" + r.value() + "`"
                        + Suggest.didYouMean(r.value(), known) + " (" + list + ")");
            }
        }
        checkFallbacks(b, known);
        checkKinds(b, known);
    }

    /** Each address is listened on once per transport (port 0 excepted: each gets its own free port). */
    private static void uniqueAddresses(Binder b, List<Ref<HostPort>> binds, String note) {
        Map<HostPort, Ref<HostPort>> seen = new HashMap<>();
        for (Ref<HostPort> r : binds) {
            if (r.value().port() == 0) {
                continue; // each port-0 listener gets its own free port
            }
            Ref<HostPort> first = seen.putIfAbsent(r.value(), r);
            if (first == null) {
                continue;
            }
            if (r.line() > 0) {
                b.error(r.path(), r.line(), r.column(), "address " + r.value() + " is already used by " + first.path()
                        + "; each listener needs its own address" + note);
            } else {
                b.error(first.path(), first.line(), first.column(), "address " + r.value() + " is also the default of "
                        + r.path() + "; use another address, or set " + r.path());
            }
        }
    }

    /** Each route goes to something that speaks its kind of traffic. */
    private void checkKinds(Binder b, Set<String> known) {
        for (Ref<String> r : routes) {
            UpstreamProtocol p = poolProtocols.get(r.value());
            if (p != null && !p.http()) {
                b.error(r.path(), r.line(), r.column(), "pool `" + r.value() + "` is a " + lower(p) + " pool, which"
                        + " HTTP routes cannot use; route it from a " + lower(p) + " listener, or give the pool"
                        + " `protocol: http1`");
            }
        }
        for (L4Target t : l4Targets) {
            if (t.pool() != null) {
                Ref<String> r = t.pool();
                UpstreamProtocol p = poolProtocols.get(r.value());
                if (!known.contains(r.value())) {
                    b.error(r.path(), r.line(), r.column(), "no pool named `" + r.value() + "`"
                            + Suggest.didYouMean(r.value(), known) + " (" + (known.isEmpty() ? "no pools are defined"
                            : "known pools: " + String.join(", ", known)) + ")");
                } else if (p != null && t.udp() && p != UpstreamProtocol.UDP) {
                    b.error(r.path(), r.line(), r.column(), "pool `" + r.value() + "` has protocol " + lower(p)
                            + (p == UpstreamProtocol.HTTP1 ? " (the default)" : "") + ", but listener `" + t.from()
                            + "` is udp and sends datagrams; give the pool `protocol: udp` (a udp pool serves udp"
                            + " listeners only)");
                } else if (p != null && !t.udp() && p == UpstreamProtocol.UDP) {
                    b.error(r.path(), r.line(), r.column(), "pool `" + r.value() + "` is a udp pool, but listener `"
                            + t.from() + "` is tcp; route to a pool with `protocol: tcp`");
                } else if (p != null && !t.udp() && p != UpstreamProtocol.TCP && p != UpstreamProtocol.HTTP1) {
                    b.error(r.path(), r.line(), r.column(), "pool `" + r.value() + "` is an " + lower(p) + " pool, but"
                            + " a tcp listener passes the client's bytes on as they are; route to a pool with"
                            + " `protocol: tcp`");
                } else if (p != null && !t.udp() && tlsPools.contains(r.value())) {
                    b.error(r.path(), r.line(), r.column(), "pool `" + r.value() + "` talks TLS to its backends, but"
                            + " a tcp listener passes the client's bytes (TLS included) on as they are; route to a"
                            + " pool with `protocol: tcp` and no `tls`, or hand TLS to an https listener with"
                            + " `listener: NAME`");
                }
            } else {
                Ref<String> r = t.listener();
                String kind = listenerProtocols.get(r.value());
                Set<String> http = new java.util.TreeSet<>();
                listenerProtocols.forEach((name, k) -> {
                    if (k.equals(ListenerConfig.HTTP) || k.equals(ListenerConfig.HTTPS)) {
                        http.add(name);
                    }
                });
                String list = http.isEmpty() ? "there is no http or https listener to hand it to"
                        : "http and https listeners: " + String.join(", ", http);
                if (r.value().equals(t.from())) {
                    b.error(r.path(), r.line(), r.column(), "listener `" + r.value() + "` cannot hand connections to"
                            + " itself; name an http or https listener (" + list + ")");
                } else if (kind == null) {
                    b.error(r.path(), r.line(), r.column(), "no listener named `" + r.value() + "`"
                            + Suggest.didYouMean(r.value(), listenerProtocols.keySet()) + " (" + list + ")");
                } else if (!kind.equals(ListenerConfig.HTTP) && !kind.equals(ListenerConfig.HTTPS)) {
                    b.error(r.path(), r.line(), r.column(), "listener `" + r.value() + "` is " + kind + "; a connection"
                            + " can be handed only to an http or https listener (" + list + ")");
                }
            }
        }
    }

    private static String lower(UpstreamProtocol p) {
        return p.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Reports fallbacks to unknown pools, and each loop of fallbacks once, at the {@code fallback_pool} of the
     * loop written last in the file (the one that closes it when reading from the top).
     */
    private void checkFallbacks(Binder b, Set<String> known) {
        Map<String, Fallback> byPool = new HashMap<>();
        for (Fallback f : fallbacks) {
            Ref<String> to = f.to();
            if (!known.contains(to.value())) {
                b.error(to.path(), to.line(), to.column(), "no pool named `" + to.value() + "`"
                        + Suggest.didYouMean(to.value(), known) + " (known pools: " + String.join(", ", known) + ")");
            } else if (f.from() != null) {
                byPool.putIfAbsent(f.from(), f);
                UpstreamProtocol from = poolProtocols.get(f.from());
                UpstreamProtocol target = poolProtocols.get(to.value());
                if (from != null && target != null && ((from == UpstreamProtocol.UDP) != (target == UpstreamProtocol.UDP)
                        || from.http() && !target.http())) {
                    b.error(to.path(), to.line(), to.column(), "pool `" + f.from() + "` (" + lower(from) + ") cannot"
                            + " fall back to pool `" + to.value() + "` (" + lower(target) + "): a fallback pool takes"
                            + " the same traffic, so it needs a protocol of the same kind ("
                            + (from == UpstreamProtocol.UDP ? "udp" : from.http() ? "http1, h2 or h2c" : "tcp") + ")");
                }
            }
        }
        Set<String> seen = new HashSet<>();
        for (Fallback f : fallbacks) {
            List<String> trail = new ArrayList<>();
            String at = f.from();
            while (at != null && !seen.contains(at) && !trail.contains(at)) {
                trail.add(at);
                Fallback next = byPool.get(at);
                at = next == null ? null : next.to().value();
            }
            seen.addAll(trail);
            if (at == null || !trail.contains(at)) {
                continue;
            }
            List<String> loop = trail.subList(trail.indexOf(at), trail.size());
            Fallback last = loop.stream().map(byPool::get)
                    .max(Comparator.comparingInt((Fallback x) -> x.to().line()).thenComparingInt(x -> x.to().column()))
                    .orElseThrow();
            int start = loop.indexOf(last.from());
            List<String> shown = new ArrayList<>(loop.subList(start, loop.size()));
            shown.addAll(loop.subList(0, start + 1));
            Ref<String> to = last.to();
            b.error(to.path(), to.line(), to.column(), "fallback pools go round in a loop: " + String.join(" -> ", shown)
                    + "; end the chain at a pool without `fallback_pool`");
        }
    }

    private static void unique(Binder b, List<Ref<String>> refs, String what, String why) {
        Map<String, Ref<String>> seen = new HashMap<>();
        for (Ref<String> r : refs) {
            Ref<String> first = seen.putIfAbsent(r.value(), r);
            if (first != null) {
                b.error(r.path(), r.line(), r.column(), "duplicate " + what + " `" + r.value() + "`, already used at "
                        + first.path() + " (" + first.line() + ":" + first.column() + "); " + why);
            }
        }
    }

    private static <T> Ref<T> ref(T value, String path, YamlNode at) {
        return new Ref<>(value, path, at == null ? 0 : at.line(), at == null ? 0 : at.column());
    }
    /** Geo route conditions ({@code country}, {@code continent}, {@code asn}), each with where it was written. */
    private final List<Ref<String>> geoUses = new ArrayList<>();

    void geoUse(String key, String path, YamlNode at) {
        geoUses.add(ref(key, path, at));
    }

    /**
     * Reports each geo condition that no database can answer: {@code geoip} is absent, or has no file for it.
     *
     * @param given whether the file has a {@code geoip} key at all (its own errors are reported already)
     */
    void checkGeo(Binder b, boolean given, GeoIpConfig geoip) {
        for (Ref<String> r : geoUses) {
            String problem = GeoBinder.unanswered(r.value(), given, geoip);
            if (problem != null) {
                b.error(r.path(), r.line(), r.column(), problem);
            }
        }
    }
}
