package io.sluice.filter;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.config.CidrBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code allow} and {@code deny} filters: access by client address, on a listener or a route.
 * {@code allow: [ 10.0.0.0/8, 192.168.0.0/16 ]} answers 403 to every client outside the ranges;
 * {@code deny: [ 203.0.113.0/24 ]} answers 403 to the clients inside them. The client is the real one (a
 * trusted PROXY header or trusted proxy's {@code client_ip_header} named it). Rejections are counted as
 * {@code sluice_filter_denied_total}. Immutable; thread-safe; allocates nothing for a request it lets through.
 */
public final class AccessList implements Filter {
    /** The {@code allow} filter: only clients in the ranges get through. */
    public static final FilterFactory ALLOW = new Factory("allow", true);
    /** The {@code deny} filter: clients in the ranges are turned away. */
    public static final FilterFactory DENY = new Factory("deny", false);

    /** What {@code allow} or {@code deny} is configured with: the ranges, in file order. */
    public record Settings(List<CidrBlock> ranges) {
        public Settings {
            ranges = List.copyOf(ranges);
        }
    }

    private final CidrBlock[] ranges;
    private final boolean allow;
    private final FilterCounter denied;

    private AccessList(Settings settings, boolean allow, FilterCounter denied) {
        this.ranges = settings.ranges().toArray(new CidrBlock[0]);
        this.allow = allow;
        this.denied = denied;
    }

    @Override
    public Verdict onRequest(FilterContext ctx, HttpRequest request) {
        InetAddress a = ctx.client().getAddress();
        boolean listed = a != null && listed(a);
        if (listed == allow) {
            return Verdict.next();
        }
        denied.increment();
        return Verdict.respond(HttpResponseStatus.FORBIDDEN);
    }

    private boolean listed(InetAddress a) {
        for (CidrBlock c : ranges) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private record Factory(String name, boolean allow) implements FilterFactory {
        @Override
        public Object configure(FilterArgs args) {
            String example = "`" + name + ": [ 10.0.0.0/8, 192.168.0.0/16 ]`";
            List<FilterArgs> items;
            if (args.isList()) {
                items = args.items();
            } else if (args.isEmpty() || args.isMap()) {
                args.error("`" + name + "` takes a list of addresses or ranges, e.g. " + example);
                return null;
            } else {
                items = List.of(args); // one range
            }
            if (items == null) {
                return null;
            }
            if (items.isEmpty()) {
                args.error("`" + name + "` has no ranges; " + (allow ? "it would turn every client away" : "it would"
                        + " turn no one away") + ". List some, e.g. " + example);
                return null;
            }
            int before = args.errorCount();
            List<CidrBlock> out = new ArrayList<>();
            for (FilterArgs item : items) {
                String t = item.text();
                if (t == null) {
                    continue;
                }
                try {
                    out.add(CidrBlock.parse(t));
                } catch (IllegalArgumentException e) {
                    item.error(e.getMessage());
                }
            }
            return args.errorCount() == before ? new Settings(out) : null;
        }

        @Override
        public Filter create(Object settings, FilterEnv env) {
            return new AccessList((Settings) settings, allow, env.counter("denied",
                    "requests answered 403 because the client address is not allowed or is denied"));
        }
    }
}
