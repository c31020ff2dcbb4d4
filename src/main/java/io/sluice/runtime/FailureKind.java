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
    CLIENT_ABORT;

    /** True for failures that count against the backend (a client leaving does not). */
    public boolean countsAgainstBackend() {
        return this != NONE && this != CLIENT_ABORT;
    }
}
