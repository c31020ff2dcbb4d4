package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.turn.AllocationInfo;
import io.sluice.turn.StunListener;
import io.sluice.turn.StunStats;
import io.sluice.turn.TurnService;
import io.sluice.turn.TurnStats;
import java.util.List;

/**
 * The STUN and TURN part of the admin API: {@code GET /api/turn/allocations} lists the allocations of every turn
 * listener (or of one, {@code ?listener=NAME}); {@code DELETE /api/turn/allocations/{listener}/{id}} ends one
 * (its relay socket closes and its permissions and channels go, on its own event loop a moment later); and
 * {@link #listeners} gives the {@code stun_listeners} array of {@code /_health}, read from the listeners' own
 * counters. Stateless; thread-safe.
 */
final class TurnApi {
    /** The allocations' path; one allocation is {@code ALLOCATIONS + "/{listener}/{id}"}. */
    static final String ALLOCATIONS = "/api/turn/allocations";

    private final ObjectMapper json;

    TurnApi(ObjectMapper json) {
        this.json = json;
    }

    /** {@code GET /api/turn/allocations}: every turn listener's allocations, or only those of {@code only}. */
    PoolsApi.Reply list(List<StunListener> listeners, String only) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("allocations");
        boolean found = false;
        for (StunListener l : listeners) {
            TurnService turn = l.turn();
            if (turn == null || only != null && !only.equals(l.config().name())) {
                continue;
            }
            found = true;
            for (AllocationInfo a : turn.allocations()) {
                describe(list.addObject(), l.config().name(), a);
            }
        }
        if (only != null && !found) {
            return PoolsApi.error(json, 404, "no turn listener named \"" + only + "\"");
        }
        return new PoolsApi.Reply(200, root);
    }

    /**
     * {@code DELETE /api/turn/allocations/{listener}/{id}}, {@code rest} being the path after
     * {@code ALLOCATIONS + "/"}: 200 with the allocation as it was when it ended, 404 when there is no such
     * listener or allocation.
     */
    PoolsApi.Reply delete(List<StunListener> listeners, String rest) {
        int slash = rest.lastIndexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            return PoolsApi.error(json, 404, "use DELETE " + ALLOCATIONS + "/{listener}/{id}");
        }
        String name = QueryStringDecoder.decodeComponent(rest.substring(0, slash));
        String idText = rest.substring(slash + 1);
        TurnService turn = turn(listeners, name);
        if (turn == null) {
            return PoolsApi.error(json, 404, "no turn listener named \"" + name + "\"");
        }
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            id = -1;
        }
        long wanted = id;
        AllocationInfo info = turn.allocations().stream().filter(a -> a.id() == wanted).findFirst().orElse(null);
        if (info == null || !turn.delete(id)) {
            return PoolsApi.error(json, 404, "listener " + name + " has no allocation " + idText);
        }
        ObjectNode o = json.createObjectNode();
        describe(o, name, info);
        o.put("deleted", true);
        return new PoolsApi.Reply(200, o);
    }

    private static TurnService turn(List<StunListener> listeners, String name) {
        for (StunListener l : listeners) {
            if (l.turn() != null && l.config().name().equals(name)) {
                return l.turn();
            }
        }
        return null;
    }

    private static void describe(ObjectNode o, String listener, AllocationInfo a) {
        o.put("listener", listener);
        o.put("id", a.id());
        o.put("user", a.user());
        o.put("client", plain(a.client()));
        o.put("relay", plain(a.relay()));
        o.put("age_seconds", a.ageSeconds());
        o.put("bytes_to_peers", a.bytesToPeers());
        o.put("bytes_from_peers", a.bytesFromPeers());
    }

    /**
     * An address as an operator writes it, {@code 192.0.2.1:50000} or {@code udp/192.0.2.1:50000}: without the empty
     * host name that {@link java.net.InetSocketAddress#toString()} puts before a {@code /}.
     */
    static String plain(String address) {
        if (address.startsWith("/")) {
            return address.substring(1);
        }
        int slash = address.indexOf('/');
        return slash >= 0 && address.startsWith("/", slash + 1)
                ? address.substring(0, slash + 1) + address.substring(slash + 2) : address;
    }

    /**
     * The {@code stun_listeners} array of {@code /_health}: per stun or turn listener its STUN counters, open TCP
     * connections, and for a turn listener ({@code turn}, else null) allocations, permissions and channels alive
     * now, what it relayed each way, failed authentications and drops.
     */
    static ArrayNode listeners(ObjectMapper json, List<StunListener> listeners) {
        ArrayNode out = json.createArrayNode();
        for (StunListener l : listeners) {
            ObjectNode o = out.addObject();
            o.put("name", l.config().name());
            o.put("kind", l.config().protocol());
            o.put("bind", l.config().bind().toString());
            ArrayNode transports = o.putArray("transports");
            if (l.config().stun().udp()) {
                transports.add("udp");
            }
            if (l.config().stun().tcp()) {
                transports.add("tcp");
            }
            o.put("open_connections", l.openConnections());
            StunStats s = l.stats();
            o.put("bindings", s.bindings());
            o.put("errors", s.errors());
            o.put("malformed", s.malformed());
            o.put("ignored", s.ignored());
            TurnService turn = l.turn();
            if (turn == null) {
                o.putNull("turn");
                continue;
            }
            TurnStats t = turn.stats();
            ObjectNode r = o.putObject("turn");
            r.put("allocations", t.allocations());
            r.put("permissions", t.permissions());
            r.put("channels", t.channels());
            r.put("allocations_made", t.allocationsMade());
            r.put("packets_to_peers", t.packetsToPeers());
            r.put("bytes_to_peers", t.bytesToPeers());
            r.put("packets_from_peers", t.packetsFromPeers());
            r.put("bytes_from_peers", t.bytesFromPeers());
            r.put("auth_failures", t.authFailures());
            r.put("dropped", t.dropped());
        }
        return out;
    }
}
