package io.sluice.health;

/**
 * What active health checks have found about one backend: rise/fall hysteresis over probe results, and
 * counters for operators. A backend starts healthy; {@code fall} failures in a row take it down and
 * {@code rise} successes in a row bring it back, so a backend whose probes alternate never changes state.
 * Carried over with the backend's state when a reload keeps the backend.
 *
 * <p>Thread-safe: probes of one backend never overlap, and {@link #record} is synchronized anyway (it runs
 * once per probe, not per request); the readers see volatile fields.
 */
public final class ActiveHealth {
    /** What one probe result did to the backend's state. */
    public enum Transition {
        /** The state is unchanged. */
        NONE,
        /** The backend was down and is up again. */
        UP,
        /** The backend was up and is down now. */
        DOWN
    }

    private volatile boolean healthy = true;
    private int successesInRow;
    private int failuresInRow;
    private volatile long passed;
    private volatile long failed;
    private volatile long transitions;
    private volatile String lastFailure;
    private volatile long lastProbeNanos;

    /**
     * Records one probe result.
     *
     * @param ok      whether the probe passed
     * @param failure why it failed (for operators), or null when it passed
     * @param rise    successes in a row that bring a down backend up
     * @param fall    failures in a row that take an up backend down
     */
    public synchronized Transition record(boolean ok, String failure, int rise, int fall) {
        lastProbeNanos = System.nanoTime();
        if (ok) {
            passed++;
            failuresInRow = 0;
            successesInRow++;
            if (!healthy && successesInRow >= rise) {
                healthy = true;
                transitions++;
                return Transition.UP;
            }
        } else {
            failed++;
            lastFailure = failure;
            successesInRow = 0;
            failuresInRow++;
            if (healthy && failuresInRow >= fall) {
                healthy = false;
                transitions++;
                return Transition.DOWN;
            }
        }
        return Transition.NONE;
    }

    /** False once active checks have taken the backend down, until they bring it back. */
    public boolean healthy() {
        return healthy;
    }

    /** Probes that passed. */
    public long passed() {
        return passed;
    }

    /** Probes that failed. */
    public long failed() {
        return failed;
    }

    /** How many times the state changed (up to down or down to up). */
    public long transitions() {
        return transitions;
    }

    /**
     * When the last probe result was recorded, in {@link System#nanoTime()} terms; meaningless before the first
     * ({@link #passed()} + {@link #failed()} is 0 then).
     */
    public long lastProbeNanos() {
        return lastProbeNanos;
    }

    /** Why the last failed probe failed, or null when none has. */
    public String lastFailure() {
        return lastFailure;
    }
}
