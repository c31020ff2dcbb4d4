package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.file;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import io.sluice.tls.Pem;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binds the TLS blocks: a listener's {@code tls} (certificates, versions, ALPN, client certificates), a
 * pool's {@code tls} towards its backends, and a listener's {@code http2}. Every file named is read now, so
 * that a missing file, a file that is not PEM, a key that is not PKCS#8 or does not belong to its
 * certificate, or a CA bundle without certificates is reported at the line that names it. Stateless;
 * thread-safe (all state is in the {@link Binder} passed in).
 */
final class TlsBinder {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final List<String> ALPN = List.of("h2", "http/1.1");
    private static final List<String> CLIENT_AUTH = List.of("none", "optional", "require");
    static final Section CERTIFICATE = Section.of("certificate", "A certificate chain and its key, PEM files.",
            required("cert", file(), "The PEM certificate chain, leaf first."),
            required("key", file(), "The certificate's PEM private key (PKCS#8)."));
    static final Section LISTENER_TLS = Section.of("listener_tls", "TLS of an https listener.",
            required("certificates", list(ref(CERTIFICATE)), "Chosen by SNI; the first also serves unknown names."),
            key("protocols", list(oneOf(PROTOCOLS)), "TLS versions offered (default TLSv1.3 and TLSv1.2)."),
            key("alpn", list(oneOf(ALPN)), "Protocols offered by ALPN (default h2, http/1.1)."),
            key("client_auth", oneOf(CLIENT_AUTH), "Client certificates: none (default), optional or require."),
            key("client_ca", file(), "PEM bundle of the CAs that sign client certificates."));
    static final Section UPSTREAM_TLS = Section.of("upstream_tls", "TLS from Sluice to a pool's backends.",
            key("verify", bool(), "Check the backend's certificate (default true)."),
            key("ca", file(), "PEM bundle of the CAs to trust (default the JDK's)."),
            key("sni", string(), "Server name to send and verify (default the backend's host)."),
            key("client_cert", file(), "PEM certificate to present to backends; needs client_key."),
            key("client_key", file(), "PEM private key of client_cert."));
    static final Section HTTP2 = Section.of("http2", "HTTP/2 on a listener; `false` turns it off.",
            key("enabled", bool(), "Whether HTTP/2 is offered (default true)."),
            key("max_concurrent_streams", integer(1, java.lang.Integer.MAX_VALUE), "Streams per connection"
                    + " (default 128)."));
    private static final String DNS_NAME =
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";

    private TlsBinder() {
    }

    // ---- listener ----

    /** A listener's {@code tls} map; null when absent or wrong. */
    static ListenerTlsConfig listenerTls(Binder b, YamlNode n, String path) {
        YamlNode.Mapping m = b.mapping(n, path, "a map of TLS settings (certificates, protocols, alpn, ...)");
        if (m == null) {
            return null;
        }
        int before = b.errorCount();
        b.allowOnly(m, path, LISTENER_TLS.keys());
        List<TlsCertificate> certificates = certificates(b, m, path);
        List<String> protocols = words(b, value(m, "protocols"), child(path, "protocols"), PROTOCOLS, "TLS version");
        List<String> alpn = words(b, value(m, "alpn"), child(path, "alpn"), ALPN, "ALPN protocol");
        ListenerTlsConfig.ClientAuth auth = clientAuth(b, value(m, "client_auth"), child(path, "client_auth"));
        YamlNode caNode = value(m, "client_ca");
        Path clientCa = b.file(caNode, child(path, "client_ca"), "a PEM file of CA certificates");
        if (clientCa != null) {
            caBundle(b, clientCa, caNode, child(path, "client_ca"));
        }
        if (auth != null && auth != ListenerTlsConfig.ClientAuth.NONE && clientCa == null && caNode == null) {
            b.error(child(path, "client_auth"), value(m, "client_auth"), "client_auth: "
                    + auth.name().toLowerCase(Locale.ROOT) + " needs `client_ca`, the PEM bundle of the CAs that"
                    + " sign client certificates");
        }
        if ((auth == null || auth == ListenerTlsConfig.ClientAuth.NONE) && caNode != null) {
            YamlNode.Entry e = m.entry("client_ca");
            b.error(child(path, "client_ca"), e.line(), e.column(), "`client_ca` is used only to check client"
                    + " certificates; add `client_auth: optional` or `client_auth: require`, or remove it");
        }
        if (b.errorCount() != before || certificates == null) {
            return null;
        }
        return new ListenerTlsConfig(certificates, or(protocols, ListenerTlsConfig.DEFAULT_PROTOCOLS),
                or(alpn, ListenerTlsConfig.DEFAULT_ALPN), or(auth, ListenerTlsConfig.ClientAuth.NONE), clientCa);
    }

    private static List<TlsCertificate> certificates(Binder b, YamlNode.Mapping tls, String path) {
        String at = child(path, "certificates");
        YamlNode n = b.require(tls, "certificates", path, "the certificate chains and keys to serve, e.g."
                + " certificates: [ { cert: example.pem, key: example.key } ]");
        List<YamlNode> items = b.sequence(n, at, "a list of certificates, each { cert: FILE, key: FILE }");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            b.error(at, n, "no certificates: give at least one { cert: FILE, key: FILE }");
            return null;
        }
        List<TlsCertificate> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            TlsCertificate c = certificate(b, items.get(i), index(at, i));
            if (c != null) {
                out.add(c);
            }
        }
        return out.size() == items.size() ? out : null;
    }

    private static TlsCertificate certificate(Binder b, YamlNode n, String path) {
        YamlNode.Mapping m = b.mapping(n, path, "a certificate { cert: FILE, key: FILE }");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty certificate entry; write { cert: FILE, key: FILE }");
            }
            return null;
        }
        b.allowOnly(m, path, CERTIFICATE.keys());
        YamlNode certNode = b.require(m, "cert", path, "the PEM certificate chain, leaf first");
        YamlNode keyNode = b.require(m, "key", path, "the certificate's PEM private key, PKCS#8");
        Path cert = b.file(certNode, child(path, "cert"), "a PEM certificate file");
        Path key = b.file(keyNode, child(path, "key"), "a PEM key file");
        return pair(b, cert, certNode, child(path, "cert"), key, keyNode, child(path, "key"))
                ? new TlsCertificate(cert, key) : null;
    }

    // ---- upstream ----

    /** A pool's {@code tls} map; null when wrong. */
    static UpstreamTlsConfig upstreamTls(Binder b, YamlNode.Mapping m, String path) {
        int before = b.errorCount();
        b.allowOnly(m, path, UPSTREAM_TLS.keys());
        Boolean verify = b.bool(value(m, "verify"), child(path, "verify"));
        YamlNode caNode = value(m, "ca");
        Path ca = b.file(caNode, child(path, "ca"), "a PEM file of CA certificates");
        if (ca != null) {
            caBundle(b, ca, caNode, child(path, "ca"));
        }
        if (Boolean.FALSE.equals(verify) && caNode != null) {
            YamlNode.Entry e = m.entry("ca");
            b.error(child(path, "ca"), e.line(), e.column(), "`ca` is not used with `verify: false`, which trusts"
                    + " any certificate; remove one of them");
        }
        YamlNode sniNode = value(m, "sni");
        String sni = b.text(sniNode, child(path, "sni"), "a server name");
        if (sni != null && !sni.matches(DNS_NAME)) {
            b.error(child(path, "sni"), sniNode, "bad server name \"" + sni + "\"; SNI takes a DNS name such as"
                    + " api.internal (not an IP address, port or URL)");
        }
        YamlNode certNode = value(m, "client_cert");
        YamlNode keyNode = value(m, "client_key");
        Path cert = b.file(certNode, child(path, "client_cert"), "a PEM certificate file");
        Path key = b.file(keyNode, child(path, "client_key"), "a PEM key file");
        if (m.entry("client_cert") != null && m.entry("client_key") == null) {
            b.error(child(path, "client_key"), m, "`client_cert` needs `client_key`, its private key");
        } else if (m.entry("client_key") != null && m.entry("client_cert") == null) {
            b.error(child(path, "client_cert"), m, "`client_key` needs `client_cert`, the certificate it belongs to");
        } else if (cert != null && key != null) {
            pair(b, cert, certNode, child(path, "client_cert"), key, keyNode, child(path, "client_key"));
        }
        if (b.errorCount() != before) {
            return null;
        }
        return new UpstreamTlsConfig(or(verify, true), ca, sni, cert, key);
    }

    // ---- http2 ----

    /** A listener's {@code http2}: a map, or a boolean; {@link Http2Config#DEFAULTS} when absent or wrong. */
    static Http2Config http2(Binder b, YamlNode n, String path) {
        Http2Config d = Http2Config.DEFAULTS;
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOL) {
            return new Http2Config((Boolean) s.value(), d.maxConcurrentStreams());
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map of HTTP/2 settings (enabled, max_concurrent_streams), or"
                + " true/false");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, HTTP2.keys());
        Boolean enabled = b.bool(value(m, "enabled"), child(path, "enabled"));
        Integer streams = b.integer(value(m, "max_concurrent_streams"), child(path, "max_concurrent_streams"), 1,
                Integer.MAX_VALUE);
        return new Http2Config(or(enabled, d.enabled()), or(streams, d.maxConcurrentStreams()));
    }

    // ---- files ----

    /** Reads and checks a certificate and its key, reporting problems at the keys; true when both are good. */
    private static boolean pair(Binder b, Path cert, YamlNode certNode, String certPath, Path key, YamlNode keyNode,
                                String keyPath) {
        List<X509Certificate> chain = null;
        if (cert != null) {
            try {
                chain = Pem.certificates(cert);
            } catch (Pem.PemException e) {
                b.error(certPath, certNode, e.getMessage());
            }
        }
        PrivateKey privateKey = null;
        if (key != null) {
            try {
                privateKey = Pem.privateKey(key);
            } catch (Pem.PemException e) {
                b.error(keyPath, keyNode, e.getMessage());
            }
        }
        if (chain == null || privateKey == null) {
            return false;
        }
        try {
            Pem.checkPair(privateKey, chain.get(0), cert, key);
            return true;
        } catch (Pem.PemException e) {
            b.error(keyPath, keyNode, e.getMessage());
            return false;
        }
    }

    private static void caBundle(Binder b, Path file, YamlNode n, String path) {
        try {
            Pem.certificates(file);
        } catch (Pem.PemException e) {
            b.error(path, n, e.getMessage());
        }
    }

    // ---- words ----

    /** A non-empty list of distinct words from {@code allowed}; null when absent or wrong. */
    private static List<String> words(Binder b, YamlNode n, String path, List<String> allowed, String what) {
        List<YamlNode> items = b.sequence(n, path, "a list of " + what + "s (" + String.join(", ", allowed) + ")");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            b.error(path, n, "the list is empty; give at least one of " + String.join(", ", allowed)
                    + ", or leave the key out for all of them");
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String at = index(path, i);
            String w = b.text(items.get(i), at, "a " + what);
            if (w == null) {
                ok = false;
            } else if (!allowed.contains(w)) {
                b.error(at, items.get(i), "unknown " + what + " `" + w + "`" + Suggest.didYouMean(w, allowed)
                        + " (allowed: " + String.join(", ", allowed) + ")");
                ok = false;
            } else if (out.contains(w)) {
                b.error(at, items.get(i), what + " `" + w + "` is listed twice");
                ok = false;
            } else {
                out.add(w);
            }
        }
        return ok ? out : null;
    }

    private static ListenerTlsConfig.ClientAuth clientAuth(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "none, optional or require");
        if (t == null) {
            return null;
        }
        if (!CLIENT_AUTH.contains(t)) {
            b.error(path, n, "unknown client_auth `" + t + "`" + Suggest.didYouMean(t, CLIENT_AUTH)
                    + " (allowed: none, optional, require)");
            return null;
        }
        return ListenerTlsConfig.ClientAuth.valueOf(t.toUpperCase(Locale.ROOT));
    }
}
