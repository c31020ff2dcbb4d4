package io.sluice.l4.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in list, lookup by name, and adding a library user's detectors through ServiceLoader. */
class DetectorsTest {
    @TempDir
    Path dir;

    @Test
    void listsEveryBuiltInOnceInOrder() {
        assertThat(Detectors.names()).containsExactly("proxy", "tls", "h2c", "http", "ssh", "postgres", "mqtt", "redis",
                "quic", "stun", "dns");
        assertThat(Detectors.builtIn()).extracting(Detector::protocol).containsExactlyElementsOf(Detectors.names());
        assertThatThrownBy(() -> Detectors.builtIn().add(new PrefixDetector(new byte[] {1})))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void streamAndDatagramDetectorsSayWhichTheyAre() {
        for (Detector d : Detectors.builtIn()) {
            boolean udp = List.of("quic", "stun", "dns").contains(d.protocol());
            assertThat(d.datagram()).as(d.protocol()).isEqualTo(udp);
            assertThat(d.stream()).as(d.protocol()).isEqualTo(!udp);
        }
    }

    @Test
    void findsBuiltInsByName() {
        assertThat(Detectors.byName("tls")).containsInstanceOf(TlsDetector.class);
        assertThat(Detectors.byName("dns")).containsInstanceOf(DnsDetector.class);
        assertThat(Detectors.byName("TLS")).isEmpty();
        assertThat(Detectors.byName("prefix")).isEmpty();
    }

    @Test
    void loadAddsServiceDetectorsAfterTheBuiltIns() throws Exception {
        List<Detector> all = Detectors.load(loader(Amqp.class));

        assertThat(all).extracting(Detector::protocol).endsWith("dns", "amqp").hasSize(Detectors.names().size() + 1);
        assertThat(all.subList(0, Detectors.builtIn().size())).isEqualTo(Detectors.builtIn());
        assertThat(Detectors.load(getClass().getClassLoader())).isEqualTo(Detectors.builtIn());
    }

    @Test
    void aServiceDetectorTakingABuiltInsNameIsAnError() {
        assertThatThrownBy(() -> Detectors.load(loader(FakeTls.class))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(FakeTls.class.getName())
                .hasMessageContaining("\"tls\", as the built-in detector " + TlsDetector.class.getName());
        assertThatThrownBy(() -> Detectors.load(loader(Amqp.class, OtherAmqp.class)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(OtherAmqp.class.getName() + " is named \"amqp\", as detector " + Amqp.class.getName());
        assertThatThrownBy(() -> Detectors.load(loader(Prefix.class))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("\"prefix\"");
    }

    @Test
    void aServiceThatCannotBeLoadedIsAnError() throws Exception {
        assertThatThrownBy(() -> Detectors.load(loader("no.such.Detector"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("META-INF/services/io.sluice.l4.Detector");
    }

    private ClassLoader loader(Class<?>... classes) throws Exception {
        String[] names = new String[classes.length];
        for (int i = 0; i < classes.length; i++) {
            names[i] = classes[i].getName();
        }
        return loader(names);
    }

    /** A class loader whose only service file lists {@code names}, over this test's own. */
    private ClassLoader loader(String... names) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(Detector.class.getName()), String.join("\n", names) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    /** A user's detector, as a library user would write one. */
    public static final class Amqp implements Detector {
        @Override
        public String protocol() {
            return "amqp";
        }

        @Override
        public Detection detect(ByteBuf seen) {
            return Detection.NO_MATCH;
        }
    }

    /** Another user's detector of the same name. */
    public static final class OtherAmqp implements Detector {
        @Override
        public String protocol() {
            return "amqp";
        }

        @Override
        public Detection detect(ByteBuf seen) {
            return Detection.MATCH;
        }
    }

    /** A user's detector that takes a built-in's name. */
    public static final class FakeTls implements Detector {
        @Override
        public String protocol() {
            return "tls";
        }

        @Override
        public Detection detect(ByteBuf seen) {
            return Detection.NO_MATCH;
        }
    }

    /** A user's detector that takes the name routes use for byte prefixes. */
    public static final class Prefix implements Detector {
        @Override
        public String protocol() {
            return "prefix";
        }

        @Override
        public Detection detect(ByteBuf seen) {
            return Detection.NO_MATCH;
        }
    }
}
