package io.sluice.health;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.config.HealthCheckConfig;
import java.util.Objects;

/**
 * One kind of active health check: a single probe of a single backend, run asynchronously on an event loop.
 * {@link HealthChecker} decides when to probe and what a result means for the backend; a probe only finds
 * out whether the backend answers as it should right now.
 *
 * <p>A probe must never block the loop it is given, must finish within {@link HealthCheckConfig#timeout()}
 * on its own (a connect timeout plus a scheduled deadline), and must complete the promise exactly once:
 * with a {@link Result}, or with a failure whose cause the checker turns into a reason. It must release
 * every buffer it reads and close its connection once the promise is complete, whoever completed it; the
 * checker cancels the promise to stop a probe early (a reload or {@link HealthChecker#close()}).
 *
 * <p>Implementations are shared by every backend and event loop, so they must be thread-safe; the built-in
 * ones are stateless.
 */
@FunctionalInterface
public interface Probe {

    /**
     * Starts one probe. Called on {@code loop}; returns at once.
     *
     * @param backend the backend to probe ({@link Backend#socketAddress()} is already resolved)
     * @param check   what to probe and how long it may take
     * @param loop    the event loop to make connections on and schedule deadlines with
     * @param result  completed by the probe, normally with {@link Result#pass()} or {@link Result#fail}
     */
    void run(Backend backend, HealthCheckConfig check, EventLoop loop, Promise<Result> result);

    /**
     * What one probe found. Immutable; thread-safe.
     *
     * @param ok     whether the backend passed
     * @param reason why it failed, short and fit for a log line ("connection refused", "status 503"), or
     *               null when it passed
     */
    record Result(boolean ok, String reason) {
        private static final Result PASS = new Result(true, null);

        public Result {
            if (ok == (reason != null)) {
                throw new IllegalArgumentException(ok ? "a pass has no reason" : "a failure needs a reason");
            }
        }

        /** The backend passed. */
        public static Result pass() {
            return PASS;
        }

        /** The backend failed, for this reason. */
        public static Result fail(String reason) {
            return new Result(false, Objects.requireNonNull(reason, "reason"));
        }
    }
}
