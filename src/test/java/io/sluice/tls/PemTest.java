package io.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pem reads chains and every key form the JDK can take, and tells a matching key from one that is not. */
class PemTest {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;

    @BeforeAll
    static void makeCa() {
        ca = TestCerts.ca(dir, "Test CA");
    }

    @Test
    void eachKeyTypeAndFormMatchesItsCertificate() throws Exception {
        for (TestCerts.KeyType type : TestCerts.KeyType.values()) {
            TestCerts.Issued leaf = ca.leaf("leaf-" + type).keyType(type).issue(dir);
            Pem.KeyAndChain kc = Pem.keyAndChain(leaf.cert(), leaf.key());
            assertThat(kc.leaf()).isEqualTo(leaf.x509());
            assertThat(kc.key()).isEqualTo(leaf.privateKey());
            if (type != TestCerts.KeyType.ED25519) {
                Path traditional = TestCerts.traditionalKey(leaf, dir.resolve("traditional-" + type + ".key"));
                assertThat(Files.readString(traditional)).startsWith("-----BEGIN " + type + " PRIVATE KEY-----");
                // keyAndChain checks the re-wrapped key against the certificate by a signature
                assertThat(Pem.keyAndChain(leaf.cert(), traditional).key().getAlgorithm())
                        .isEqualTo(leaf.privateKey().getAlgorithm());
            }
        }
    }

    @Test
    void aChainIsReadInOrder() throws Exception {
        TestCerts.Issued leaf = ca.issue(dir, "chained", List.of("DNS:chained.test"));
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(leaf.cert()) + "\n" + Files.readString(ca.cert()));

        assertThat(Pem.certificates(chain)).containsExactly(leaf.x509(), ca.x509());
    }

    @Test
    void aKeyOfTheSameTypeFromAnotherCertificateDoesNotMatch() {
        TestCerts.Issued one = ca.leaf("one").keyType(TestCerts.KeyType.RSA).issue(dir);
        TestCerts.Issued two = ca.leaf("two").keyType(TestCerts.KeyType.RSA).issue(dir);

        assertThatThrownBy(() -> Pem.keyAndChain(one.cert(), two.key())).isInstanceOf(Pem.PemException.class)
                .hasMessage(two.key() + " does not match the certificate " + one.cert()
                        + " (subject CN=one); give the key the certificate was made for");
    }

    @Test
    void garbageInsideAPemBlock() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.privateKey(bad)).hasMessageContaining("cannot be read",
                "openssl pkcs8 -topk8 -nocrypt -in " + bad);
        Path badEc = Files.writeString(dir.resolve("bad-ec.key"),
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.privateKey(badEc)).hasMessageContaining("EC PRIVATE KEY cannot be read");
        Path badCert = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Pem.certificates(badCert)).hasMessageContaining("certificate 1 cannot be read");
    }
}
