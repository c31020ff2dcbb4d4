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

    Candidates(List<Backend> backends) {
        this.list = List.copyOf(backends);
        this.array = list.toArray(new Backend[0]);
        this.cumulative = new long[array.length];
        long sum = 0;
        for (int i = 0; i < array.length; i++) {
            sum += array[i].endpoint().weight();
            cumulative[i] = sum;
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

    /** A backend index drawn at random in proportion to weight. */
    int weightedRandom(PickContext ctx) {
        return indexAt(ctx.random().nextLong(totalWeight()));
    }

    /**
     * Attempt {@code attempt} ≥ 1 after the first choice {@code first}: the other backends each once, in
     * array order after it; null when all were handed out.
     */
    Backend after(int first, int attempt) {
        int n = array.length;
        return attempt >= n ? null : array[(first + attempt) % n];
    }

    /** Relative load of two backends: negative when a carries less in-flight work per unit of weight. */
    static int compareLoad(Backend a, Backend b) {
        long la = (long) a.state().inFlight() * b.endpoint().weight();
        long lb = (long) b.state().inFlight() * a.endpoint().weight();
        return Long.compare(la, lb);
    }
}
