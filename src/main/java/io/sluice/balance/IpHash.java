package io.sluice.balance;

import java.util.List;

/**
 * {@code ip_hash}: the client's IP address (not its port) decides the backend, in proportion to weight, so
 * one client keeps its backend while the pool is unchanged. When that backend is unusable the request goes
 * to another, the same one for every request of that client, chosen so that the unusable backend's
 * clients spread over all the others. Adding or removing a backend
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
            long h = Hashing.hash(ctx.client());
            if (attempt == 0) {
                int i = c.indexAt(Long.remainderUnsigned(h, c.totalWeight()));
                ctx.cursor(i);
                return c.get(i);
            }
            // The same client always falls back the same way; different clients spread.
            return c.after(ctx, attempt, h >>> 17);
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
