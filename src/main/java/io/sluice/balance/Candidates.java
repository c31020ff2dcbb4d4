package io.sluice.balance;

import java.util.List;

/**
 * Shared pieces of pickers over an array of backends: the walk that hands out every other backend once
 * after the first choice, and a cumulative weight table for weighted random draws and weighted hashing.
 * Immutable; thread-safe.
 */
final class Candidates {
    private final Backend[] array;
    private final List<Backend> list;
    private final long[] cumulative;
    /** Walker's alias method: column i keeps itself with probability keep[i] (scaled to 2^31), else alias[i]. */
    private final int[] keep;
    private final int[] alias;

    Candidates(List<Backend> backends) {
        this.list = List.copyOf(backends);
        this.array = list.toArray(new Backend[0]);
        this.cumulative = new long[array.length];
        long sum = 0;
        for (int i = 0; i < array.length; i++) {
            sum += array[i].weight();
            cumulative[i] = sum;
        }
        int n = array.length;
        this.keep = new int[n];
        this.alias = new int[n];
        buildAlias(n, sum);
    }

    /** Vose's construction of the alias table: O(n), once per membership change. */
    private void buildAlias(int n, long total) {
        if (n == 0) {
            return;
        }
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0;
        int nl = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = (double) array[i].weight() * n / total;
            if (scaled[i] < 1.0) {
                small[ns++] = i;
            } else {
                large[nl++] = i;
            }
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            keep[s] = (int) Math.min(Integer.MAX_VALUE, Math.round(scaled[s] * (1L << 31)));
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            if (scaled[l] < 1.0) {
                small[ns++] = l;
            } else {
                large[nl++] = l;
            }
        }
        while (nl > 0) {
            int l = large[--nl];
            keep[l] = Integer.MAX_VALUE;
            alias[l] = l;
        }
        while (ns > 0) {
            int s = small[--ns];
            keep[s] = Integer.MAX_VALUE;
            alias[s] = s;
        }
    }

    int size() {
        return array.length;
    }

    Backend get(int i) {
        return array[i];
    }

    List<Backend> list() {
        return list;
    }

    /** Sum of all weights. */
    long totalWeight() {
        return array.length == 0 ? 0 : cumulative[array.length - 1];
    }

    /** The backend owning position {@code point} in [0, totalWeight) of the weight line: binary search. */
    int indexAt(long point) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > point) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A backend index drawn at random in proportion to weight: O(1), one random number (alias method). */
    int weightedRandom(PickContext ctx) {
        long r = ctx.random().nextLong();
        int column = (int) (((r >>> 32) * array.length) >>> 32);
        return (int) (r & Integer.MAX_VALUE) < keep[column] ? column : alias[column];
    }

    /**
     * Attempt {@code attempt} ≥ 1 after the first choice (in {@code ctx.cursor()}): the other backends each
     * once, in array order from a random starting point drawn at attempt 1. The random start matters when
     * the first choice is unusable: its share then spreads over all the others instead of landing on its
     * array neighbour. Null when all were handed out.
     */
    Backend after(PickContext ctx, int attempt) {
        int n = array.length;
        if (attempt >= n) {
            return null;
        }
        if (attempt == 1) {
            ctx.cursor2(ctx.random().nextInt(n - 1));
        }
        return rest((int) ctx.cursor(), ctx.cursor2(), attempt);
    }

    /** As {@link #after(PickContext, int)}, with the starting point derived from {@code seed} (sticky strategies). */
    Backend after(PickContext ctx, int attempt, long seed) {
        int n = array.length;
        if (attempt >= n) {
            return null;
        }
        return rest((int) ctx.cursor(), Long.remainderUnsigned(seed, n - 1), attempt);
    }

    /** The {@code attempt}-th of the backends other than {@code first}, starting {@code start} places after it. */
    private Backend rest(int first, long start, int attempt) {
        int n = array.length;
        int step = 1 + (int) ((start + attempt - 1) % (n - 1));
        return array[(first + step) % n];
    }

    /** Which of two backends is the better choice now; for the two-choice pickers. */
    interface Better {
        /** True when {@code x} should be preferred over {@code y}. */
        boolean test(Backend x, Backend y, PickContext ctx);
    }

    /**
     * The power of two choices, candidate by candidate: attempt 0 draws two different backends at random in
     * proportion to weight and returns the better one (remembering both in the context); attempt 1 returns
     * the other; later attempts the rest each once.
     */
    Backend twoChoices(PickContext ctx, int attempt, Better better) {
        int n = array.length;
        if (n == 0 || attempt >= n) {
            return null;
        }
        if (attempt > 0) {
            return afterPair((int) ctx.cursor(), (int) ctx.cursor2(), attempt);
        }
        int a = weightedRandom(ctx);
        int b = secondDraw(ctx, a);
        if (b >= 0 && better.test(array[b], array[a], ctx)) {
            int t = a;
            a = b;
            b = t;
        }
        ctx.cursor(a);
        ctx.cursor2(b);
        return array[a];
    }

    /** A second weighted draw different from {@code first} (redrawn a few times, then a neighbour); -1 when n < 2. */
    private int secondDraw(PickContext ctx, int first) {
        int n = array.length;
        if (n < 2) {
            return -1;
        }
        for (int tries = 0; tries < 4; tries++) {
            int j = weightedRandom(ctx);
            if (j != first) {
                return j;
            }
        }
        return (first + 1 + ctx.random().nextInt(n - 1)) % n;
    }

    /**
     * Attempt {@code attempt} ≥ 1 after a pick between two: attempt 1 is the {@code loser}, later ones the
     * rest each once, walking on from the {@code winner} and stepping over the loser; null when all were
     * handed out.
     */
    private Backend afterPair(int winner, int loser, int attempt) {
        if (attempt == 1) {
            return loser >= 0 ? array[loser] : null;
        }
        int n = array.length;
        int j = attempt - 1;
        int loserAt = (loser - winner + n) % n;
        int step = j < loserAt ? j : j + 1;
        return step < n ? array[(winner + step) % n] : null;
    }

    /** Relative load of two backends: negative when a carries less in-flight work per unit of weight. */
    static int compareLoad(Backend a, Backend b) {
        long la = (long) a.state().inFlight() * b.weight();
        long lb = (long) b.state().inFlight() * a.weight();
        return Long.compare(la, lb);
    }
}
