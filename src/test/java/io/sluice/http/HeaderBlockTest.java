package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderBlock} against Netty's own headers: the same random reads, adds, sets and removes on both must
 * give the same answers and the same lines in the same order, whether the block is still bytes or was turned
 * into full headers along the way; and {@link HeadParser} refuses the lines RFC 9112 forbids.
 */
class HeaderBlockTest {
    private static final String[] NAMES = {"Host", "Accept", "Connection", "X-A", "x-a", "Set-Cookie", "TE", "Via"};

    private static HeaderBlock parse(String section) throws HeadParser.BadHead {
        ByteBuf b = Unpooled.copiedBuffer(section, StandardCharsets.ISO_8859_1);
        try {
            return new HeadParser().parse(b, 0, b.writerIndex(), true);
        } finally {
            b.release();
        }
    }

    private static List<String> lines(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    private static String written(HeaderBlock h) {
        ByteBuf b = Unpooled.buffer();
        h.writeTo(b);
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        return s;
    }

    @Test
    void randomOperationsAgreeWithNettysHeaders() throws Exception {
        Random rnd = new Random(42);
        for (int round = 0; round < 2000; round++) {
            StringBuilder section = new StringBuilder();
            HttpHeaders expected = DefaultHttpHeadersFactory.headersFactory().newHeaders();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                String name = NAMES[rnd.nextInt(NAMES.length)];
                String value = rnd.nextInt(3) > 0 ? "v" + rnd.nextInt(5)
                        : "v" + rnd.nextInt(5) + (rnd.nextBoolean() ? " , W" : ",w") + rnd.nextInt(5) + ",";
                section.append(name).append(rnd.nextBoolean() ? ": " : ":").append(value)
                        .append(rnd.nextBoolean() ? " \r\n" : "\r\n");
                expected.add(name, value);
            }
            HeaderBlock actual = parse(section.toString());
            for (int op = 0; op < 6; op++) {
                String name = NAMES[rnd.nextInt(NAMES.length)];
                String value = "w" + rnd.nextInt(5);
                switch (rnd.nextInt(7)) {
                    case 0 -> {
                        expected.add(name, value);
                        actual.add(name, value);
                    }
                    case 1 -> {
                        expected.set(name, value);
                        actual.set(name, value);
                    }
                    case 2 -> {
                        expected.remove(name);
                        actual.remove(name);
                    }
                    case 3 -> assertThat(actual.get(name)).isEqualTo(expected.get(name));
                    case 4 -> assertThat(actual.getAll(name)).isEqualTo(expected.getAll(name));
                    case 5 -> assertThat(actual.contains(name)).isEqualTo(expected.contains(name));
                    default -> {
                        if (rnd.nextInt(4) == 0) {
                            actual.getTimeMillis("Date"); // a rare read: the block becomes full headers
                        }
                        String listed = (rnd.nextBoolean() ? "v" : "w") + rnd.nextInt(5);
                        boolean ignoreCase = rnd.nextBoolean();
                        assertThat(actual.containsValue(name, listed, ignoreCase))
                                .as(name + " lists " + listed + " in " + lines(expected))
                                .isEqualTo(expected.containsValue(name, listed, ignoreCase));
                        String first = expected.get(name);
                        assertThat(actual.valueIs(name, listed.toUpperCase()))
                                .isEqualTo(first != null && first.equalsIgnoreCase(listed));
                    }
                }
                assertThat(actual.size()).isEqualTo(expected.size());
                assertThat(actual.isEmpty()).isEqualTo(expected.isEmpty());
            }
            assertThat(lines(actual)).isEqualTo(lines(expected));
            assertThat(actual.names()).containsExactlyInAnyOrderElementsOf(expected.names());
            if (actual.lean()) {
                StringBuilder want = new StringBuilder();
                for (String l : lines(expected)) {
                    want.append(l).append("\r\n");
                }
                assertThat(written(actual)).isEqualTo(want.toString());
            }
        }
    }

    @Test
    void valuesLoseTheirOptionalWhitespaceAndKeepEveryOtherByte() throws Exception {
        HeaderBlock h = parse("A:\t x y \t\r\nB: caf\u00e9\r\nC:\r\n");
        assertThat(h.get("a")).isEqualTo("x y");
        assertThat(h.get("B")).isEqualTo("caf\u00e9");
        assertThat(h.get("C")).isEmpty();
        assertThat(written(h)).isEqualTo("A: x y\r\nB: caf\u00e9\r\nC: \r\n");
    }

    @Test
    void foldedLinesAreJoinedOnlyWhenAllowed() throws Exception {
        ByteBuf b = Unpooled.copiedBuffer("A: one\r\n  two\r\nB: 2\r\n", StandardCharsets.US_ASCII);
        HeaderBlock h = new HeadParser().parse(b, 0, b.writerIndex(), true);
        assertThat(h.get("A")).matches("one +two");
        assertThat(h.get("B")).isEqualTo("2");
        assertThatThrownBy(() -> new HeadParser().parse(b, 0, b.writerIndex(), false))
                .isInstanceOf(HeadParser.BadHead.class);
        b.release();
    }

    @Test
    void linesRfc9112ForbidsAreRefused() {
        for (String bad : new String[] {"A : 1\r\n", ": 1\r\n", "A\r\n", "A\u0001B: 1\r\n", "A: 1\u0000\r\n",
                "A: x\ry\r\n", "A: \u007f\r\n", " A: 1\r\n", "A(: 1\r\n"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad.replace("\r\n", "\\r\\n"))
                    .isInstanceOf(HeadParser.BadHead.class);
        }
    }

    @Test
    void addedNamesAndValuesAreChecked() throws Exception {
        HeaderBlock h = parse("A: 1\r\n");
        assertThatThrownBy(() -> h.add("B C", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.set("B", "x\r\nEvil: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(written(h)).isEqualTo("A: 1\r\n");
    }

    @Test
    void aBlockOfMoreLinesThanItsBitsIsFullHeadersFromTheStart() throws Exception {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < HeaderBlock.MAX_LINES + 1; i++) {
            s.append("H").append(i).append(": ").append(i).append("\r\n");
        }
        HeaderBlock h = parse(s.toString());
        assertThat(h.lean()).isFalse();
        assertThat(h.size()).isEqualTo(HeaderBlock.MAX_LINES + 1);
        assertThat(h.get("h64")).isEqualTo("64");
        h.remove("H0");
        assertThat(h.size()).isEqualTo(HeaderBlock.MAX_LINES);
    }

    @Test
    void longAndEmptyValuesKeepTheirOffsetsAcrossTheWholeSixteenBits() throws Exception {
        String a = "a".repeat(300);
        String b = "b".repeat(33_000);
        String c = "c".repeat(20_000);
        HeaderBlock h = parse("Empty:\r\nA: " + a + "\r\nB: " + b + "\r\nAlso-Empty:   \r\nC: " + c + "\r\nLast: z\r\n");
        assertThat(h.lean()).isTrue();
        assertThat(h.get("Empty")).isEmpty();
        assertThat(h.get("A")).isEqualTo(a);
        assertThat(h.get("B")).isEqualTo(b);
        assertThat(h.get("Also-Empty")).isEmpty();
        assertThat(h.get("C")).isEqualTo(c);
        assertThat(h.get("Last")).isEqualTo("z");
        assertThat(h.digits("Last")).isEqualTo(-1);
        ByteBuf out = Unpooled.buffer();
        h.writeTo(out);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("Empty: \r\nA: " + a + "\r\nB: " + b
                + "\r\nAlso-Empty: \r\nC: " + c + "\r\nLast: z\r\n");
        out.release();
    }

    @Test
    void aValueFoldedOntoAnEmptyOneStartsWithItsFirstCharacter() throws Exception {
        ByteBuf b = Unpooled.copiedBuffer("X:\r\n   c0\r\nY: 1\r\n  2\r\n", StandardCharsets.ISO_8859_1);
        HeaderBlock h = new HeadParser().parse(b, 0, b.writerIndex(), true);
        b.release();
        assertThat(h.get("X")).isEqualTo("c0");
        assertThat(h.get("Y")).isEqualTo("1    2"); // CR, LF and the two blanks became spaces
        h.getTimeMillis("Date"); // made full: Netty's headers take the values as they are
        assertThat(h.get("X")).isEqualTo("c0");
    }
}
