package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away self-signed certificate for {@code localhost} and {@code 127.0.0.1} (P-256, valid two days),
 * made by the {@code openssl} command line tool into a directory the test owns (a {@code @TempDir}): PEM
 * files for Netty's context builders and a JDK {@link SSLContext} that trusts it for the JDK's HTTP and
 * WebSocket clients. Immutable; thread-safe.
 *
 * @param cert the certificate, PEM
 * @param key  its private key, unencrypted PKCS#8 PEM
 */
public record TestCert(Path cert, Path key) {
    /** The openssl binary used. */
    public static final Path OPENSSL = Path.of("/usr/bin/openssl");

    /** True when openssl can run here. */
    public static boolean available() {
        return Files.isExecutable(OPENSSL);
    }

    /** Writes {@code cert.pem} and {@code key.pem} into {@code dir}. */
    public static TestCert generate(Path dir) throws IOException, InterruptedException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder(OPENSSL.toString(), "req", "-x509",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new TestCert(cert, key);
    }

    /** A JDK TLS context whose only trusted certificate is this one. */
    public SSLContext jdkTrusting() throws Exception {
        Certificate c;
        try (InputStream in = Files.newInputStream(cert)) {
            c = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("test", c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
