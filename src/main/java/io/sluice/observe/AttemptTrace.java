package io.sluice.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Objects;

/**
 * The CLIENT span of one upstream attempt, from {@link RequestTrace#startAttempt}. End it once with the
 * attempt's outcome. Meant for the request's event loop; safe from any thread; never blocks.
 */
public final class AttemptTrace {
    private final Span span;

    AttemptTrace(Span span) {
        this.span = Objects.requireNonNull(span, "span");
    }

    /** The attempt span's id, 16 lowercase hex digits (the parent id the backend sees). */
    public String spanId() {
        return span.getSpanContext().getSpanId();
    }

    /**
     * Ends the span.
     *
     * @param status      the backend's status, or 0 when it gave none
     * @param failureKind the local failure (e.g. {@code connect_refused}, {@code response_timeout}, {@code reset}), or
     *                    null when there was none; it becomes {@code error.type}, and the span an error, as
     *                    does a 5xx status
     */
    public void end(int status, String failureKind) {
        if (span.isRecording()) {
            if (status > 0) {
                span.setAttribute(HttpAttributes.STATUS, status);
            }
            if (failureKind != null) {
                span.setAttribute(HttpAttributes.ERROR_TYPE, failureKind);
                span.setStatus(StatusCode.ERROR);
            } else if (status >= 500) {
                span.setAttribute(HttpAttributes.ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }
}
