package io.sluice.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's weighted pools (canary, blue-green). Weights may change at run time (admin API); a pick reads
 * them without locks. Thread-safe.
 */
public final class TrafficSplit {
    /** The largest weight one pool may have. */
    public static final int MAX_WEIGHT = 1_000_000;

    private final List<PoolRuntime> pools;
    private volatile int[] weights;

    TrafficSplit(List<PoolRuntime> pools, int[] weights) {
        this.pools = List.copyOf(pools);
        this.weights = weights.clone();
    }

    /** The pools, in configuration order. */
    public List<PoolRuntime> pools() {
        return pools;
    }

    /** The weights now, in the order of {@link #pools()}. */
    public int[] weights() {
        return weights.clone();
    }

    /**
     * The pool for a request: by {@code affinity} (a hash of something stable about the client) when it is
     * not 0, so that one client keeps its pool, else at random; by weight either way.
     */
    public PoolRuntime choose(long affinity) {
        int[] w = weights;
        long total = 0;
        for (int x : w) {
            total += x;
        }
        if (total == 0) {
            return pools.get(0);
        }
        long point = affinity != 0 ? Math.floorMod(mix(affinity), total) : ThreadLocalRandom.current().nextLong(total);
        for (int i = 0; i < w.length; i++) {
            point -= w[i];
            if (point < 0) {
                return pools.get(i);
            }
        }
        return pools.get(w.length - 1);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * Sets one pool's weight; false when the pool is not in the split or the change would leave every weight 0.
     */
    public synchronized boolean setWeight(String pool, int weight) {
        if (weight < 0) {
            return false;
        }
        int[] next = weights.clone();
        boolean found = false;
        long total = 0;
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).name().equals(pool)) {
                next[i] = weight;
                found = true;
            }
            total += next[i];
        }
        if (!found || total == 0) {
            return false;
        }
        weights = next;
        return true;
    }

    /**
     * The pool of the split that has {@code backend} ({@code host:port}) and a weight above 0, or null: a
     * sticky client whose backend is in another pool of the split stays there until that pool's weight is 0.
     */
    public PoolRuntime poolWith(String backend) {
        int[] w = weights;
        for (int i = 0; i < w.length; i++) {
            if (w[i] > 0 && pools.get(i).backend(backend) != null) {
                return pools.get(i);
            }
        }
        return null;
    }

    /**
     * Sets the weights of the named pools at once (the others keep theirs); null when done, else why not
     * (a pool not in the split, a weight out of 0..1,000,000, or every weight 0), and nothing changed.
     */
    public synchronized String setWeights(Map<String, Integer> change) {
        int[] next = weights.clone();
        for (Map.Entry<String, Integer> e : change.entrySet()) {
            int i = indexOf(e.getKey());
            if (i < 0) {
                return "pool \"" + e.getKey() + "\" is not in this split";
            }
            int v = e.getValue();
            if (v < 0 || v > MAX_WEIGHT) {
                return "the weight of " + e.getKey() + " must be 0 to " + MAX_WEIGHT;
            }
            next[i] = v;
        }
        long total = 0;
        for (int x : next) {
            total += x;
        }
        if (total == 0) {
            return "every weight would be 0; at least one pool must get requests";
        }
        weights = next;
        return null;
    }

    private int indexOf(String pool) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).name().equals(pool)) {
                return i;
            }
        }
        return -1;
    }
}
