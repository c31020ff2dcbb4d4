package io.sluice.runtime;

/** Why an upstream attempt failed locally, apart from any status the backend sent. */
public enum FailureKind {
    /** The attempt got a complete response (whatever its status). */
    NONE,
    /** The backend refused the TCP connection or it could not be made. */
    CONNECT_REFUSED,
    /** The TCP connection was not established within the connect timeout. */
    CONNECT_TIMEOUT,
    /** The backend closed or reset the connection before the response was complete. */
    RESET,
    /** The response headers did not arrive within the response timeout. */
    RESPONSE_TIMEOUT,
    /** The client went away before the response was complete. */
    CLIENT_ABORT,
    /**
     * The pool's connection limit for the backend was reached and the request could not wait for a connection
     * (the queue was full) or waited past the queue timeout. Nothing was sent.
     */
    CONNECTION_LIMIT;

    /**
     * True for failures that count against the backend: not a client leaving, nor a limit Sluice keeps itself (a
     * busy backend is not a broken one).
     */
    public boolean countsAgainstBackend() {
        return this != NONE && this != CLIENT_ABORT && this != CONNECTION_LIMIT;
    }
}
