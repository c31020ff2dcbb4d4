package io.sluice.l4;

/**
 * Where L4 listeners report what happens, for metrics and access logs. Called on event loops; implementations
 * must be thread-safe and must not block. {@link #NONE} ignores everything.
 */
public interface L4Events {
    /** Ignores every event. */
    L4Events NONE = new L4Events() {
    };

    /**
     * A connection (or session) was routed: {@code result} is the detected protocol of the route taken, "any"
     * for a route that looks at no bytes, "fallback", "listener" hand-overs included under their protocol, or
     * "closed" when nothing took it.
     */
    default void routed(String listener, String result) {
    }

    /** A connection to a backend of {@code pool} could not be made. */
    default void connectFailed(String listener, String pool, String backend) {
    }

    /** A TCP connection or UDP session through this listener reached a backend. */
    default void opened(String listener, String transport, String pool, String backend) {
    }

    /** A TCP connection or UDP session ended (reported once, also when it never reached a backend). */
    default void ended(L4Record record) {
    }
}
