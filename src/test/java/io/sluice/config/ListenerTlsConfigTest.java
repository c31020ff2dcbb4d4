package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener's protocol, tls, redirect_http_from and http2 keys: values and defaults, relative file names,
 * and each mistake (including bad certificate and key files) reported at its path and line:column.
 */
class ListenerTlsConfigTest {
    /** Four lines before {@code body}, which is indented into listener {@code secure}. */
    private static final String LISTENER = """
            pools: [ { name: web, backends: [ "127.0.0.1:3001" ] } ]
            listeners:
              - name: secure
                bind: 127.0.0.1:8443
            %s""";

    @TempDir
    static Path dir;
    static TlsFiles files;

    @BeforeAll
    static void makeCertificates() throws Exception {
        files = new TlsFiles(dir);
    }

    /** Listener {@code secure} with {@code body}; body line n is file line 4 + n, column c is 4 + c. */
    private static ListenerConfig listener(String body) throws ConfigException {
        return files.parse(LISTENER.formatted(body.indent(4))).listeners().get(0);
    }

    private static List<ConfigError> errors(String body) {
        return files.errors(LISTENER.formatted(body.indent(4)));
    }

    private static ConfigError onlyError(String body) {
        List<ConfigError> errors = errors(body);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    // ---- values ----

    @Test
    void everyKeyIsRead() throws ConfigException {
        ListenerConfig l = listener("""
                protocol: https
                tls:
                  certificates:
                    - { cert: certs/a.pem, key: certs/a.key }
                    - cert: certs/b.pem
                      key: certs/b.key
                  protocols: [TLSv1.3]
                  alpn: [http/1.1]
                  client_auth: require
                  client_ca: certs/Test_CA-ca.pem
                redirect_http_from: 127.0.0.1:8080
                http2: { enabled: true, max_concurrent_streams: 2147483647 }
                """);

        assertThat(l.protocol()).isEqualTo("https");
        assertThat(l.secure()).isTrue();
        assertThat(l.tls()).isEqualTo(new ListenerTlsConfig(List.of(
                new TlsCertificate(files.file("a.pem"), files.file("a.key")),
                new TlsCertificate(files.file("b.pem"), files.file("b.key"))),
                List.of("TLSv1.3"), List.of("http/1.1"), ListenerTlsConfig.ClientAuth.REQUIRE,
                files.file("Test_CA-ca.pem")));
        assertThat(l.redirectHttpFrom()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(l.http2()).isEqualTo(new Http2Config(true, Integer.MAX_VALUE));
    }

    @Test
    void defaults() throws ConfigException {
        ListenerConfig l = listener("""
                protocol: https
                tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ] }
                """);

        assertThat(l.tls()).isEqualTo(ListenerTlsConfig.of(files.file("a.pem"), files.file("a.key")));
        assertThat(l.tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(l.tls().alpn()).containsExactly("h2", "http/1.1");
        assertThat(l.tls().clientAuth()).isEqualTo(ListenerTlsConfig.ClientAuth.NONE);
        assertThat(l.redirectHttpFrom()).isNull();
        assertThat(l.http2()).isEqualTo(Http2Config.DEFAULTS);

        ListenerConfig plain = listener("routes: [ { pool: web } ]");
        assertThat(plain.protocol()).isEqualTo("http");
        assertThat(plain.tls()).isNull();
        assertThat(plain.http2()).isEqualTo(Http2Config.DEFAULTS);
    }

    @Test
    void http2AsABooleanOrPartialMap() throws ConfigException {
        assertThat(listener("http2: false").http2()).isEqualTo(new Http2Config(false, 128));
        assertThat(listener("http2: true").http2()).isEqualTo(Http2Config.DEFAULTS);
        assertThat(listener("http2: { max_concurrent_streams: 10 }").http2()).isEqualTo(new Http2Config(true, 10));
        assertThat(listener("http2: { enabled: false }").http2()).isEqualTo(new Http2Config(false, 128));
    }

    @Test
    void traditionalRsaAndEcKeysAndOtherKeyTypesAreAccepted() throws ConfigException {
        ListenerConfig l = listener("""
                protocol: https
                tls:
                  certificates:
                    - { cert: certs/a.pem, key: certs/a-ec-traditional.key }
                    - { cert: certs/rsa.pem, key: certs/rsa-traditional.key }
                    - { cert: certs/rsa.pem, key: certs/rsa.key }
                    - { cert: certs/ed.pem, key: certs/ed.key }
                """);

        assertThat(l.tls().certificates()).hasSize(4);
    }

    @Test
    void absolutePathsAreKept() throws ConfigException {
        ListenerConfig l = listener("""
                protocol: https
                tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                """.formatted(files.a.cert().toAbsolutePath(), files.a.key().toAbsolutePath()));

        assertThat(l.tls().certificates().get(0).cert()).isEqualTo(files.a.cert().toAbsolutePath().normalize());
    }

    @Test
    void relativePathsResolveAgainstTheConfigFilesDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path file = sub.resolve("sluice.yaml");
        Files.writeString(file, LISTENER.formatted("""
                protocol: https
                tls: { certificates: [ { cert: ../certs/a.pem, key: ../certs/a.key } ] }
                """.indent(4)));

        ListenerConfig l = ConfigLoader.load(file).listeners().get(0);

        assertThat(l.tls().certificates().get(0).cert()).isEqualTo(files.file("a.pem"));
        assertThat(l.tls().certificates().get(0).cert()).isAbsolute();
    }

    // ---- mistakes ----

    @Test
    void httpsWithoutTlsAndTlsWithoutHttps() {
        ConfigError noTls = onlyError("protocol: https");
        assertThat(noTls).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("listeners[0].protocol", 5, 15);
        assertThat(noTls.message()).contains("protocol `https` needs a `tls` block");

        ConfigError noHttps = onlyError("tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ] }");
        assertThat(noHttps).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("listeners[0].tls", 5, 5);
        assertThat(noHttps.message()).contains("only to https listeners", "protocol: https");

        ConfigError unknown = onlyError("protocol: htps");
        assertThat(unknown.message()).contains("unknown protocol `htps`", "did you mean `http");
    }

    @Test
    void tlsBlockMistakes() {
        List<ConfigError> errors = errors("""
                protocol: https
                tls:
                  certificates: []
                  protocols: [TLSv1.3, TLSv1.1, TLSv1.3]
                  alpn: []
                  client_auth: always
                  cipher: fast
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].tls.certificates", 7, 21),
                tuple("listeners[0].tls.protocols[1]", 8, 28),
                tuple("listeners[0].tls.protocols[2]", 8, 37),
                tuple("listeners[0].tls.alpn", 9, 13),
                tuple("listeners[0].tls.client_auth", 10, 20),
                tuple("listeners[0].tls.cipher", 11, 7));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("no certificates"),
                m -> assertThat(m).contains("unknown TLS version `TLSv1.1`", "TLSv1.3, TLSv1.2"),
                m -> assertThat(m).contains("`TLSv1.3` is listed twice"),
                m -> assertThat(m).contains("empty"),
                m -> assertThat(m).contains("unknown client_auth `always`", "none, optional, require"),
                m -> assertThat(m).contains("unknown key `cipher`"));
    }

    @Test
    void certificatesAreRequiredAndEachNeedsCertAndKey() {
        ConfigError missing = onlyError("""
                protocol: https
                tls: { alpn: [h2] }
                """);
        assertThat(missing.path()).isEqualTo("listeners[0].tls.certificates");
        assertThat(missing.line()).isEqualTo(6);
        assertThat(missing.message()).contains("missing required key `certificates`");

        List<ConfigError> errors = errors("""
                protocol: https
                tls:
                  certificates:
                    - { cert: certs/a.pem }
                    - { key: certs/a.key, chain: x }
                    - certs/a.pem
                """);
        assertThat(errors).extracting(ConfigError::path, ConfigError::line).containsExactly(
                tuple("listeners[0].tls.certificates[0].key", 8),
                tuple("listeners[0].tls.certificates[1].cert", 9),
                tuple("listeners[0].tls.certificates[1].chain", 9),
                tuple("listeners[0].tls.certificates[2]", 10));
        assertThat(errors.get(0).message()).contains("missing required key `key`");
    }

    @Test
    void badFilesAreReportedAtTheirLines() {
        List<ConfigError> errors = errors("""
                protocol: https
                tls:
                  certificates:
                    - { cert: certs/missing.pem, key: certs/a.key }
                    - { cert: certs/not-pem.txt, key: certs/a.key }
                    - { cert: certs/a.key, key: certs/a.pem }
                    - { cert: certs/a.pem, key: certs/b.key }
                    - { cert: certs/a.pem, key: certs/rsa.key }
                    - { cert: certs/a.pem, key: certs/a-encrypted.key }
                    - { cert: certs/a.pem, key: certs/dsa.key }
                    - { cert: certs, key: certs/a.key }
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].tls.certificates[0].cert", 8, 19),
                tuple("listeners[0].tls.certificates[1].cert", 9, 19),
                tuple("listeners[0].tls.certificates[2].cert", 10, 19),
                tuple("listeners[0].tls.certificates[2].key", 10, 37),
                tuple("listeners[0].tls.certificates[3].key", 11, 37),
                tuple("listeners[0].tls.certificates[4].key", 12, 37),
                tuple("listeners[0].tls.certificates[5].key", 13, 37),
                tuple("listeners[0].tls.certificates[6].key", 14, 37),
                tuple("listeners[0].tls.certificates[7].cert", 15, 19));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).isEqualTo("no such file: " + files.file("missing.pem")),
                m -> assertThat(m).contains(files.file("not-pem.txt").toString(), "is not PEM"),
                m -> assertThat(m).contains("has no certificate in it"),
                m -> assertThat(m).contains("has no private key in it", "PKCS#8"),
                m -> assertThat(m).contains(files.file("b.key") + " does not match the certificate "
                        + files.file("a.pem"), "CN=a"),
                m -> assertThat(m).contains("does not match", "the key is RSA", "the certificate's key is EC"),
                m -> assertThat(m).contains("encrypted", "openssl pkcs8 -topk8 -nocrypt -in "
                        + files.file("a-encrypted.key")),
                m -> assertThat(m).contains("DSA PRIVATE KEY", "not a PKCS#8 key",
                        "openssl pkcs8 -topk8 -nocrypt -in " + files.file("dsa.key") + " -out"),
                m -> assertThat(m).contains("is a directory"));
    }

    @Test
    void unreadableFile() throws Exception {
        Path locked = Files.copy(files.a.key(), dir.resolve("certs/locked.key"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(locked)).as("running as root, which reads anything").isFalse();

        ConfigError e = onlyError("""
                protocol: https
                tls: { certificates: [ { cert: certs/a.pem, key: certs/locked.key } ] }
                """);
        assertThat(e.message()).isEqualTo("cannot read " + files.file("locked.key") + ": permission denied");
    }

    @Test
    void clientAuthNeedsAClientCaAndTheCaNeedsCertificates() {
        ConfigError noCa = onlyError("""
                protocol: https
                tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ], client_auth: optional }
                """);
        assertThat(noCa.path()).isEqualTo("listeners[0].tls.client_auth");
        assertThat(noCa.line()).isEqualTo(6);
        assertThat(noCa.message()).contains("client_auth: optional needs `client_ca`");

        ConfigError unused = onlyError("""
                protocol: https
                tls:
                  certificates: [ { cert: certs/a.pem, key: certs/a.key } ]
                  client_ca: certs/Test_CA-ca.pem
                """);
        assertThat(unused).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("listeners[0].tls.client_ca", 8, 7);

        ConfigError keyAsCa = onlyError("""
                protocol: https
                tls:
                  certificates: [ { cert: certs/a.pem, key: certs/a.key } ]
                  client_auth: require
                  client_ca: certs/a.key
                """);
        assertThat(keyAsCa).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("listeners[0].tls.client_ca", 9, 18);
        assertThat(keyAsCa.message()).contains("has no certificate in it");
    }

    @Test
    void redirectOnlyOnHttpsAndItsAddressMustBeFree() {
        ConfigError plain = onlyError("redirect_http_from: 127.0.0.1:8080");
        assertThat(plain).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("listeners[0].redirect_http_from", 5, 5);
        assertThat(plain.message()).contains("needs `protocol: https`");

        List<ConfigError> taken = files.errors("""
                pools: [ { name: web, backends: [ "127.0.0.1:3001" ] } ]
                listeners:
                  - { name: plain, bind: "127.0.0.1:8080" }
                  - name: secure
                    bind: 127.0.0.1:8443
                    protocol: https
                    tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ] }
                    redirect_http_from: 127.0.0.1:8080
                """);
        assertThat(taken).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(tuple("listeners[1].redirect_http_from", 8, 25));
        assertThat(taken.get(0).message()).contains("already used by listeners[0].bind");

        ConfigError self = onlyError("""
                protocol: https
                tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ] }
                redirect_http_from: 127.0.0.1:8443
                """);
        assertThat(self.message()).contains("already used by listeners[0].bind");
    }

    @Test
    void http2Mistakes() {
        List<ConfigError> errors = errors("""
                http2: { enabled: maybe, max_concurrent_streams: 0, push: true }
                """);
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].http2.enabled", 5, 23),
                tuple("listeners[0].http2.max_concurrent_streams", 5, 54),
                tuple("listeners[0].http2.push", 5, 57));
        assertThat(errors.get(1).message()).isEqualTo("must be at least 1, got 0");

        ConfigError tooMany = onlyError("http2: { max_concurrent_streams: 2147483648 }");
        assertThat(tooMany.message()).isEqualTo("must be at most 2147483647, got 2147483648");

        ConfigError h2Only = onlyError("""
                protocol: https
                tls: { certificates: [ { cert: certs/a.pem, key: certs/a.key } ], alpn: [h2] }
                http2: false
                """);
        assertThat(h2Only).extracting(ConfigError::path, ConfigError::line)
                .containsExactly("listeners[0].http2", 7);
        assertThat(h2Only.message()).contains("offers only h2");
    }
}
