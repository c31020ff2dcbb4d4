package io.sluice.balance;

import java.util.List;

/**
 * {@code ip_hash}: the client's IP address (not its port) decides the backend, in proportion to weight, so
 * one client keeps its backend while the pool is unchanged. When that backend is unusable the request goes
 * to the next ones in pool order, the same for every request of that client. Adding or removing a backend
 * reshuffles many clients; use {@code consistent_hash} when that matters. Thread-safe.
 */
public final class IpHash implements Strategy {
    public static final String NAME = "ip_hash";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new IpHashPicker(new Candidates(backends));
    }

    private record IpHashPicker(Candidates c) implements Picker {
        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            if (c.size() == 0) {
                return null;
            }
            if (attempt == 0) {
                long h = Hashing.hash(ctx.client());
                int i = c.indexAt(Long.remainderUnsigned(h, c.totalWeight()));
                ctx.cursor(i);
                return c.get(i);
            }
            return c.after((int) ctx.cursor(), attempt);
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }

        @Override
        public boolean sticky() {
            return true;
        }
    }
}
