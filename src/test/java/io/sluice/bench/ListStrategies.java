package io.sluice.bench;

import io.sluice.balance.Strategies;

/** Prints the registered strategy names, comma-separated, for {@code bench/jmh.sh}. */
public final class ListStrategies {
    private ListStrategies() {
    }

    public static void main(String[] args) {
        System.out.println(String.join(",", Strategies.names()));
    }
}
