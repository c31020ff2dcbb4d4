package io.sluice.balance;

import java.util.List;

/**
 * A load-balancing strategy: the plug-in point for choosing backends. Two stages: {@link #newPicker}
 * does the work whenever the set of backends changes; the picker it returns does the lock-free per-request
 * choice. An instance carries its pool's {@link BalanceOptions}. Implementations are immutable and
 * thread-safe.
 */
public interface Strategy {

    /** The name used in configuration, e.g. "round_robin". */
    String name();

    /**
     * Builds a picker over {@code backends}.
     *
     * @param previous the picker this one replaces, or null; a strategy may carry its position over from
     *                 a picker of its own kind
     * @param backends the backends in configuration order
     */
    Picker newPicker(Picker previous, List<Backend> backends);
}
