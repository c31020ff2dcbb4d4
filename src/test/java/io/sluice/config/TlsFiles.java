package io.sluice.config;

import io.sluice.testing.TestCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The certificate files the TLS config tests name, made once per test class under {@code dir/certs}:
 * good pairs, pairs that do not match, keys in other forms, and files that are not what they should be.
 * Not thread-safe; made in {@code @BeforeAll}.
 */
final class TlsFiles {
    final Path dir;
    final TestCerts.Ca ca;
    final TestCerts.Issued a;
    final TestCerts.Issued b;
    final TestCerts.Issued rsa;

    TlsFiles(Path dir) throws IOException {
        this.dir = dir;
        Path certs = Files.createDirectories(dir.resolve("certs"));
        ca = TestCerts.ca(certs, "Test CA");
        a = ca.issue(certs, "a", List.of("DNS:a.test", "DNS:*.wild.test", "IP:127.0.0.1"));
        b = ca.issue(certs, "b", List.of("DNS:b.test"));
        rsa = ca.leaf("rsa").sans("DNS:rsa.test").keyType(TestCerts.KeyType.RSA).issue(certs);
        ca.leaf("ed").sans("DNS:ed.test").keyType(TestCerts.KeyType.ED25519).issue(certs);
        TestCerts.traditionalKey(a, certs.resolve("a-ec-traditional.key"));
        TestCerts.traditionalKey(rsa, certs.resolve("rsa-traditional.key"));
        TestCerts.openssl(certs, "pkcs8", "-topk8", "-in", a.key().toString(), "-out", "a-encrypted.key",
                "-passout", "pass:secret");
        Files.writeString(certs.resolve("not-pem.txt"), "hello, I am not a certificate\n");
        Files.writeString(certs.resolve("dsa.key"), "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n");
    }

    /** Parses {@code yaml} with relative file names resolved against {@link #dir}. */
    Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null, dir);
    }

    /** The errors {@code yaml} is rejected with. */
    List<ConfigError> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected the config to be rejected:\n" + yaml);
    }

    /** A path under {@code certs/}, resolved as the binder resolves it. */
    Path file(String name) {
        return dir.resolve("certs").resolve(name).toAbsolutePath().normalize();
    }
}
