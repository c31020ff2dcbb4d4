package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's protocol and tls keys, and https:// backend URLs: values, defaults, and each mistake at its place. */
class UpstreamTlsConfigTest {
    /** Three lines before {@code body}, which is indented into pool {@code api}. */
    private static final String POOL = """
            listeners: [ { name: web, bind: "127.0.0.1:8080" } ]
            pools:
              - name: api
            %s""";

    @TempDir
    static Path dir;
    static TlsFiles files;

    @BeforeAll
    static void makeCertificates() throws Exception {
        files = new TlsFiles(dir);
    }

    /** Pool {@code api} with {@code body}; body line n is file line 3 + n, column c is 4 + c. */
    private static PoolConfig pool(String body) throws ConfigException {
        return files.parse(POOL.formatted(body.indent(4))).pool("api");
    }

    private static List<ConfigError> errors(String body) {
        return files.errors(POOL.formatted(body.indent(4)));
    }

    private static ConfigError onlyError(String body) {
        List<ConfigError> errors = errors(body);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        PoolConfig p = pool("""
                protocol: h2
                backends: [ "10.0.0.1:443" ]
                tls:
                  verify: true
                  ca: certs/Test_CA-ca.pem
                  sni: api.internal
                  client_cert: certs/b.pem
                  client_key: certs/b.key
                """);

        assertThat(p.protocol()).isEqualTo(UpstreamProtocol.H2);
        assertThat(p.tls()).isEqualTo(new UpstreamTlsConfig(true, files.file("Test_CA-ca.pem"), "api.internal",
                files.file("b.pem"), files.file("b.key")));
    }

    @Test
    void defaultsAndShorthands() throws ConfigException {
        PoolConfig plain = pool("backends: [ \"10.0.0.1:80\" ]");
        assertThat(plain.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(plain.tls()).isNull();

        assertThat(pool("tls: true").tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
        assertThat(pool("tls: false").tls()).isNull();
        assertThat(pool("tls: { verify: false }").tls()).isEqualTo(new UpstreamTlsConfig(false, null, null, null,
                null));
        assertThat(pool("protocol: h2").tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
        PoolConfig h2c = pool("protocol: h2c");
        assertThat(h2c.protocol()).isEqualTo(UpstreamProtocol.H2C);
        assertThat(h2c.tls()).isNull();
    }

    @Test
    void httpsUrlsTurnTlsOnWithTheirDefaultPort() throws ConfigException {
        PoolConfig p = pool("backends: [ { url: \"https://api.example.com\" }, { url: \"HTTPS://10.0.0.2:8443/\" } ]");

        assertThat(p.tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
        assertThat(p.backends()).extracting(BackendConfig::address).containsExactly(
                new HostPort("api.example.com", 443), new HostPort("10.0.0.2", 8443));
        assertThat(pool("""
                backends: [ { url: "https://10.0.0.1" } ]
                tls: { sni: api.internal }
                """).tls().sni()).isEqualTo("api.internal");
        assertThat(pool("backends: [ { url: \"http://10.0.0.1\" } ]").tls()).isNull();
    }

    @Test
    void shortFormHttpsUrls() throws ConfigException {
        Config c = files.parse("""
                listen: "127.0.0.1:8080"
                backends: [ { url: "https://10.0.0.1" } ]
                """);

        assertThat(c.pool("default").tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
        assertThat(files.errors("""
                listen: "127.0.0.1:8080"
                backends: [ { url: "https://10.0.0.1" }, { url: "http://10.0.0.2" } ]
                """)).extracting(ConfigError::path).containsExactly("backends[1].url");
    }

    @Test
    void mixedSchemesAreAnError() {
        ConfigError e = onlyError("""
                backends:
                  - url: "http://10.0.0.1"
                  - url: "https://10.0.0.2"
                  - address: "10.0.0.3:443"
                """);

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("pools[0].backends[1].url", 6, 14);
        assertThat(e.message()).contains("mix http:// and https://", "pools[0].backends[0].url");
    }

    @Test
    void contradictionsBetweenProtocolTlsAndUrls() {
        ConfigError h2cTls = onlyError("""
                protocol: h2c
                tls: true
                """);
        assertThat(h2cTls).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("pools[0].tls", 5, 5);
        assertThat(h2cTls.message()).contains("h2c", "protocol: h2");

        ConfigError h2Off = onlyError("""
                protocol: h2
                tls: false
                """);
        assertThat(h2Off.path()).isEqualTo("pools[0].tls");
        assertThat(h2Off.message()).contains("h2c");

        ConfigError httpsOff = onlyError("""
                backends: [ { url: "https://10.0.0.1" } ]
                tls: false
                """);
        assertThat(httpsOff.path()).isEqualTo("pools[0].tls");
        assertThat(httpsOff.message()).contains("pools[0].backends[0].url is an https:// URL");

        ConfigError h2cHttps = onlyError("""
                protocol: h2c
                backends: [ { url: "https://10.0.0.1" } ]
                """);
        assertThat(h2cHttps).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("pools[0].protocol", 4, 15);

        ConfigError httpWithTls = onlyError("""
                backends: [ { url: "http://10.0.0.1" } ]
                tls: { verify: false }
                """);
        assertThat(httpWithTls).extracting(ConfigError::path, ConfigError::line)
                .containsExactly("pools[0].backends[0].url", 4);
        assertThat(httpWithTls.message()).contains("`tls` is set");
    }

    @Test
    void tlsBlockMistakes() {
        List<ConfigError> errors = errors("""
                protocol: http2
                tls:
                  verify: false
                  ca: certs/Test_CA-ca.pem
                  sni: "10.0.0.1:443"
                  client_cert: certs/a.pem
                  ciphers: [x]
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].protocol", 4, 15),
                tuple("pools[0].tls.client_key", 6, 7),
                tuple("pools[0].tls.ca", 7, 7),
                tuple("pools[0].tls.sni", 8, 12),
                tuple("pools[0].tls.ciphers", 10, 7));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("unknown protocol `http2`", "h2 = HTTP/2 over TLS", "h2c"),
                m -> assertThat(m).contains("`client_cert` needs `client_key`"),
                m -> assertThat(m).contains("not used with `verify: false`"),
                m -> assertThat(m).contains("bad server name"),
                m -> assertThat(m).contains("unknown key `ciphers`"));
    }

    @Test
    void badFiles() {
        List<ConfigError> errors = errors("""
                tls:
                  ca: certs/nope.pem
                  client_cert: certs/a.pem
                  client_key: certs/b.key
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].tls.ca", 5, 11),
                tuple("pools[0].tls.client_key", 7, 19));
        assertThat(errors.get(0).message()).isEqualTo("no such file: " + files.file("nope.pem"));
        assertThat(errors.get(1).message()).contains("does not match the certificate");
    }

    @Test
    void http2PoolsTakeTcpHealthChecksOnly() throws ConfigException {
        ConfigError e = onlyError("""
                protocol: h2c
                backends: [ "10.0.0.1:50051" ]
                health_check: { type: http, path: /health }
                """);
        assertThat(e.path()).isEqualTo("pools[0].health_check");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.message()).contains("type: tcp");
        assertThat(pool("""
                protocol: h2
                backends: [ "10.0.0.1:443" ]
                health_check: { type: tcp }
                """).healthCheck().type()).isEqualTo(HealthCheckConfig.Type.TCP);
    }
}
