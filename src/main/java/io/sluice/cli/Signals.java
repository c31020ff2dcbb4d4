package io.sluice.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into one call of a stop action, on a thread of its own, so the process can drain
 * and exit 0 rather than die with 143. Thread-safe.
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
            try {
                Signal.handle(new Signal(name), s -> guarded.run());
            } catch (IllegalArgumentException e) {
                // The signal is not available on this platform; the JVM's default applies.
            }
        }
    }
}
