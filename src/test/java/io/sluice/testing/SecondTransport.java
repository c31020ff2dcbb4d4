package io.sluice.testing;

import io.sluice.runtime.Transport;
import org.junit.jupiter.api.extension.Extension;

/**
 * The build's second test run asks for a transport with {@code -Dsluice.test.transport} (io_uring by default, see
 * the pom). This turns that into {@code sluice.transport} before any test starts a Sluice, the in-process ones and,
 * through {@link SluiceProcess}, the child processes, so the whole suite runs on it. Where the machine cannot run
 * the transport asked for (io_uring in a container that forbids it), the run says so and uses epoll instead of
 * failing every test for a reason that is not the code's. Registered for every test class through JUnit's
 * extension auto-detection. Thread-safe (it acts once, when the class is loaded).
 */
public final class SecondTransport implements Extension {
    static {
        String asked = System.getProperty("sluice.test.transport");
        if (asked != null && !asked.isBlank() && System.getProperty("sluice.transport") == null) {
            String use = asked;
            try {
                Transport.resolve(asked);
            } catch (IllegalArgumentException e) {
                use = "epoll";
                System.out.println("[second transport] " + e.getMessage() + "; running this pass on epoll");
            }
            System.setProperty("sluice.transport", use);
        }
    }
}
