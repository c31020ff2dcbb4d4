package io.sluice.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The host names a server certificate is good for: its DNS and IP subject alternative names, or its subject's
 * common name when it has neither. Stateless; thread-safe.
 */
final class CertificateNames {
    private static final int DNS = 2;
    private static final int IP = 7;

    private CertificateNames() {
    }

    /** The names of {@code leaf}, in certificate order; empty when it has none. */
    static List<String> of(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            sans = null;
        }
        if (sans != null) {
            for (List<?> san : sans) {
                Object type = san.get(0);
                if (type instanceof Integer t && (t == DNS || t == IP) && san.get(1) instanceof String s
                        && !out.contains(s)) {
                    out.add(s);
                }
            }
        }
        if (out.isEmpty()) {
            String cn = commonName(leaf);
            if (cn != null) {
                out.add(cn);
            }
        }
        return out;
    }

    private static String commonName(X509Certificate leaf) {
        try {
            LdapName dn = new LdapName(leaf.getSubjectX500Principal().getName());
            for (Rdn rdn : dn.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String s && !s.isBlank()) {
                    return s;
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
