package io.sluice.filter;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count a filter reports: added to from any event loop without contention (a {@link LongAdder}), summed
 * when {@code /metrics} is read. Thread-safe.
 */
public final class FilterCounter {
    private final String name;
    private final String help;
    private final String listener;
    private final int route;
    private final String filter;
    private final LongAdder count = new LongAdder();

    FilterCounter(String name, String help, String listener, int route, String filter) {
        this.name = name;
        this.help = help;
        this.listener = listener;
        this.route = route;
        this.filter = filter;
    }

    public void increment() {
        count.increment();
    }

    public void add(long n) {
        count.add(n);
    }

    public long get() {
        return count.sum();
    }

    public String name() {
        return name;
    }

    public String help() {
        return help;
    }

    public String listener() {
        return listener;
    }

    /** The route's index, or -1 for a listener's filter. */
    public int route() {
        return route;
    }

    public String filter() {
        return filter;
    }
}
