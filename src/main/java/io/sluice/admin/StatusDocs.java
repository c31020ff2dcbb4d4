package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.List;

/**
 * The admin listener's {@code /_health} and {@code /_metrics} documents narrowed to some pools, for a proxy
 * listener that answers them itself (its {@code status_endpoints}): the same code and the same shape, with
 * only the pools its routes use, only its own filters' counters and no L4, stun or turn listeners. Stateless;
 * thread-safe.
 */
public final class StatusDocs {
    private StatusDocs() {
    }

    /** The {@code /_health} document of these pools and of the filters of {@code listener}. */
    public static ObjectNode health(ObjectMapper json, RuntimeSnapshot snap, List<PoolRuntime> pools,
                                    String listener, long nowNanos) {
        return HealthDoc.build(json, snap, pools, listener, nowNanos, null, null);
    }

    /** Whether each of these pools has a backend taking requests (else {@code /_health} answers 503). */
    public static boolean everyPoolUp(List<PoolRuntime> pools) {
        return HealthDoc.everyPoolUp(pools);
    }

    /** The {@code /_metrics} document of these pools. */
    public static ObjectNode metrics(ObjectMapper json, List<PoolRuntime> pools) {
        return MetricsApi.summary(json, pools);
    }

    /** A backend as a URL, {@code http://host:port} ({@code https://} when the pool talks TLS to it). */
    public static String url(PoolRuntime pool, Backend backend) {
        return (pool.config().tls() != null ? "https://" : "http://") + backend.addressText();
    }
}
