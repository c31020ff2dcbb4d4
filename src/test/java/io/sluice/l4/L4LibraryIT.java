package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.Sluice;
import io.sluice.balance.Backend;
import io.sluice.balance.PickContext;
import io.sluice.balance.Picker;
import io.sluice.balance.Strategy;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.HostPort;
import io.sluice.config.L4Config;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 point 9: Sluice as a library with an L4 listener built entirely in Java — a {@link Config} made in code,
 * a detector and a strategy written here and registered on the builder — runs the example that
 * the README's "An L4 listener from Java" section shows, and checks that the two stay the same text.
 */
class L4LibraryIT {
    private static final Path SNIPPET = Path.of("README.md");
    private static final String HEADING = "### An L4 listener from Java";
    private static final Path SOURCE = Path.of("src/test/java/io/sluice/l4/L4LibraryIT.java");

    private static String talk(InetSocketAddress edge, String words) throws IOException {
        try (Socket s = new Socket(edge.getAddress(), edge.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(words.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    private static String at(TcpBackend b) {
        return "127.0.0.1:" + b.port();
    }

    @Test
    void aListenerBuiltInJavaRoutesWithTheUsersDetectorAndBalancesWithTheUsersStrategy() throws Exception {
        try (TcpBackend primary = TcpBackend.start("primary\n");
             TcpBackend standby = TcpBackend.start("standby\n");
             TcpBackend other = TcpBackend.start("other\n");
             Sluice sluice = L4Proxy.startProxy("127.0.0.1:0", at(primary), at(standby), at(other))) {
            InetSocketAddress edge = sluice.listenerAddress("edge");

            for (int i = 0; i < 5; i++) { // the detector routes greetings; the strategy picks the first listed
                assertThat(talk(edge, "HELLO there " + i)).isEqualTo("primary\nHELLO there " + i);
            }
            assertThat(talk(edge, "GET / HTTP/1.0\r\n\r\n")).as("no greeting: the fallback pool")
                    .isEqualTo("other\nGET / HTTP/1.0\r\n\r\n");
            assertThat(talk(edge, "HELL")).as("too short to be a greeting once the client is done")
                    .isEqualTo("other\nHELL");
            assertThat(primary.receivedText()).containsExactly("HELLO there 0", "HELLO there 1", "HELLO there 2",
                    "HELLO there 3", "HELLO there 4");
            assertThat(standby.accepted()).isZero();

            String report = sluice.healthReport();
            assertThat(report).contains("edge", "hello", "pool greeters (2/2 up)", "pool others (1/1 up)",
                    at(primary), at(standby), at(other));
            assertThat(report.lines().filter(l -> l.contains("hello") && l.contains("pool greeters")))
                    .as("the route's row").hasSize(1);
            assertThat(report.lines().filter(l -> l.contains("anything else") && l.contains("pool others")))
                    .as("the fallback's row").hasSize(1);
            assertThat(report.lines().filter(l -> l.contains("greeters") && l.contains(at(standby))))
                    .as("the standby's row").hasSize(1);

            // The user's picker names the standby as its second candidate: Sluice's Selection and connect
            // retries do the rest, as for a built-in strategy.
            primary.close();
            for (int i = 0; i < 3; i++) {
                assertThat(talk(edge, "HELLO again " + i)).isEqualTo("standby\nHELLO again " + i);
            }
            assertThat(sluice.snapshot().pool("greeters").strategy()).isEqualTo("first_listed");
        }
    }

    @Test
    void theReadmeSnippetIsTheCodeThisTestRuns() throws IOException {
        String readme = Files.readString(SNIPPET);
        int at = readme.indexOf(HEADING);
        assertThat(at).as("the README has the section " + HEADING).isNotNegative();
        int next = readme.indexOf("\n#", at + HEADING.length());
        String md = next < 0 ? readme.substring(at) : readme.substring(at, next);
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(md);
        assertThat(m.find()).as("a java block in " + SNIPPET).isTrue();
        List<String> block = new ArrayList<>(m.group(1).lines().toList());
        assertThat(m.find()).as("one java block only").isFalse();
        String source = Files.readString(SOURCE);
        List<String> imports = block.stream().filter(l -> l.startsWith("import ")).toList();
        assertThat(imports).isNotEmpty();
        List<String> fromElsewhere = imports.stream() // this test's own package needs no import
                .filter(l -> !l.matches("import io\\.sluice\\.l4\\.[A-Z]\\w*;")).toList();
        assertThat(source.lines().toList()).as("the snippet's imports are this file's").containsAll(fromElsewhere);
        List<String> code = block.subList(imports.size(), block.size());
        while (!code.isEmpty() && code.get(0).isBlank()) {
            code = code.subList(1, code.size());
        }
        // The markers are whole lines of their own, so these string literals are not mistaken for them.
        String begin = "\n// README example begin\n";
        String end = "\n// README example end\n";
        int from = source.indexOf(begin);
        int to = source.indexOf(end);
        assertThat(from).as("the begin marker").isNotNegative();
        assertThat(to).as("the end marker").isGreaterThan(from);
        String region = source.substring(from + begin.length(), to).strip();
        assertThat(region).as("the example itself").contains("class L4Proxy");
        assertThat(String.join("\n", code).strip()).isEqualTo(region);
    }

    @Test
    void theHelloDetectorNeedsSixBytesAndLeavesTheBufferAlone() {
        L4Proxy.HelloDetector d = new L4Proxy.HelloDetector();
        ByteBuf b = Unpooled.copiedBuffer("xxHELLO", StandardCharsets.US_ASCII).skipBytes(2);
        try {
            assertThat(d.detect(b.slice(b.readerIndex(), 3))).isEqualTo(Detection.NEED_MORE);
            assertThat(d.detect(b)).isEqualTo(Detection.NEED_MORE);
            b.writeByte(' ');
            assertThat(d.detect(b)).isEqualTo(Detection.MATCH);
            assertThat(b.readerIndex()).isEqualTo(2);
            assertThat(b.readableBytes()).isEqualTo(6);
        } finally {
            b.release();
        }
        assertThat(d.detect(Unpooled.wrappedBuffer(new byte[] {'H', 'I'}))).isEqualTo(Detection.NO_MATCH);
    }
}

// README example begin
/**
 * A tcp listener built in Java: connections that greet with "HELLO " go to the pool "greeters", balanced by
 * a strategy of our own; anything else goes to the pool "others".
 */
final class L4Proxy {

    /** Recognises connections that start with "HELLO "; routes name it {@code protocol: hello}. */
    static final class HelloDetector implements Detector {
        private static final byte[] HELLO = "HELLO ".getBytes(StandardCharsets.US_ASCII);

        @Override
        public String protocol() {
            return "hello";
        }

        @Override
        public Detection detect(ByteBuf seen) {
            int n = Math.min(seen.readableBytes(), HELLO.length);
            for (int i = 0; i < n; i++) {
                if (seen.getByte(seen.readerIndex() + i) != HELLO[i]) {
                    return Detection.NO_MATCH;
                }
            }
            return n == HELLO.length ? Detection.MATCH : Detection.NEED_MORE;
        }
    }

    /**
     * Everything to the first backend listed; the others stand by, in order. Sluice skips a candidate that is
     * down, drained or has its breaker open, and retries a refused connect on the next one.
     */
    static final class FirstListed implements Strategy {
        @Override
        public String name() {
            return "first_listed";
        }

        @Override
        public Picker newPicker(Picker previous, List<Backend> backends) {
            List<Backend> inOrder = List.copyOf(backends);
            return new Picker() {
                @Override
                public Backend candidate(PickContext ctx, int attempt) {
                    return attempt < inOrder.size() ? inOrder.get(attempt) : null;
                }

                @Override
                public List<Backend> backends() {
                    return inOrder;
                }
            };
        }
    }

    static Sluice startProxy(String bind, String primary, String standby, String other) throws InterruptedException {
        Config config = Config.builder()
                .listener(ListenerConfig.tcp("edge", HostPort.parse(bind), L4Config.builder()
                        .route(L4MatchConfig.protocol("hello"), "greeters")
                        .fallback("others")
                        .build()))
                .pool(PoolConfig.builder("greeters")
                        .protocol(UpstreamProtocol.TCP)
                        .strategy("first_listed")
                        .backends(List.of(new BackendConfig(HostPort.parse(primary), 1),
                                new BackendConfig(HostPort.parse(standby), 1)))
                        .build())
                .pool(PoolConfig.builder("others")
                        .protocol(UpstreamProtocol.TCP)
                        .backends(List.of(new BackendConfig(HostPort.parse(other), 1)))
                        .build())
                .withoutAdmin()
                .build();
        return Sluice.builder()
                .detector(new HelloDetector())
                .strategy("first_listed", options -> new FirstListed())
                .config(config)
                .build()
                .start();
    }
}
// README example end
