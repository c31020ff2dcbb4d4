package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.map;
import static io.sluice.config.SchemaType.name;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.SchemaType.text;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binds {@code protocol: stun} and {@code protocol: turn} listeners. Stateless. */
final class StunBinder {
    private static final List<String> TRANSPORTS = List.of("udp", "tcp");
    /** RFC 7443's ALPN names, offered by stun and turn listeners with TLS unless `alpn` says otherwise. */
    static final List<String> STUN_ALPN = List.of("stun.turn", "stun.nat-discovery");
    static final Section AUTH = Section.of("turn_auth", "How TURN clients authenticate (long-term credentials).",
            key("shared_secret", string(), "The TURN REST API secret (coturn's static-auth-secret): user"
                    + " `expiry:name`, password base64(HMAC-SHA1(secret, user)); use ${ENV}."),
            key("users", map(text()), "Static users, name to password; use ${ENV} for the passwords."));
    static final Section TURN = Section.of("turn", "The relay of a turn listener (RFC 8656).",
            required("realm", string(), "The realm clients authenticate in, e.g. example.com."),
            required("auth", ref(AUTH), "shared_secret, users or both."),
            key("relay_ports", string(), "The relay ports, e.g. 49152-65535 (the default)."),
            key("relay_address", string(), "The address announced in XOR-RELAYED-ADDRESS (default: the bind address,"
                    + " which must then not be a wildcard)."),
            key("max_allocations", integer(1, 10_000_000), "Most allocations at once (default 10000; 508 past it)."),
            key("max_allocations_per_user", integer(1, 10_000_000), "Most allocations of one user (default 10;"
                    + " 486 past it)."),
            key("default_lifetime", duration(), "An allocation's lifetime when the client asks for none (default"
                    + " 10m)."),
            key("max_lifetime", duration(), "The longest lifetime granted (default 1h)."),
            key("denied_peers", list(string()), "Peer ranges no allocation may reach (default: private, loopback,"
                    + " link-local and other special ranges)."),
            key("allowed_peers", list(string()), "Exceptions to denied_peers, e.g. [ 127.0.0.1 ] for tests."),
            key("auth_failures_per_minute", integer(1, 1_000_000), "Failed authentications one address may make"
                    + " per minute before its requests are dropped for the rest of it (default 20)."),
            key("bandwidth_per_allocation", string(), "A cap on what one allocation relays each way, e.g. 2Mbit,"
                    + " 500kbit or 1MB (bytes) per second; datagrams over it are dropped (default: no cap)."));
    static final Section STUN_LISTENER = Section.of("stun_listener", "A stun listener: a STUN server (RFC 8489"
                    + " Binding) answering clients with the address they are seen from.",
            required("name", name(), "The listener's name, used in logs and metrics."),
            required("bind", address(), "The address to listen on, e.g. 0.0.0.0:3478."),
            required("protocol", oneOf(List.of(ListenerConfig.STUN)), "stun."),
            key("transports", list(oneOf(TRANSPORTS)), "udp, tcp or both on the same port (default [udp, tcp];"
                    + " [tcp] with tls)."),
            key("tls", ref(TlsBinder.LISTENER_TLS), "Certificates: STUN over TLS (stuns:) on TCP."),
            key("idle_timeout", duration(), "A TCP connection with no message for this long is closed"
                    + " (default 5m)."));
    static final Section TURN_LISTENER = Section.of("turn_listener", "A turn listener: a TURN relay (RFC 8656)"
                    + " that answers STUN Binding too.",
            required("name", name(), "The listener's name, used in logs and metrics."),
            required("bind", address(), "The address to listen on, e.g. 0.0.0.0:3478."),
            required("protocol", oneOf(List.of(ListenerConfig.TURN)), "turn."),
            key("transports", list(oneOf(TRANSPORTS)), "udp, tcp or both on the same port (default [udp, tcp];"
                    + " [tcp] with tls)."),
            key("tls", ref(TlsBinder.LISTENER_TLS), "Certificates: TURN over TLS (turns:) on TCP, usually on its"
                    + " own listener on port 5349."),
            key("idle_timeout", duration(), "A TCP connection with no message and no allocation for this long is"
                    + " closed (default 5m)."),
            required("turn", ref(TURN), "The relay's settings."));

    private StunBinder() {
    }

    /** Whether the file's listeners are all stun or turn ones (as written), which need no pools. */
    static boolean onlyStunOrTurn(YamlNode listeners) {
        if (!(listeners instanceof YamlNode.Sequence seq) || seq.items().isEmpty()) {
            return false;
        }
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlNode.Mapping lm && value(lm, "protocol") instanceof YamlNode.Scalar p
                    && (ListenerConfig.STUN.equals(p.text()) || ListenerConfig.TURN.equals(p.text())))) {
                return false;
            }
        }
        return true;
    }

    /** The listener at {@code path}, or null after its errors are recorded; claims its port for each transport. */
    static ListenerConfig listener(Binder b, YamlNode.Mapping m, String path, String name, HostPort bind,
                                   YamlNode bindNode, Refs refs, boolean turn) {
        int before = b.errorCount();
        b.allowOnly(m, path, (turn ? TURN_LISTENER : STUN_LISTENER).keys());
        YamlNode.Entry tlsEntry = m.entry("tls");
        ListenerTlsConfig tls = null;
        if (tlsEntry != null) {
            tls = TlsBinder.listenerTls(b, value(m, "tls"), child(path, "tls"));
            if (tls == null && Binder.absent(tlsEntry.value())) {
                b.error(child(path, "tls"), tlsEntry.line(), tlsEntry.column(), "`tls` has no value; give at least"
                        + " certificates: [ { cert: FILE, key: FILE } ]");
            }
            if (tls != null && !(value(m, "tls") instanceof YamlNode.Mapping tm && tm.entry("alpn") != null)) {
                tls = new ListenerTlsConfig(tls.certificates(), tls.protocols(), STUN_ALPN, tls.clientAuth(),
                        tls.clientCa());
            }
        }
        Set<String> transports = transports(b, m, path, tlsEntry != null);
        if (bind != null && transports.contains("tcp")) {
            refs.bind(bind, child(path, "bind"), bindNode);
        }
        if (bind != null && transports.contains("udp")) {
            refs.udpBind(bind, child(path, "bind"), bindNode);
        }
        Duration idle = or(b.duration(value(m, "idle_timeout"), child(path, "idle_timeout"), false),
                StunConfig.DEFAULTS.idleTimeout());
        TurnConfig relay = null;
        if (turn) {
            YamlNode tn = b.require(m, "turn", path, "the relay's settings: realm and auth");
            YamlNode.Mapping tm = tn == null ? null : b.mapping(tn, child(path, "turn"), "the relay's settings");
            relay = tm == null ? null : relay(b, tm, child(path, "turn"), bind);
        }
        if (b.errorCount() != before || name == null || bind == null || transports.isEmpty() || (turn && relay == null)) {
            return null;
        }
        return ListenerConfig.stun(name, bind,
                new StunConfig(transports.contains("udp"), transports.contains("tcp"), idle, relay), tls);
    }

    private static Set<String> transports(Binder b, YamlNode.Mapping m, String path, boolean tls) {
        Set<String> transports = new LinkedHashSet<>(tls ? List.of("tcp") : TRANSPORTS);
        YamlNode tn = value(m, "transports");
        if (tn == null) {
            return transports;
        }
        List<YamlNode> items = b.sequence(tn, child(path, "transports"), "a list of transports, e.g. [udp, tcp]");
        if (items == null) {
            return transports;
        }
        transports.clear();
        for (int i = 0; i < items.size(); i++) {
            String t = b.text(items.get(i), index(child(path, "transports"), i), "udp or tcp");
            if (t == null) {
                continue;
            }
            if (!TRANSPORTS.contains(t)) {
                b.error(index(child(path, "transports"), i), items.get(i), "unknown transport `" + t + "`"
                        + Suggest.didYouMean(t, TRANSPORTS) + " (allowed: udp, tcp)");
            } else if (!transports.add(t)) {
                b.error(index(child(path, "transports"), i), items.get(i), "transport `" + t + "` is named twice");
            } else if (tls && t.equals("udp")) {
                b.error(index(child(path, "transports"), i), items.get(i), "with `tls` the listener serves TCP"
                        + " only (DTLS is not served); serve UDP on a listener of its own");
            }
        }
        if (items.isEmpty()) {
            b.error(child(path, "transports"), tn, "no transports; give udp, tcp or both");
        }
        return transports;
    }

    private static TurnConfig relay(Binder b, YamlNode.Mapping m, String path, HostPort bind) {
        int before = b.errorCount();
        b.allowOnly(m, path, TURN.keys());
        String realm = b.text(b.require(m, "realm", path, "the realm clients authenticate in, e.g. example.com"),
                child(path, "realm"), "a realm such as example.com");
        String secret = null;
        Map<String, String> users = new LinkedHashMap<>();
        YamlNode an = b.require(m, "auth", path, "how clients authenticate: shared_secret or users");
        YamlNode.Mapping am = an == null ? null : b.mapping(an, child(path, "auth"), "shared_secret and/or users");
        if (am != null) {
            String ap = child(path, "auth");
            b.allowOnly(am, ap, AUTH.keys());
            secret = b.text(value(am, "shared_secret"), child(ap, "shared_secret"), "the shared secret");
            if (secret != null && secret.isEmpty()) {
                b.error(child(ap, "shared_secret"), value(am, "shared_secret"), "the shared secret is empty");
            }
            YamlNode un = value(am, "users");
            YamlNode.Mapping um = un == null ? null : b.mapping(un, child(ap, "users"), "a map of user to password");
            if (um != null) {
                for (YamlNode.Entry e : um.entries()) {
                    String pass = b.text(e.value(), child(child(ap, "users"), e.key()), "a password");
                    if (pass != null && pass.isEmpty()) {
                        b.error(child(child(ap, "users"), e.key()), e.value(), "the password is empty");
                    } else if (pass != null) {
                        users.put(e.key(), pass);
                    }
                }
            }
            if (value(am, "shared_secret") == null && un == null) {
                b.error(ap, an, "no credentials; give `shared_secret` (TURN REST API) or `users`");
            }
        }
        int min = 49152;
        int max = 65535;
        YamlNode rp = value(m, "relay_ports");
        String ports = b.text(rp, child(path, "relay_ports"), "a port range such as 49152-65535");
        if (ports != null) {
            java.util.regex.Matcher r = java.util.regex.Pattern.compile("\\s*(\\d{1,5})\\s*-\\s*(\\d{1,5})\\s*")
                    .matcher(ports);
            if (r.matches() && Integer.parseInt(r.group(1)) >= 1 && Integer.parseInt(r.group(2)) <= 65535
                    && Integer.parseInt(r.group(1)) <= Integer.parseInt(r.group(2))) {
                min = Integer.parseInt(r.group(1));
                max = Integer.parseInt(r.group(2));
            } else {
                b.error(child(path, "relay_ports"), rp, "`" + ports + "` is not a port range such as 49152-65535");
            }
        }
        String relayAddress = b.text(value(m, "relay_address"), child(path, "relay_address"), "an IP address");
        if (relayAddress != null && !isIpLiteral(relayAddress)) {
            b.error(child(path, "relay_address"), value(m, "relay_address"), "`" + relayAddress + "` is not an IP"
                    + " address; give the address clients reach the relay at, e.g. 203.0.113.10");
            relayAddress = null;
        } else if (relayAddress == null && bind != null && wildcard(bind.host())) {
            b.error(child(path, "relay_address"), m, "the listener binds a wildcard address, so clients need to be"
                    + " told where the relay is: add `relay_address`, e.g. relay_address: 203.0.113.10");
        }
        int maxAllocations = or(b.integer(value(m, "max_allocations"), child(path, "max_allocations"), 1,
                10_000_000), 10_000);
        int perUser = or(b.integer(value(m, "max_allocations_per_user"), child(path, "max_allocations_per_user"), 1,
                10_000_000), 10);
        Duration lifetime = or(b.duration(value(m, "default_lifetime"), child(path, "default_lifetime"), false),
                Duration.ofMinutes(10));
        Duration maxLifetime = or(b.duration(value(m, "max_lifetime"), child(path, "max_lifetime"), false),
                Duration.ofHours(1));
        if (lifetime.compareTo(maxLifetime) > 0) {
            b.error(child(path, "default_lifetime"), value(m, "default_lifetime"), "default_lifetime " + lifetime
                    + " is longer than max_lifetime " + maxLifetime);
        }
        List<CidrBlock> denied = ranges(b, m, path, "denied_peers");
        List<CidrBlock> allowed = ranges(b, m, path, "allowed_peers");
        int failures = or(b.integer(value(m, "auth_failures_per_minute"), child(path, "auth_failures_per_minute"), 1,
                1_000_000), 20);
        long bandwidth = bandwidth(b, m, path);
        if (b.errorCount() != before || realm == null || (secret == null && users.isEmpty())) {
            return null;
        }
        return new TurnConfig(realm, secret, users, min, max, relayAddress, maxAllocations, perUser, lifetime,
                maxLifetime, denied == null ? TurnConfig.defaultDenied() : denied, allowed == null ? List.of() : allowed,
                failures, bandwidth);
    }

    /** {@code bandwidth_per_allocation} in bytes per second: bits (2Mbit, 500kbit) or bytes (1MB, 64KiB). */
    private static long bandwidth(Binder b, YamlNode.Mapping m, String path) {
        YamlNode n = value(m, "bandwidth_per_allocation");
        String text = b.text(n, child(path, "bandwidth_per_allocation"), "a rate such as 2Mbit");
        if (text == null) {
            return 0;
        }
        java.util.regex.Matcher r = java.util.regex.Pattern.compile("\\s*(\\d{1,12})\\s*([kKMG]?)(bit|bps|B|iB)\\s*(/s)?\\s*")
                .matcher(text);
        if (!r.matches()) {
            b.error(child(path, "bandwidth_per_allocation"), n, "`" + text + "` is not a rate; write e.g. 2Mbit,"
                    + " 500kbit (bits per second) or 1MB, 64KiB (bytes per second)");
            return 0;
        }
        boolean binary = r.group(3).equals("iB");
        long scale = switch (r.group(2)) {
            case "k", "K" -> binary ? 1024 : 1000;
            case "M" -> binary ? 1024 * 1024 : 1_000_000;
            case "G" -> binary ? 1024L * 1024 * 1024 : 1_000_000_000;
            default -> 1;
        };
        long value = Long.parseLong(r.group(1)) * scale;
        long bytes = r.group(3).equals("bit") || r.group(3).equals("bps") ? value / 8 : value;
        if (bytes < 1) {
            b.error(child(path, "bandwidth_per_allocation"), n, "`" + text + "` is less than a byte per second");
        }
        return bytes;
    }

    private static List<CidrBlock> ranges(Binder b, YamlNode.Mapping m, String path, String key) {
        YamlNode n = value(m, key);
        if (n == null) {
            return null;
        }
        List<CidrBlock> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, child(path, key), "a list of addresses or ranges such as 10.0.0.0/8");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                String t = b.text(items.get(i), index(child(path, key), i), "an address or range");
                if (t == null) {
                    continue;
                }
                try {
                    out.add(CidrBlock.parse(t));
                } catch (IllegalArgumentException e) {
                    b.error(index(child(path, key), i), items.get(i), e.getMessage());
                }
            }
        }
        return out;
    }

    private static boolean isIpLiteral(String s) {
        if (!s.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(s); // a literal: no lookup
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }
}
