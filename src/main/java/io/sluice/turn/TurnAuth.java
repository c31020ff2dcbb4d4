package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.config.TurnConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Long-term credentials of a TURN listener (RFC 8489 section 9.2): the key of a user (MD5 of
 * {@code user:realm:password}) from static users or from the TURN REST API's shared secret (user
 * {@code expiry:name}, password base64(HMAC-SHA1(secret, user))), stateless nonces that expire, and the
 * MESSAGE-INTEGRITY (HMAC-SHA1) and MESSAGE-INTEGRITY-SHA256 of messages. Never logs or returns a password.
 * Thread-safe.
 */
final class TurnAuth {
    /** How long a nonce is good for; then 438 (Stale Nonce) hands out a fresh one. */
    static final long NONCE_SECONDS = 600;

    private static final FastThreadLocal<Mac> SHA1 = macs("HmacSHA1");
    private static final FastThreadLocal<Mac> SHA256 = macs("HmacSHA256");

    private final String realm;
    private final byte[] sharedSecret;
    private final Map<String, byte[]> staticKeys = new HashMap<>();
    private final byte[] nonceSecret = new byte[32];

    TurnAuth(TurnConfig config) {
        this(config, null);
    }

    /** Credentials of {@code config} that accept the nonces this one handed out. */
    TurnAuth with(TurnConfig config) {
        return new TurnAuth(config, nonceSecret);
    }

    private TurnAuth(TurnConfig config, byte[] keepNonces) {
        this.realm = config.realm();
        this.sharedSecret = config.sharedSecret() == null ? null
                : config.sharedSecret().getBytes(StandardCharsets.UTF_8);
        config.users().forEach((user, password) -> staticKeys.put(user, key(user, realm, password)));
        if (keepNonces != null) {
            System.arraycopy(keepNonces, 0, nonceSecret, 0, nonceSecret.length);
        } else {
            new SecureRandom().nextBytes(nonceSecret);
        }
    }

    private static FastThreadLocal<Mac> macs(String algorithm) {
        return new FastThreadLocal<>() {
            @Override
            protected Mac initialValue() throws GeneralSecurityException {
                return Mac.getInstance(algorithm);
            }
        };
    }

    String realm() {
        return realm;
    }

    /** MD5(user:realm:password), the long-term key. */
    static byte[] key(String user, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest((user + ":" + realm + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is missing from this JDK", e);
        }
    }

    /** The REST API password of {@code user}: base64(HMAC-SHA1(secret, user)). */
    static String restPassword(byte[] secret, String user) {
        return Base64.getEncoder().encodeToString(hmac(SHA1.get(), secret, user.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The key of {@code user}, or null when there is none: not a static user, and not a REST API user
     * ({@code expiry:name}, expiry in Unix seconds) whose expiry is still ahead of {@code nowSeconds}.
     */
    byte[] keyOf(String user, long nowSeconds) {
        byte[] k = staticKeys.get(user);
        if (k != null || sharedSecret == null) {
            return k;
        }
        int colon = user.indexOf(':');
        String expiry = colon < 0 ? user : user.substring(0, colon);
        if (expiry.isEmpty() || expiry.length() > 12 || !expiry.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        if (Long.parseLong(expiry) < nowSeconds) {
            return null;
        }
        return key(user, realm, restPassword(sharedSecret, user));
    }

    /** A nonce good until {@link #NONCE_SECONDS} after {@code nowSeconds}: its expiry and a MAC of it, in hex. */
    String nonce(long nowSeconds) {
        long until = nowSeconds + NONCE_SECONDS;
        byte[] mac = hmac(SHA256.get(), nonceSecret, Long.toString(until).getBytes(StandardCharsets.US_ASCII));
        StringBuilder s = new StringBuilder(40).append(Long.toHexString(until)).append('-');
        for (int i = 0; i < 12; i++) {
            s.append(Character.forDigit((mac[i] >> 4) & 0xf, 16)).append(Character.forDigit(mac[i] & 0xf, 16));
        }
        return s.toString();
    }

    /** What a nonce sent back is worth. */
    enum NonceCheck { GOOD, STALE, FORGED }

    NonceCheck checkNonce(String nonce, long nowSeconds) {
        int dash = nonce.indexOf('-');
        if (dash < 1 || dash > 16) {
            return NonceCheck.FORGED;
        }
        long until;
        try {
            until = Long.parseLong(nonce, 0, dash, 16);
        } catch (NumberFormatException e) {
            return NonceCheck.FORGED;
        }
        byte[] mac = hmac(SHA256.get(), nonceSecret, Long.toString(until).getBytes(StandardCharsets.US_ASCII));
        if (nonce.length() != dash + 1 + 24) {
            return NonceCheck.FORGED;
        }
        int diff = 0;
        for (int i = 0; i < 12; i++) {
            int hi = Character.digit(nonce.charAt(dash + 1 + 2 * i), 16);
            int lo = Character.digit(nonce.charAt(dash + 2 + 2 * i), 16);
            diff |= (hi < 0 || lo < 0 ? 0x100 : 0) | (((hi << 4) | lo) ^ (mac[i] & 0xff));
        }
        if (diff != 0) {
            return NonceCheck.FORGED;
        }
        return until < nowSeconds ? NonceCheck.STALE : NonceCheck.GOOD;
    }

    /**
     * Whether the message's integrity attribute is right for {@code key}: MESSAGE-INTEGRITY-SHA256 when it has one
     * (RFC 8489: the stronger one wins), else MESSAGE-INTEGRITY. Each is computed over the message up to it, with
     * the length field as if the message ended with it.
     */
    static boolean verify(StunMessage m, byte[] key) {
        boolean sha256 = usesSha256(m);
        int at = sha256 ? m.integritySha256() : m.integrity();
        if (at < 0) {
            return false;
        }
        int size = m.attributeLength(at);
        byte[] mac = integrity(sha256 ? SHA256.get() : SHA1.get(), key, m.buffer(), m.start(), at, size);
        int diff = 0;
        for (int i = 0; i < size; i++) {
            diff |= mac[i] ^ m.buffer().getByte(at + 4 + i);
        }
        return diff == 0;
    }

    /** Whether a request carries MESSAGE-INTEGRITY-SHA256 (checked, and used in its answer, instead of the SHA-1 one). */
    static boolean usesSha256(StunMessage m) {
        return m.integritySha256() >= 0;
    }

    /** Appends MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256) to the message at {@code start}, keyed by {@code key}. */
    static void sign(ByteBuf out, int start, byte[] key, boolean sha256) {
        int at = out.writerIndex();
        int size = sha256 ? 32 : 20;
        byte[] mac = integrity(sha256 ? SHA256.get() : SHA1.get(), key, out, start, at, size);
        out.writeShort(sha256 ? Stun.MESSAGE_INTEGRITY_SHA256 : Stun.MESSAGE_INTEGRITY);
        out.writeShort(size);
        out.writeBytes(mac, 0, size);
        StunWriter.finish(out, start);
    }

    private static byte[] integrity(Mac mac, byte[] key, ByteBuf buf, int start, int at, int size) {
        try {
            mac.init(new SecretKeySpec(key, mac.getAlgorithm()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        int length = at - start - Stun.HEADER + 4 + size;
        update(mac, buf, start, 2);
        mac.update((byte) (length >> 8));
        mac.update((byte) length);
        update(mac, buf, start + 4, at - start - 4);
        return mac.doFinal();
    }

    private static void update(Mac mac, ByteBuf buf, int index, int length) {
        if (buf.hasArray()) {
            mac.update(buf.array(), buf.arrayOffset() + index, length);
        } else {
            mac.update(buf.nioBuffer(index, length));
        }
    }

    private static byte[] hmac(Mac mac, byte[] key, byte[] data) {
        try {
            mac.init(new SecretKeySpec(key, mac.getAlgorithm()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return mac.doFinal(data);
    }
}
