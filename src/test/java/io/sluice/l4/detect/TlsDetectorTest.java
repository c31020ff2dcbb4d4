package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static io.sluice.l4.detect.Hellos.alpn;
import static io.sluice.l4.detect.Hellos.extension;
import static io.sluice.l4.detect.Hellos.message;
import static io.sluice.l4.detect.Hellos.records;
import static io.sluice.l4.detect.Hellos.sni;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tls detector on the JDK's own ClientHellos, however they are cut into records, and on broken ones. */
class TlsDetectorTest {
    private final TlsDetector tls = new TlsDetector();

    @Test
    void readsNameAndAlpnFromTheJdksTls13Hello() throws Exception {
        byte[] hello = Hellos.jdk("Backend.Example.COM", List.of("h2", "http/1.1"));

        Detection d = Feed.byteByByte(tls, hello);

        assertThat(d).isEqualTo(Detection.match("backend.example.com", List.of("h2", "http/1.1")));
    }

    @Test
    void readsATls12OnlyHelloAndOneWithoutNameOrAlpn() throws Exception {
        assertThat(detect(tls, Hellos.jdk("legacy.test", List.of("http/1.1"), "TLSv1.2")))
                .isEqualTo(Detection.match("legacy.test", List.of("http/1.1")));
        assertThat(detect(tls, Hellos.jdk(null, List.of()))).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void aHelloCutIntoManyRecordsReadsTheSame() throws Exception {
        byte[] content = Hellos.content(Hellos.jdk("split.example", List.of("h2")));
        Detection whole = Detection.match("split.example", List.of("h2"));
        for (int size : new int[] {1, 2, 3, 4, 5, 7, 100, content.length - 1}) {
            byte[] cut = records(content, size);
            assertThat(Feed.decidedAfter(tls, cut)).as("records of %d", size).isEqualTo(cut.length);
            assertThat(detect(tls, cut)).as("records of %d", size).isEqualTo(whole);
        }
    }

    @Test
    void bytesAfterTheHelloDoNotMatter() throws Exception {
        byte[] hello = Hellos.jdk("a.test", List.of());
        byte[] changeCipherSpec = {0x14, 3, 3, 0, 1, 1};

        assertThat(detect(tls, concat(hello, changeCipherSpec))).isEqualTo(Detection.match("a.test", List.of()));
        assertThat(detect(tls, concat(records(Hellos.content(hello), 50), changeCipherSpec)))
                .isEqualTo(Detection.match("a.test", List.of()));
    }

    @Test
    void aHandMadeHelloWithoutExtensionsMatchesWithoutName() {
        assertThat(Feed.byteByByte(tls, records(message((byte[][]) null), 1000)))
                .isEqualTo(Detection.match(null, List.of()));
        assertThat(detect(tls, records(message(), 1000))).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void unknownExtensionsAreSkippedAndAlpnNamesKeptAsBytes() {
        byte[] hello = message(extension(0xff01, new byte[] {0}), sni("x.test"), extension(43, new byte[] {2, 3, 4}),
                alpn("h3", "\u00e9t\u00e9"));
        assertThat(detect(tls, records(hello, 1000))).isEqualTo(Detection.match("x.test", List.of("h3", "\u00e9t\u00e9")));
    }

    @Test
    void otherProtocolsAreNoMatchAtTheFirstWrongByte() {
        assertThat(Feed.decidedAfter(tls, ascii("GET / HTTP/1.1\r\n"))).isEqualTo(1);
        assertThat(detect(tls, ascii("G"))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, new byte[] {0x17, 3, 3, 0, 10})).isEqualTo(Detection.NO_MATCH); // application data
        assertThat(detect(tls, new byte[] {0x16, 2})).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, new byte[] {0x16, 3, 5})).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, new byte[] {0x16, 3, 1, 0x40, 1})).isEqualTo(Detection.NO_MATCH); // over 16384
        assertThat(detect(tls, new byte[] {0x16, 3, 1, 0, 0})).isEqualTo(Detection.NO_MATCH); // empty record
        assertThat(detect(tls, new byte[] {0x16, 3, 1, 0, 4, 2})).isEqualTo(Detection.NO_MATCH); // ServerHello
        // an SSLv2-compatible hello: length with the top bit, then type 1
        assertThat(detect(tls, Feed.hex("8031010003001800000010"))).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void aSecondRecordThatIsNotHandshakeIsNoMatch() {
        byte[] cut = records(message(sni("a.test")), 20);
        cut[25] = 0x17; // the second record's type

        assertThat(detect(tls, cut)).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, Arrays.copyOf(cut, 26))).isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void lengthsThatDoNotFitAreNoMatchAsSoonAsSeen() {
        byte[] hello = message(sni("a.test"), alpn("h2"));
        int session = 4 + 2 + 32;

        byte[] longSession = hello.clone();
        longSession[session] = 33;
        assertThat(detect(tls, Arrays.copyOf(records(longSession, 1000), 5 + session + 1))).isEqualTo(Detection.NO_MATCH);

        byte[] oddSuites = hello.clone();
        oddSuites[session + 2] = 3;
        assertThat(detect(tls, records(oddSuites, 1000))).isEqualTo(Detection.NO_MATCH);

        byte[] extensionsTooLong = hello.clone();
        int extensions = session + 1 + 4 + 2;
        extensionsTooLong[extensions + 1]++;
        assertThat(detect(tls, records(extensionsTooLong, 1000))).isEqualTo(Detection.NO_MATCH);

        byte[] sniTooLong = hello.clone();
        sniTooLong[extensions + 2 + 3]++; // the server_name extension's own length
        assertThat(detect(tls, records(sniTooLong, 1000))).isEqualTo(Detection.NO_MATCH);

        byte[] messageLonger = hello.clone();
        messageLonger[3]++; // the message claims a byte more than its extensions fill
        assertThat(detect(tls, concat(records(messageLonger, 1000), new byte[] {0x16, 3, 1, 0, 1, 0})))
                .isEqualTo(Detection.NO_MATCH);
    }

    @Test
    void aTruncatedHelloWaits() throws Exception {
        byte[] hello = Hellos.jdk("a.test", List.of("h2"));
        for (int n : new int[] {0, 1, 5, 9, 60, hello.length - 1}) {
            assertThat(detect(tls, Arrays.copyOf(hello, n))).as("%d bytes", n).isEqualTo(Detection.NEED_MORE);
        }
    }

    @Test
    void repeatedOrMalformedNamesAreNoMatch() {
        assertThat(detect(tls, records(message(sni("a.test"), sni("b.test")), 1000))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, records(message(alpn("h2"), alpn("h2")), 1000))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, records(message(sni("a b.test")), 1000))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, records(message(sni("")), 1000))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, records(message(alpn("h2", "")), 1000))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(tls, records(message(extension(0, new byte[0])), 1000))).isEqualTo(Detection.NO_MATCH);
        // a name of another type is skipped
        byte[] other = extension(0, concat(Hellos.u16(5), new byte[] {1}, Hellos.u16(2), ascii("xy")));
        assertThat(detect(tls, records(message(other), 1000))).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void aHelloOver16KibMatchesWithoutNameOnce16KibWereSeen() {
        byte[] hello = message(extension(21, new byte[20_000]), sni("late.test"));
        byte[] cut = records(hello, 16384);

        int decided = Feed.decidedAfter(tls, cut);

        assertThat(decided).isEqualTo(5 + 16384); // the first record: the message's first 16 KiB
        assertThat(detect(tls, cut)).isEqualTo(Detection.match(null, List.of()));
    }

    @Test
    void aHelloOfExactly16KibIsReadWhole() {
        byte[] shorter = message(extension(21, new byte[0]), sni("edge.test"));
        byte[] hello = message(extension(21, new byte[ClientHello.MAX - shorter.length]), sni("edge.test"));
        assertThat(hello).hasSize(ClientHello.MAX);

        assertThat(detect(tls, records(hello, 16384))).isEqualTo(Detection.match("edge.test", List.of()));
        assertThat(detect(tls, records(hello, 9000))).isEqualTo(Detection.match("edge.test", List.of()));
    }
}
