package io.sluice.l4.detect;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target for the protocol detectors: the input is what a client sends first (or one datagram), and every
 * built-in detector, plus a prefix detector, is asked about it as a listener would ask. Checked for every
 * input:
 * <ul>
 *   <li>no detector throws, on any prefix of the input;</li>
 *   <li>none moves the buffer's indexes or changes its bytes, and none reads past the writer index (the
 *       buffer ends there, so such a read throws) or before the reader index (other bytes sit there);</li>
 *   <li>a stream detector is asked about the input as it grows a byte at a time until it answers other than
 *       NEED_MORE; that answer stays the same for every longer prefix (a few after it, and the whole input);</li>
 *   <li>a datagram-only detector never answers NEED_MORE for a whole datagram.</li>
 * </ul>
 */
class DetectorsFuzzTest {
    /** How many bytes before the reader index hold something else. */
    private static final int BEFORE = 2;
    /** How many longer prefixes after the deciding one are asked again. */
    private static final int RECHECK = 8;

    /**
     * Words of the protocols, so mutations reach past their first checks. Printable ASCII only (Jazzer 0.24
     * writes entries into the dictionary file unescaped); binary magic numbers come from the inputs directory.
     */
    @DictionaryEntries({" HTTP/1.1", "PRI * HTTP/2.0", "SSH-2.0-", "SSH-1.99-", "PROXY TCP4 ", "PROXY TCP6 ",
            "PROXY UNKNOWN", "MQTT", "MQIsdp", "PING", "HELLO", "COMMAND", "QUIT", "SELECT", "$4", "*1"})
    @FuzzTest(maxDuration = "30s")
    void detectorsNeverThrowAndKeepTheirAnswer(byte[] input) {
        for (Detector d : detectors(input)) {
            byte[] backing = new byte[BEFORE + input.length];
            Arrays.fill(backing, 0, BEFORE, (byte) 0x16);
            System.arraycopy(input, 0, backing, BEFORE, input.length);
            if (d.stream()) {
                stream(d, backing, input.length);
            }
            if (d.datagram()) {
                Detection whole = ask(d, backing, input.length);
                if (!d.stream() && whole.kind() == Detection.Kind.NEED_MORE) {
                    throw new AssertionError(d.protocol() + " answered NEED_MORE for a whole datagram");
                }
            }
            for (int i = 0; i < input.length; i++) {
                if (backing[BEFORE + i] != input[i]) {
                    throw new AssertionError(d.protocol() + " changed byte " + i + " of the buffer");
                }
            }
        }
    }

    /** The built-ins, a fixed prefix, and a prefix made of the input's own first bytes. */
    private static List<Detector> detectors(byte[] input) {
        List<Detector> all = new ArrayList<>(Detectors.builtIn());
        all.add(new PrefixDetector(new byte[] {0x16, 0x03}));
        if (input.length > 0) {
            all.add(new PrefixDetector(Arrays.copyOf(input, 1 + (input[0] & 0x03))));
        }
        return all;
    }

    private static void stream(Detector d, byte[] backing, int length) {
        for (int n = 0; n <= length; n++) {
            Detection decided = ask(d, backing, n);
            if (decided.kind() == Detection.Kind.NEED_MORE) {
                continue;
            }
            for (int later = n + 1; later <= Math.min(length, n + RECHECK); later++) {
                same(d, decided, ask(d, backing, later), n, later);
            }
            same(d, decided, ask(d, backing, length), n, length);
            return;
        }
    }

    private static void same(Detector d, Detection decided, Detection later, int n, int laterN) {
        if (!decided.equals(later)) {
            throw new AssertionError(d.protocol() + " answered " + decided + " after " + n + " bytes but " + later
                    + " after " + laterN);
        }
    }

    /** The detector's answer for the input's first {@code n} bytes, in a buffer that ends where they do. */
    private static Detection ask(Detector d, byte[] backing, int n) {
        ByteBuf seen = Unpooled.wrappedBuffer(backing, 0, BEFORE + n).readerIndex(BEFORE);
        Detection answer = d.detect(seen);
        if (answer == null) {
            throw new AssertionError(d.protocol() + " answered null");
        }
        if (seen.readerIndex() != BEFORE || seen.writerIndex() != BEFORE + n) {
            throw new AssertionError(d.protocol() + " moved the buffer's indexes");
        }
        return answer;
    }
}
