package io.sluice.runtime;

import io.netty.handler.ssl.SslContext;
import io.sluice.balance.Backend;
import io.sluice.balance.BalanceOptions;
import io.sluice.balance.Endpoint;
import io.sluice.balance.Picker;
import io.sluice.balance.Strategies;
import io.sluice.balance.Strategy;
import io.sluice.config.BackendConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.config.TimeoutsConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.tls.ClientTls;
import io.sluice.health.RetryBudget;
import io.sluice.observe.StatusCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pool as the data path sees it: its backends with live state, the picker of its strategy and its
 * timeouts. The strategy can be swapped while requests flow ({@link #swapStrategy}): the new picker is
 * built aside and published with one volatile write, so a request uses either the old picker or the new
 * one, never a mix, and the backends' live stats carry over. It also holds the pool's retry budget and
 * retry counters (carried over from the pool it replaces on a reload) and decides panic mode. Thread-safe.
 */
public final class PoolRuntime {
    private final PoolConfig config;
    private final BalanceOptions options;
    private final long connectTimeoutMillis;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long halfLifeNanos;
    private final long slowStartNanos;
    private final RetryConfig retry;
    private final RetryBudget retryBudget;
    private final LongAdder retries;
    private final LongAdder retriesDenied;
    private final StatusCounts requests;
    private final SslContext upstreamTls;
    private volatile Active active;

    /** A strategy, the backends (with the weights in force) and the picker it built over them. */
    private record Active(Strategy strategy, List<Backend> backends, Picker picker) {
    }

    PoolRuntime(PoolConfig config, BackendRegistry registry, PoolRuntime previous) {
        this.config = Objects.requireNonNull(config, "config");
        this.options = config.balance();
        List<Backend> list = new ArrayList<>();
        for (BackendConfig bc : config.backends()) {
            Endpoint e = new Endpoint(config.name(), bc.address(), bc.weight());
            Backend b = new Backend(e, registry.state(config.name(), bc.address()));
            b.state().breaker().configure(config.breaker());
            list.add(b);
        }
        List<Backend> backends = List.copyOf(list);
        Strategy strategy = Strategies.create(config.strategy(), options);
        Picker old = previous != null ? previous.picker() : null;
        this.active = new Active(strategy, backends, strategy.newPicker(old, backends));
        TimeoutsConfig t = config.timeouts();
        this.connectTimeoutMillis = Math.max(1, t.connect().toMillis());
        this.responseTimeoutNanos = t.response().toNanos();
        this.idleTimeoutNanos = t.idle().toNanos();
        this.halfLifeNanos = options.halfLifeNanos();
        this.slowStartNanos = options.slowStart().toNanos();
        this.retry = config.retry();
        boolean sameBudget = previous != null && previous.retry.budgetPercent() == retry.budgetPercent()
                && previous.retry.budgetMinRetries() == retry.budgetMinRetries();
        this.retryBudget = sameBudget ? previous.retryBudget
                : new RetryBudget(retry.budgetPercent(), retry.budgetMinRetries());
        this.retries = previous != null ? previous.retries : new LongAdder();
        this.retriesDenied = previous != null ? previous.retriesDenied : new LongAdder();
        this.requests = previous != null ? previous.requests : new StatusCounts();
        this.upstreamTls = config.secure() ? ClientTls.build(config.tls(), config.protocol()) : null;
    }

    /** How Sluice talks to this pool's backends. */
    public UpstreamProtocol protocol() {
        return config.protocol();
    }

    /** The TLS context for connections to the backends, or null for clear text. */
    public SslContext upstreamTls() {
        return upstreamTls;
    }

    /** Client requests this pool served, by the status the client got, with their durations. */
    public StatusCounts requests() {
        return requests;
    }

    public RetryConfig retry() {
        return retry;
    }

    /** The budget that caps this pool's retries. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /** Counts one retry made (after the budget allowed it). */
    public void countRetry() {
        retries.increment();
    }

    /** Counts one retry the budget refused. */
    public void countRetryDenied() {
        retriesDenied.increment();
    }

    /** Retries made since start. */
    public long retriesMade() {
        return retries.sum();
    }

    /** Retries the budget refused since start. */
    public long retriesDenied() {
        return retriesDenied.sum();
    }

    /** The name of the fallback pool, or null. */
    public String fallbackPool() {
        return config.fallbackPool();
    }

    /**
     * True when panic mode is on and fewer than {@code panic_threshold} percent of the backends are
     * healthy: requests then go to every backend that is not drained. Two reads, no scan.
     */
    public boolean panic() {
        int threshold = config.panicThreshold();
        List<Backend> backends = active.backends();
        int n = backends.size();
        if (threshold == 0 || n == 0) {
            return false;
        }
        int healthy = n - backends.get(0).state().poolUnavailable();
        return healthy * 100 < threshold * n;
    }

    /** Backends with no health bit set. */
    public int healthyCount() {
        int n = 0;
        for (Backend b : active.backends()) {
            if (b.available()) {
                n++;
            }
        }
        return n;
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    /** The backends, in configuration order, with the weights in force. */
    public List<Backend> backends() {
        return active.backends();
    }

    public Picker picker() {
        return active.picker();
    }

    /** The name of the strategy in force (the configured one until swapped). */
    public String strategy() {
        return active.strategy().name();
    }

    /**
     * Replaces the pool's strategy. Requests already past their pick are unaffected; later ones use the new
     * strategy. Backend stats (in-flight, latency, errors) are kept.
     *
     * @throws IllegalArgumentException if the name is unknown; nothing changes then
     */
    public synchronized void swapStrategy(String name) {
        Strategy s = Strategies.create(name, options);
        Active a = active;
        active = new Active(s, a.backends(), s.newPicker(a.picker(), a.backends()));
    }

    /**
     * Gives one backend another weight while requests flow: a new picker is built over the same backends
     * (their live state kept) and published in one write. Lasts until the pool is rebuilt from the config.
     *
     * @return false when the pool has no backend with this address
     */
    public synchronized boolean setWeight(String address, int weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1");
        }
        Active a = active;
        List<Backend> next = new ArrayList<>(a.backends().size());
        boolean found = false;
        for (Backend b : a.backends()) {
            if (b.addressText().equals(address)) {
                next.add(b.withWeight(weight));
                found = true;
            } else {
                next.add(b);
            }
        }
        if (found) {
            List<Backend> list = List.copyOf(next);
            active = new Active(a.strategy(), list, a.strategy().newPicker(a.picker(), list));
        }
        return found;
    }

    /** The backend with this "host:port" address, or null. */
    public Backend backend(String address) {
        for (Backend b : active.backends()) {
            if (b.addressText().equals(address)) {
                return b;
            }
        }
        return null;
    }

    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public long responseTimeoutNanos() {
        return responseTimeoutNanos;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** The latency averaging half-life, in nanoseconds. */
    public long halfLifeNanos() {
        return halfLifeNanos;
    }

    /** The slow-start period, in nanoseconds; 0 for none. */
    public long slowStartNanos() {
        return slowStartNanos;
    }
}
