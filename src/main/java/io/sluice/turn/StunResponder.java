package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Answers STUN requests (RFC 8489) the same way over UDP and TCP: a Binding request gets the sender's address
 * in XOR-MAPPED-ADDRESS (MAPPED-ADDRESS for an RFC 3489 client), SOFTWARE and FINGERPRINT; a request with an
 * unknown comprehension-required attribute gets 420 and UNKNOWN-ATTRIBUTES; a request of a method this server
 * does not serve gets 400. A malformed message is dropped over UDP, where anyone can spoof a source, and
 * answered with 400 over a TCP connection when its header at least is whole. Indications and responses are
 * dropped. Not thread-safe: one per channel or event loop.
 */
public final class StunResponder {
    /** Attributes a Binding request may carry that need no action here (credentials are not asked for). */
    private static final IntPredicate KNOWN = t -> t == Stun.MAPPED_ADDRESS || t == Stun.USERNAME
            || t == Stun.MESSAGE_INTEGRITY || t == Stun.MESSAGE_INTEGRITY_SHA256 || t == Stun.ERROR_CODE
            || t == Stun.UNKNOWN_ATTRIBUTES || t == Stun.REALM || t == Stun.NONCE || t == Stun.PASSWORD_ALGORITHM
            || t == Stun.USERHASH || t == Stun.XOR_MAPPED_ADDRESS || t == Stun.CHANGE_REQUEST;
    private static final int MAX_UNKNOWN = 16;

    private final byte[] software;
    private final StunStats stats;
    private final StunMessage message = new StunMessage();
    private final int[] unknown = new int[MAX_UNKNOWN];

    /**
     * @param software the SOFTWARE attribute's text, e.g. "Sluice 1.0"
     * @param stats    where to count what is answered and dropped
     */
    public StunResponder(String software, StunStats stats) {
        this.software = Objects.requireNonNull(software, "software").getBytes(StandardCharsets.UTF_8);
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * The answer to the message that fills {@code in}'s readable bytes, or null when nothing is to be sent.
     *
     * @param sender where the message came from (what the answer reports)
     * @param local  the address it arrived at (an RFC 3489 client's SOURCE-ADDRESS and CHANGED-ADDRESS)
     * @param stream true on a TCP connection: a malformed request is then answered with 400
     */
    public ByteBuf answer(ByteBufAllocator alloc, ByteBuf in, InetSocketAddress sender, InetSocketAddress local,
                          boolean stream) {
        StunMessage.Problem problem = message.wrap(in);
        if (problem != null) {
            stats.countMalformed();
            if (stream && in.readableBytes() >= Stun.HEADER
                    && Stun.messageClass(in.getUnsignedShort(in.readerIndex()) & 0x3FFF) == Stun.REQUEST) {
                ByteBuf out = alloc.ioBuffer(64 + problem.text().length());
                int start = StunWriter.answer(out, in, in.readerIndex(),
                        Stun.method(in.getUnsignedShort(in.readerIndex())), Stun.ERROR);
                StunWriter.errorCode(out, 400, "Bad Request: " + problem.text());
                end(out, start, in.getInt(in.readerIndex() + 4) != Stun.MAGIC_COOKIE);
                stats.countError();
                return out;
            }
            return null;
        }
        if (message.messageClass() != Stun.REQUEST) {
            stats.countIgnored();
            return null;
        }
        int method = message.method();
        if (method != Stun.BINDING) {
            if (message.classic()) {
                stats.countIgnored();
                return null;
            }
            return error(alloc, method, 400, "Bad Request: method not served here", null, 0);
        }
        int n = 0;
        int change = message.find(Stun.CHANGE_REQUEST);
        if (change >= 0 && (message.attributeLength(change) != 4
                || (in.getInt(StunMessage.valueIndex(change)) & 0x6) != 0)) {
            // A request to answer from another address or port: there is none (RFC 5780 answers that with 420).
            unknown[n++] = Stun.CHANGE_REQUEST;
        }
        n = message.unknownComprehensionRequired(KNOWN, unknown, n);
        if (n > 0) {
            return error(alloc, method, 420, "Unknown Attribute", unknown, n);
        }
        ByteBuf out = alloc.ioBuffer(96 + software.length);
        int start = StunWriter.answer(out, message, Stun.BINDING, Stun.SUCCESS);
        if (message.classic()) {
            StunWriter.address(out, Stun.MAPPED_ADDRESS, sender);
            StunWriter.address(out, Stun.SOURCE_ADDRESS, local);
            StunWriter.address(out, Stun.CHANGED_ADDRESS, local);
        } else {
            StunWriter.xorAddress(out, start, Stun.XOR_MAPPED_ADDRESS, sender);
        }
        end(out, start, message.classic());
        stats.countBinding();
        return out;
    }

    private ByteBuf error(ByteBufAllocator alloc, int method, int code, String reason, int[] unknown, int n) {
        ByteBuf out = alloc.ioBuffer(96 + reason.length() + 2 * n + software.length);
        int start = StunWriter.answer(out, message, method, Stun.ERROR);
        StunWriter.errorCode(out, code, reason);
        if (n > 0) {
            StunWriter.unknownAttributes(out, unknown, n);
        }
        end(out, start, message.classic());
        stats.countError();
        return out;
    }

    /** SOFTWARE, then the length; FINGERPRINT too unless the client is an RFC 3489 one, which knows neither. */
    private void end(ByteBuf out, int start, boolean classic) {
        if (classic) {
            StunWriter.finish(out, start);
            return;
        }
        StunWriter.attribute(out, Stun.SOFTWARE, software);
        StunWriter.fingerprint(out, start);
    }
}
