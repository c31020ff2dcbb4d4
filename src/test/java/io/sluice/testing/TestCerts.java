package io.sluice.testing;

import io.sluice.config.TlsCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Makes certificates for tests with the {@code openssl} command (on the PATH, or {@code /usr/bin/openssl}):
 * a CA, leaf certificates it issues with any subject alternative names and validity dates, self-signed
 * certificates, and JDK trust stores and {@link SSLContext}s for clients. Files go into the directory the
 * test gives (a {@code @TempDir}); keys are unencrypted PKCS#8 PEM, as Sluice reads them.
 *
 * <pre>{@code
 * TestCerts.Ca ca = TestCerts.ca(dir, "Test CA");
 * TestCerts.Issued a = ca.issue(dir, "a.test", List.of("DNS:a.test", "IP:127.0.0.1"));
 * TestCerts.Issued old = ca.leaf("old.test").sans("DNS:old.test").expired().issue(dir);
 * SSLContext client = TestCerts.trusting(ca);
 * }</pre>
 *
 * <p>EC P-256 keys are the default because they are quick to make; {@link KeyType#RSA} and
 * {@link KeyType#ED25519} are there for tests that need them. A {@link Ca} is thread-safe (issuing is
 * serialised); {@link Leaf} builders are not.
 */
public final class TestCerts {
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    private static final DateTimeFormatter CA_DATE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String REQ_CONFIG = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = unused
            [ca_ext]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """;
    private static final String CA_DB_CONFIG = """
            [ca]
            default_ca = test_ca
            [test_ca]
            database = %s/index.txt
            new_certs_dir = %s
            serial = %s/serial
            default_md = sha256
            policy = any
            unique_subject = no
            email_in_dn = no
            [any]
            commonName = supplied
            """;

    /** The kind of key a certificate gets. */
    public enum KeyType { EC, RSA, ED25519 }

    /**
     * A certificate file and its private key file. Immutable; thread-safe.
     *
     * @param cert PEM certificate (leaf only; the issuing CA is not appended)
     * @param key  PEM private key, PKCS#8, unencrypted
     */
    public record Issued(Path cert, Path key) {
        public Issued {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }

        /** As a listener certificate. */
        public TlsCertificate tls() {
            return new TlsCertificate(cert, key);
        }

        /** The certificate, read. */
        public X509Certificate x509() {
            return readCertificates(cert).get(0);
        }

        /** The private key, read. */
        public PrivateKey privateKey() {
            return readKey(key);
        }
    }

    private TestCerts() {
    }

    /** A new CA named {@code commonName}, valid for ten years from yesterday, with an EC key. */
    public static Ca ca(Path dir, String commonName) {
        Path key = newKey(dir, fileName(commonName) + "-ca", KeyType.EC);
        Path cert = dir.resolve(fileName(commonName) + "-ca.pem");
        Path config = write(dir.resolve(fileName(commonName) + "-ca-req.cnf"), REQ_CONFIG);
        openssl(dir, "req", "-x509", "-new", "-config", config.toString(), "-extensions", "ca_ext",
                "-key", key.toString(), "-subj", "/CN=" + commonName, "-days", "3650", "-sha256",
                "-set_serial", serial(), "-out", cert.toString());
        return new Ca(commonName, cert, key, dir);
    }

    /** A self-signed certificate (its own CA) for {@code commonName} with these names, valid for a year. */
    public static Issued selfSigned(Path dir, String commonName, List<String> sans) {
        Path key = newKey(dir, fileName(commonName), KeyType.EC);
        Path cert = dir.resolve(fileName(commonName) + ".pem");
        Path config = write(dir.resolve(fileName(commonName) + "-self.cnf"), REQ_CONFIG + leafSection(sans));
        openssl(dir, "req", "-x509", "-new", "-config", config.toString(), "-extensions", "leaf_ext",
                "-key", key.toString(), "-subj", "/CN=" + commonName, "-days", "365", "-sha256",
                "-set_serial", serial(), "-out", cert.toString());
        return new Issued(cert, key);
    }

    /** A JDK trust store holding every certificate in these PEM files. */
    public static KeyStore trustStore(Path... pemFiles) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Path p : pemFiles) {
                for (X509Certificate c : readCertificates(p)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts only {@code ca}. */
    public static SSLContext trusting(Ca ca) {
        return trusting(ca.cert());
    }

    /** A client context that trusts only the certificates in {@code pemFile} (a CA or a self-signed cert). */
    public static SSLContext trusting(Path pemFile) {
        return context(trustStore(pemFile), null);
    }

    /** A client context that trusts {@code ca} and shows {@code clientCert} to servers that ask. */
    public static SSLContext trustingWithClientCert(Path ca, Issued clientCert) {
        return context(trustStore(ca), clientCert);
    }

    /**
     * Writes {@code issued}'s key in the traditional OpenSSL form ({@code BEGIN RSA PRIVATE KEY} or
     * {@code BEGIN EC PRIVATE KEY}) to {@code out}.
     */
    public static Path traditionalKey(Issued issued, Path out) {
        openssl(out.toAbsolutePath().getParent(), "pkey", "-in", issued.key().toString(), "-traditional",
                "-out", out.toString());
        return out;
    }

    /**
     * Runs {@code openssl} with {@code args} in {@code dir} and returns what it printed.
     *
     * @throws IllegalStateException when it fails, with its output
     */
    public static String openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(opensslCommand());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + command);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed (" + p.exitValue() + "): " + command + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run openssl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A CA that issues leaf certificates. Thread-safe. */
    public static final class Ca {
        private final String name;
        private final Path cert;
        private final Path key;
        private final Path dir;

        private Ca(String name, Path cert, Path key, Path dir) {
            this.name = name;
            this.cert = cert;
            this.key = key;
            this.dir = dir;
        }

        public String name() {
            return name;
        }

        /** The CA certificate, PEM; what clients trust. */
        public Path cert() {
            return cert;
        }

        public Path key() {
            return key;
        }

        public X509Certificate x509() {
            return readCertificates(cert).get(0);
        }

        /** A leaf for {@code commonName} with these names (e.g. "DNS:localhost", "IP:127.0.0.1"), valid a year. */
        public Issued issue(Path outDir, String commonName, List<String> sans) {
            return leaf(commonName).sans(sans).issue(outDir);
        }

        /** A builder for a leaf with more choices: key type and validity dates. */
        public Leaf leaf(String commonName) {
            return new Leaf(this, commonName);
        }

        private synchronized Issued issue(Leaf leaf, Path outDir) {
            String base = fileName(leaf.commonName);
            Path leafKey = newKey(outDir, base, leaf.keyType);
            Path csr = outDir.resolve(base + ".csr");
            Path config = write(outDir.resolve(base + ".cnf"), REQ_CONFIG + leafSection(leaf.sans));
            openssl(outDir, "req", "-new", "-config", config.toString(), "-key", leafKey.toString(),
                    "-subj", "/CN=" + leaf.commonName, "-out", csr.toString());
            Path leafCert = outDir.resolve(base + ".pem");
            if (leaf.notBefore == null) {
                openssl(outDir, "x509", "-req", "-in", csr.toString(), "-CA", cert.toString(), "-CAkey",
                        key.toString(), "-set_serial", serial(), "-days", "365", "-sha256", "-extfile",
                        config.toString(), "-extensions", "leaf_ext", "-out", leafCert.toString());
            } else {
                Path db = dir.resolve(fileName(name) + "-ca-db");
                try {
                    Files.createDirectories(db);
                    if (!Files.exists(db.resolve("index.txt"))) {
                        Files.writeString(db.resolve("index.txt"), "");
                    }
                    Files.writeString(db.resolve("serial"), serial().substring(2) + "\n");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                String d = db.toAbsolutePath().toString();
                Path caConfig = write(db.resolve("ca.cnf"), CA_DB_CONFIG.formatted(d, d, d));
                openssl(outDir, "ca", "-batch", "-config", caConfig.toString(), "-cert", cert.toString(),
                        "-keyfile", key.toString(), "-in", csr.toString(), "-startdate",
                        CA_DATE.format(leaf.notBefore), "-enddate", CA_DATE.format(leaf.notAfter), "-extfile",
                        config.toString(), "-extensions", "leaf_ext", "-notext", "-out", leafCert.toString());
            }
            return new Issued(leafCert, leafKey);
        }
    }

    /** Choices for one leaf certificate; {@link #issue(Path)} makes it. Not thread-safe. */
    public static final class Leaf {
        private final Ca ca;
        private final String commonName;
        private List<String> sans = List.of();
        private KeyType keyType = KeyType.EC;
        private Instant notBefore;
        private Instant notAfter;

        private Leaf(Ca ca, String commonName) {
            this.ca = ca;
            this.commonName = Objects.requireNonNull(commonName, "commonName");
        }

        /** Subject alternative names such as "DNS:a.test", "DNS:*.wild.test", "IP:127.0.0.1"; none by default. */
        public Leaf sans(String... names) {
            return sans(List.of(names));
        }

        public Leaf sans(List<String> names) {
            this.sans = List.copyOf(names);
            return this;
        }

        public Leaf keyType(KeyType type) {
            this.keyType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** Valid from {@code from} to {@code to} (whole seconds, UTC); either may be in the past or future. */
        public Leaf validity(Instant from, Instant to) {
            this.notBefore = Objects.requireNonNull(from, "from");
            this.notAfter = Objects.requireNonNull(to, "to");
            return this;
        }

        /** Valid for a year that ended thirty days ago. */
        public Leaf expired() {
            Instant end = Instant.now().minus(Duration.ofDays(30));
            return validity(end.minus(Duration.ofDays(365)), end);
        }

        /** Valid for a year starting thirty days from now. */
        public Leaf notYetValid() {
            Instant start = Instant.now().plus(Duration.ofDays(30));
            return validity(start, start.plus(Duration.ofDays(365)));
        }

        /** Writes {@code <commonName>.pem} and {@code <commonName>.key} into {@code outDir}. */
        public Issued issue(Path outDir) {
            return ca.issue(this, outDir);
        }
    }

    // ---- helpers ----

    private static String leafSection(List<String> sans) {
        StringBuilder s = new StringBuilder("""
                [leaf_ext]
                basicConstraints = critical, CA:FALSE
                keyUsage = critical, digitalSignature, keyEncipherment
                extendedKeyUsage = serverAuth, clientAuth
                subjectKeyIdentifier = hash
                """);
        if (!sans.isEmpty()) {
            s.append("subjectAltName = ").append(String.join(", ", sans)).append('\n');
        }
        return s.toString();
    }

    private static Path newKey(Path dir, String base, KeyType type) {
        Path key = dir.resolve(base + ".key");
        List<String> args = new ArrayList<>(List.of("genpkey", "-out", key.toString()));
        switch (type) {
            case EC -> args.addAll(List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"));
            case RSA -> args.addAll(List.of("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"));
            case ED25519 -> args.addAll(List.of("-algorithm", "ED25519"));
            default -> throw new IllegalArgumentException(type.toString());
        }
        openssl(dir, args.toArray(new String[0]));
        return key;
    }

    private static SSLContext context(KeyStore trust, Issued clientCert) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCert != null) {
                char[] password = "test".toCharArray();
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", clientCert.privateKey(), password,
                        readCertificates(clientCert.cert()).toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> readCertificates(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> all =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            all.forEach(c -> out.add((X509Certificate) c));
            return out;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot read " + pem, e);
        }
    }

    private static PrivateKey readKey(Path pem) {
        try {
            String text = Files.readString(pem);
            String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
            for (String alg : List.of("EC", "RSA", "EdDSA")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(spec);
                } catch (GeneralSecurityException e) {
                    // next
                }
            }
            throw new IllegalStateException("not a PKCS#8 key: " + pem);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, String text) {
        try {
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random positive 64-bit serial in hex, with the 0x prefix openssl's -set_serial takes. */
    private static String serial() {
        return "0x" + String.format("%016X", RANDOM.nextLong() & Long.MAX_VALUE | (1L << 62));
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String opensslCommand() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, "openssl"))) {
                    return Path.of(d, "openssl").toString();
                }
            }
        }
        return "/usr/bin/openssl";
    }
}
