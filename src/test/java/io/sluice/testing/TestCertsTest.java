package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test certificate helper makes what it says: names, issuer, key types, dates and key forms. */
class TestCertsTest {
    @TempDir
    Path dir;

    @Test
    void caIssuesALeafWithItsNames() throws Exception {
        TestCerts.Ca ca = TestCerts.ca(dir, "Test CA");
        TestCerts.Issued leaf = ca.issue(dir, "a.test", List.of("DNS:a.test", "IP:127.0.0.1", "DNS:*.wild.test"));

        X509Certificate x = leaf.x509();
        assertThat(x.getSubjectX500Principal().getName()).isEqualTo("CN=a.test");
        assertThat(x.getIssuerX500Principal()).isEqualTo(ca.x509().getSubjectX500Principal());
        x.verify(ca.x509().getPublicKey());
        x.checkValidity();
        assertThat(x.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly("a.test", "127.0.0.1", "*.wild.test");
        assertThat(ca.x509().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(x.getBasicConstraints()).isEqualTo(-1);
        assertThat(Files.readString(leaf.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(leaf.privateKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void rsaAndEd25519Keys() {
        TestCerts.Ca ca = TestCerts.ca(dir, "Test CA");

        assertThat(ca.leaf("r").keyType(TestCerts.KeyType.RSA).issue(dir).x509().getPublicKey().getAlgorithm())
                .isEqualTo("RSA");
        assertThat(ca.leaf("e").keyType(TestCerts.KeyType.ED25519).issue(dir).privateKey().getAlgorithm())
                .isIn("EdDSA", "Ed25519");
    }

    @Test
    void expiredAndNotYetValid() {
        TestCerts.Ca ca = TestCerts.ca(dir, "Test CA");

        X509Certificate old = ca.leaf("old.test").sans("DNS:old.test").expired().issue(dir).x509();
        X509Certificate early = ca.leaf("early.test").notYetValid().issue(dir).x509();

        assertThatThrownBy(old::checkValidity).isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(early::checkValidity).isInstanceOf(CertificateNotYetValidException.class);
        assertThat(old.getNotBefore()).isBefore(old.getNotAfter());
    }

    @Test
    void selfSignedAndTraditionalKeys() throws Exception {
        TestCerts.Issued self = TestCerts.selfSigned(dir, "self.test", List.of("DNS:self.test"));
        self.x509().verify(self.x509().getPublicKey());

        Path traditional = TestCerts.traditionalKey(self, dir.resolve("self-traditional.key"));
        assertThat(Files.readString(traditional)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(TestCerts.trusting(self.cert())).isNotNull();
    }
}
