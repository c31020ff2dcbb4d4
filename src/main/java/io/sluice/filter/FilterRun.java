package io.sluice.filter;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange going through a {@link FilterChain}: runs the hooks in order, keeps each filter's state, waits
 * for a deferred verdict and resumes on the event loop. The data path extends it with what a
 * {@link FilterContext} tells; confined to the client connection's event loop (except the completion of a
 * deferred verdict, which only hops back to it).
 */
public abstract class FilterRun implements FilterContext {
    private static final Logger LOG = LoggerFactory.getLogger(FilterRun.class);
    /** {@link #request()}'s answer while a verdict is pending: the run calls {@link #resume} later. */
    public static final Verdict PENDING = Verdict.later(new java.util.concurrent.CompletableFuture<>());

    private final FilterChain chain;
    private Object[] states;
    private int current;
    /** Filters whose request hook ran (or was skipped past): response hooks run for these. */
    private int reached;
    private boolean pending;
    private boolean ended;

    protected FilterRun(FilterChain chain) {
        this.chain = chain;
    }

    /**
     * Runs the request hooks: {@link Verdict#next()} when every filter passed, a local answer, or
     * {@link #PENDING} when a filter deferred, in which case {@link #resume} gets the outcome on the event loop.
     */
    public final Verdict runRequest() {
        return from(0);
    }

    private Verdict from(int start) {
        Filter[] f = chain.filters;
        for (int i = start; i < f.length; i++) {
            reached = i + 1;
            current = i;
            Verdict v;
            try {
                v = f[i].onRequest(this, request());
            } catch (RuntimeException e) {
                LOG.warn("filter {} failed on a request: {}", f[i].getClass().getName(), e.toString());
                v = Verdict.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR);
            }
            if (v == null || v.passes()) {
                continue;
            }
            if (v.later() != null) {
                int next = i + 1;
                pending = true;
                v.later().whenComplete((later, err) -> executor().execute(() -> resumed(next, later, err)));
                return PENDING;
            }
            reached = i; // the answer passes the response hooks of the filters before this one
            return v;
        }
        return Verdict.next();
    }

    private void resumed(int next, Verdict v, Throwable err) {
        pending = false;
        if (ended) {
            if (v != null && v.response() != null) {
                v.response().release();
            }
            return;
        }
        Verdict out;
        if (err != null) {
            LOG.warn("filter {} failed to decide on a request: {}", chain.filters[next - 1].getClass().getName(),
                    err.toString());
            out = Verdict.respond(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        } else if (v == null || v.passes()) {
            out = from(next);
        } else if (v.later() != null) {
            pending = true;
            v.later().whenComplete((later, e) -> executor().execute(() -> resumed(next, later, e)));
            return;
        } else {
            reached = next - 1;
            out = v;
        }
        if (out != PENDING) {
            resume(out);
        }
    }

    /** True while a filter's verdict is pending. */
    public final boolean pending() {
        return pending;
    }

    /**
     * Called on the event loop with the outcome of a deferred request: {@link Verdict#next()} (go to the
     * backend) or a local answer. Not called after {@link #complete}.
     */
    protected abstract void resume(Verdict verdict);

    /** Passes a request body part through the filters in order. */
    public final HttpContent requestContent(HttpContent c) {
        for (int i = 0; i < reached; i++) {
            current = i;
            c = chain.filters[i].onRequestContent(this, c);
        }
        return c;
    }

    /** Passes a response head through the filters, last first. */
    public final void response(HttpResponse r) {
        for (int i = reached - 1; i >= 0; i--) {
            current = i;
            try {
                chain.filters[i].onResponse(this, r);
            } catch (RuntimeException e) {
                LOG.warn("filter {} failed on a response head: {}", chain.filters[i].getClass().getName(),
                        e.toString());
            }
        }
    }

    /** Passes a response body part through the filters, last first. */
    public final HttpContent responseContent(HttpContent c) {
        for (int i = reached - 1; i >= 0; i--) {
            current = i;
            c = chain.filters[i].onResponseContent(this, c);
        }
        return c;
    }

    /** Ends the run: every filter whose request hook ran hears the status; a pending verdict is dropped. Once. */
    public final void complete(int status) {
        if (ended) {
            return;
        }
        ended = true;
        int ran = pending ? reached : Math.min(chain.filters.length, reached + 1);
        for (int i = 0; i < ran && i < chain.filters.length; i++) {
            current = i;
            try {
                chain.filters[i].onComplete(this, status);
            } catch (RuntimeException e) {
                LOG.warn("filter {} failed at the end of an exchange: {}", chain.filters[i].getClass().getName(),
                        e.toString());
            }
        }
    }

    @Override
    public final Object state() {
        return states == null ? null : states[current];
    }

    @Override
    public final void state(Object value) {
        if (states == null) {
            states = new Object[chain.filters.length];
        }
        states[current] = value;
    }
}
