package io.sluice.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into one call of a stop action, on a thread of its own, so the process can drain
 * and exit 0 rather than die with 143; and SIGHUP into a call of a reload action each time it arrives, so a
 * reload request never kills the process. Thread-safe.
 */
final class Signals {
    private Signals() {
    }

    static void onStop(Runnable stop) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable guarded = () -> {
            if (once.compareAndSet(false, true)) {
                Thread t = new Thread(stop, "sluice-stop");
                t.start();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            handle(name, guarded);
        }
    }

    /**
     * Runs {@code reload} on the JVM's signal thread each time SIGHUP arrives (the JVM's default for SIGHUP
     * is to exit). The action must be quick and must not throw.
     */
    static void onReload(Runnable reload) {
        handle("HUP", reload);
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            // The signal is not available on this platform, or the JVM keeps it (-Xrs); the JVM's default applies.
        }
    }
}
