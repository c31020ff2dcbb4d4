package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.name;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Binds a {@code protocol: stun} listener: its transports and TCP idle timeout. Stateless. */
final class StunBinder {
    private static final List<String> TRANSPORTS = List.of("udp", "tcp");
    static final Section STUN_LISTENER = Section.of("stun_listener", "A stun listener: a STUN server (RFC 8489"
                    + " Binding) answering clients with the address they are seen from.",
            required("name", name(), "The listener's name, used in logs and metrics."),
            required("bind", address(), "The address to listen on, e.g. 0.0.0.0:3478."),
            required("protocol", oneOf(List.of(ListenerConfig.STUN)), "stun."),
            key("transports", list(oneOf(TRANSPORTS)), "udp, tcp or both on the same port (default [udp, tcp])."),
            key("idle_timeout", duration(), "A TCP connection with no message for this long is closed"
                    + " (default 5m)."));

    private StunBinder() {
    }

    /** The listener at {@code path}, or null after its errors are recorded; claims its port for each transport. */
    static ListenerConfig listener(Binder b, YamlNode.Mapping m, String path, String name, HostPort bind,
                                   YamlNode bindNode, Refs refs) {
        int before = b.errorCount();
        b.allowOnly(m, path, STUN_LISTENER.keys());
        Set<String> transports = new LinkedHashSet<>(TRANSPORTS);
        YamlNode tn = value(m, "transports");
        if (tn != null) {
            List<YamlNode> items = b.sequence(tn, child(path, "transports"), "a list of transports, e.g. [udp, tcp]");
            if (items != null) {
                transports.clear();
                for (int i = 0; i < items.size(); i++) {
                    String t = b.text(items.get(i), index(child(path, "transports"), i), "udp or tcp");
                    if (t == null) {
                        continue;
                    }
                    if (!TRANSPORTS.contains(t)) {
                        b.error(index(child(path, "transports"), i), items.get(i), "unknown transport `" + t
                                + "`" + Suggest.didYouMean(t, TRANSPORTS) + " (allowed: udp, tcp)");
                    } else if (!transports.add(t)) {
                        b.error(index(child(path, "transports"), i), items.get(i), "transport `" + t
                                + "` is named twice");
                    }
                }
                if (items.isEmpty()) {
                    b.error(child(path, "transports"), tn, "no transports; give udp, tcp or both");
                }
            }
        }
        if (bind != null && transports.contains("tcp")) {
            refs.bind(bind, child(path, "bind"), bindNode);
        }
        if (bind != null && transports.contains("udp")) {
            refs.udpBind(bind, child(path, "bind"), bindNode);
        }
        Duration idle = or(b.duration(value(m, "idle_timeout"), child(path, "idle_timeout"), false),
                StunConfig.DEFAULTS.idleTimeout());
        if (b.errorCount() != before || name == null || bind == null || transports.isEmpty()) {
            return null;
        }
        return ListenerConfig.stun(name, bind,
                new StunConfig(transports.contains("udp"), transports.contains("tcp"), idle));
    }
}
