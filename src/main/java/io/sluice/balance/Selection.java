package io.sluice.balance;

/**
 * Walks a picker's candidates and returns the first that is available and not excluded, so that no
 * strategy needs its own code for health, breakers, drains or retries. Stateless; thread-safe.
 */
public final class Selection {
    private Selection() {
    }

    /**
     * The first usable candidate for this request, or null when none is left.
     *
     * @param exclude a backend already tried for this request (a retry skips it), or null
     */
    public static Backend select(Picker picker, PickContext ctx, Backend exclude) {
        int limit = picker.backends().size() * 2 + 1;
        for (int attempt = 0; attempt < limit; attempt++) {
            Backend b = picker.candidate(ctx, attempt);
            if (b == null) {
                return null;
            }
            if (b != exclude && b.available()) {
                return b;
            }
        }
        return null;
    }
}
