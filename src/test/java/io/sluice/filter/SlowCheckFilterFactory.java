package io.sluice.filter;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A filter that decides on another thread, as one calling an authorisation service would: the decision waits
 * until the test opens {@link #gate}, then passes requests with {@code Authorization: ok} and answers 401 to
 * the others. The response hook records whether it ran on the connection's event loop.
 */
public final class SlowCheckFilterFactory implements FilterFactory {
    static final ExecutorService WORKER = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "slow-check-worker");
        t.setDaemon(true);
        return t;
    });
    /** Opened by the test when the slow work may finish. */
    static volatile CountDownLatch gate = new CountDownLatch(0);
    /** Counted down when a decision starts waiting on {@link #gate}. */
    static volatile CountDownLatch waiting = new CountDownLatch(1);

    @Override
    public String name() {
        return "slow_check";
    }

    @Override
    public Object configure(FilterArgs args) {
        return null;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        return new Filter() {
            @Override
            public Verdict onRequest(FilterContext ctx, HttpRequest request) {
                String auth = request.headers().get("Authorization");
                return Verdict.later(CompletableFuture.supplyAsync(() -> {
                    waiting.countDown();
                    try {
                        if (!gate.await(20, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("gate never opened");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    if ("ok".equals(auth)) {
                        return Verdict.next();
                    }
                    return Verdict.respond(HttpResponseStatus.UNAUTHORIZED);
                }, WORKER));
            }

            @Override
            public void onResponse(FilterContext ctx, HttpResponse response) {
                response.headers().set("X-On-Loop", Boolean.toString(ctx.executor().inEventLoop()));
            }
        };
    }
}
