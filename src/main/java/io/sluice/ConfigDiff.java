package io.sluice;

import io.sluice.balance.Backend;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What a reload changes, in words for logs and the admin API; and what it cannot change. Stateless. */
final class ConfigDiff {
    private ConfigDiff() {
    }

    /**
     * Settings that changed but need a restart: the number of event loops, the transport (when the new one is not
     * the one running: {@code auto} and the name of the transport it chose are the same) and the admin listener's
     * address.
     */
    static List<String> needsRestart(Config a, Config b) {
        List<String> out = new ArrayList<>();
        if (a.workers() != b.workers()) {
            out.add("workers (" + a.workers() + " -> " + b.workers() + ")");
        }
        if (!a.transport().equals(b.transport()) && !"auto".equals(b.transport())
                && !b.transport().equals(Transport.name())) {
            out.add("transport (" + a.transport() + " -> " + b.transport() + ")");
        }
        if (a.admin().enabled() != b.admin().enabled() || !a.admin().bind().equals(b.admin().bind())) {
            out.add("admin.bind (" + a.admin().bind() + " -> " + b.admin().bind() + ")");
        }
        return out;
    }

    /** Pools, backends and listener routes added, removed or changed; limits and headers. */
    static List<String> changes(Config a, Config b) {
        List<String> out = new ArrayList<>();
        Map<String, PoolConfig> before = new LinkedHashMap<>();
        a.pools().forEach(p -> before.put(p.name(), p));
        for (PoolConfig p : b.pools()) {
            PoolConfig old = before.remove(p.name());
            if (old == null) {
                out.add("pool " + p.name() + " added");
            } else if (!old.equals(p)) {
                pool(out, old, p);
            }
        }
        before.keySet().forEach(name -> out.add("pool " + name + " removed"));
        Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
        a.listeners().forEach(l -> listeners.put(l.name(), l));
        for (ListenerConfig l : b.listeners()) {
            ListenerConfig old = listeners.get(l.name());
            if (old != null && !Objects.equals(old.routes(), l.routes())) {
                out.add("listener " + l.name() + ": routes changed");
            } else if (old != null && l.layer4() && !Objects.equals(old.l4(), l.l4())) {
                out.add("listener " + l.name() + ": routes changed");
            }
        }
        if (!a.admin().equals(b.admin())) {
            out.add("admin");
        }
        if (a.metrics().enabled() != b.metrics().enabled()) {
            out.add("metrics " + (b.metrics().enabled() ? "on" : "off"));
        }
        if (!a.limits().equals(b.limits())) {
            out.add("limits");
        }
        if (!a.headers().equals(b.headers())) {
            out.add("headers");
        }
        if (!Objects.equals(a.geoip(), b.geoip())) {
            out.add("geoip");
        }
        return out;
    }

    private static void pool(List<String> out, PoolConfig old, PoolConfig p) {
        Map<Object, BackendConfig> was = new LinkedHashMap<>();
        old.backends().forEach(x -> was.put(x.address(), x));
        for (BackendConfig x : p.backends()) {
            BackendConfig o = was.remove(x.address());
            if (o == null) {
                out.add("pool " + p.name() + ": backend " + x.address() + " added");
            } else if (o.weight() != x.weight()) {
                out.add("pool " + p.name() + ": backend " + x.address() + " weight " + o.weight() + " -> " + x.weight());
            }
        }
        was.keySet().forEach(addr -> out.add("pool " + p.name() + ": backend " + addr + " removed"));
        if (!old.strategy().equals(p.strategy())) {
            out.add("pool " + p.name() + ": strategy " + old.strategy() + " -> " + p.strategy());
        }
        if (!withoutBackends(old).equals(withoutBackends(p))) {
            out.add("pool " + p.name() + ": settings changed");
        }
    }

    /** A pool's settings apart from its backends and strategy, for comparison. */
    private static String withoutBackends(PoolConfig p) {
        return String.valueOf(p.healthCheck()) + p.timeouts() + p.breaker() + p.retry() + p.tls() + p.balance()
                + p.fallbackPool() + p.panicThreshold() + p.sendProxyProtocol() + p.protocol();
    }

    /** The addresses of the backends of {@code old} that the registry retired (no longer in any pool). */
    static Set<InetSocketAddress> retiredAddresses(RuntimeSnapshot old) {
        Set<InetSocketAddress> gone = new HashSet<>();
        for (PoolRuntime p : old.pools()) {
            for (Backend b : p.backends()) {
                if (b.state().isRetired()) {
                    gone.add(b.socketAddress());
                }
            }
        }
        return gone;
    }
}
