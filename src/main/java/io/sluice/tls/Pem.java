package io.sluice.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and private keys with the JDK alone, and checks that a key belongs to its
 * certificate. Used by the configuration binder (so that a bad file is reported at its line) and by the TLS
 * builders (which use what it read). Every failure is a {@link PemException} whose message names the file
 * and says what to do. Stateless; thread-safe.
 *
 * <p>Keys are read in PKCS#8 ({@code BEGIN PRIVATE KEY}) form, and also as the older
 * {@code BEGIN RSA PRIVATE KEY} (PKCS#1) and {@code BEGIN EC PRIVATE KEY} (SEC 1) forms, which are re-wrapped
 * into PKCS#8 here. Encrypted keys are refused.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] PROBE = "sluice: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * A problem with a PEM file; the message is complete and meant for the person who wrote the
     * configuration. Immutable; thread-safe.
     */
    public static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        public PemException(String message) {
            super(message);
        }
    }

    /** A certificate chain (leaf first) and the private key of its leaf, both read and checked. Immutable. */
    public record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
        public KeyAndChain {
            Objects.requireNonNull(key, "key");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("an empty chain");
            }
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    private Pem() {
    }

    /** Reads {@code certFile} and {@code keyFile} and checks that the key belongs to the leaf certificate. */
    public static KeyAndChain keyAndChain(Path certFile, Path keyFile) throws PemException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        checkPair(key, chain.get(0), certFile, keyFile);
        return new KeyAndChain(key, chain);
    }

    /** The certificates in a PEM file, in file order; at least one. */
    public static List<X509Certificate> certificates(Path file) throws PemException {
        String text = read(file);
        List<X509Certificate> out = new ArrayList<>();
        boolean anyBlock = false;
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 support", e);
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            anyBlock = true;
            if (!m.group(1).equals("CERTIFICATE") && !m.group(1).equals("TRUSTED CERTIFICATE")) {
                continue;
            }
            byte[] der = decode(file, m.group(1), m.group(2));
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw new PemException(file + ": certificate " + (out.size() + 1) + " cannot be read: " + reason(e));
            }
        }
        if (out.isEmpty()) {
            throw new PemException(anyBlock
                    ? file + " has no certificate in it (no -----BEGIN CERTIFICATE----- block); is it a key?"
                    : file + " is not PEM: no -----BEGIN CERTIFICATE----- block found");
        }
        return out;
    }

    /** The private key in a PEM file: PKCS#8, or the traditional RSA or EC forms. */
    public static PrivateKey privateKey(Path file) throws PemException {
        String text = read(file);
        Matcher m = BLOCK.matcher(text);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(file, decode(file, type, m.group(2)), "PRIVATE KEY");
                case "RSA PRIVATE KEY":
                    return pkcs8(file, Der.rsaToPkcs8(decode(file, type, m.group(2))), type);
                case "EC PRIVATE KEY":
                    byte[] wrapped;
                    try {
                        wrapped = Der.ecToPkcs8(decode(file, type, m.group(2)));
                    } catch (IllegalArgumentException e) {
                        throw new PemException(file + ": the EC PRIVATE KEY cannot be read (" + e.getMessage()
                                + "); convert it to PKCS#8 with: " + convert(file));
                    }
                    return pkcs8(file, wrapped, type);
                case "ENCRYPTED PRIVATE KEY":
                    throw new PemException(file + " holds an encrypted key, which Sluice cannot use; write it"
                            + " unencrypted with: " + convert(file));
                default:
                    if (type.endsWith("PRIVATE KEY")) {
                        throw new PemException(file + " holds a " + type + ", not a PKCS#8 key (-----BEGIN PRIVATE"
                                + " KEY-----); convert it with: " + convert(file));
                    }
                    seen.add(type);
            }
        }
        if (text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new PemException(file + " holds an encrypted key, which Sluice cannot use; write it unencrypted"
                    + " as PKCS#8 with: " + convert(file));
        }
        if (seen.isEmpty()) {
            throw new PemException(file + " is not PEM: no -----BEGIN PRIVATE KEY----- block found");
        }
        throw new PemException(file + " has no private key in it (found " + String.join(", ", seen)
                + "); give a PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
    }

    /**
     * Checks that {@code key} belongs to {@code leaf} by signing a short message with the key and verifying
     * it with the certificate's public key (RSA, EC and EdDSA keys).
     */
    public static void checkPair(PrivateKey key, X509Certificate leaf, Path certFile, Path keyFile)
            throws PemException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> throw new PemException(keyFile + ": unsupported key type " + key.getAlgorithm()
                    + "; use an RSA, EC or Ed25519 key");
        };
        if (!compatible(key.getAlgorithm(), leaf.getPublicKey().getAlgorithm())) {
            throw new PemException(keyFile + " does not match the certificate " + certFile + ": the key is "
                    + key.getAlgorithm() + ", the certificate's key is " + leaf.getPublicKey().getAlgorithm());
        }
        boolean ok;
        try {
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(PROBE);
            ok = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new PemException(keyFile + " does not match the certificate " + certFile + " (subject "
                    + leaf.getSubjectX500Principal().getName() + "); give the key the certificate was made for");
        }
    }

    private static boolean compatible(String keyAlgorithm, String certAlgorithm) {
        if (keyAlgorithm.equals(certAlgorithm)) {
            return true;
        }
        List<String> edwards = List.of("EdDSA", "Ed25519", "Ed448");
        return edwards.contains(keyAlgorithm) && edwards.contains(certAlgorithm);
    }

    private static PrivateKey pkcs8(Path file, byte[] der, String type) throws PemException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new PemException(file + ": the " + type + " cannot be read as an RSA, EC or Ed25519 key; write it"
                + " as unencrypted PKCS#8 with: " + convert(file));
    }

    private static byte[] decode(Path file, String type, String base64) throws PemException {
        try {
            return Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new PemException(file + ": the " + type + " block is not valid base64");
        }
    }

    private static String read(Path file) throws PemException {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new PemException(file + " is a directory, not a PEM file");
        }
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new PemException("no such file: " + file);
        } catch (AccessDeniedException e) {
            throw new PemException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new PemException("cannot read " + file + ": " + reason(e));
        }
    }

    private static String convert(Path file) {
        return "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8";
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
