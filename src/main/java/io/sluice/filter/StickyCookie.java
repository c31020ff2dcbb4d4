package io.sluice.filter;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The value of a sticky-session cookie: which backend a client belongs to and until when, signed with
 * HMAC-SHA256 so that a client can neither forge nor change it. The bytes are a version (1), the expiry in
 * seconds since the epoch (8 bytes, big-endian), the backend's {@code host:port} in UTF-8 and the 32-byte MAC
 * of all of that; the cookie carries them base64url-encoded without padding. Note that the backend's address
 * is readable by the client (signed, not encrypted).
 *
 * <p>Several keys may be configured so that keys can rotate: the first signs, every one verifies. MACs are
 * compared in constant time. Thread-safe: each thread keeps its own {@link Mac} per key (no lock, no
 * {@code Mac.getInstance} per request).
 */
public final class StickyCookie {
    /** Values longer than this are not decoded at all (a real one is well under 200 characters). */
    static final int MAX_LENGTH = 512;
    private static final byte VERSION = 1;
    private static final int MAC_LENGTH = 32;
    private static final int HEAD = 1 + 8;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /**
     * A value that verified.
     *
     * @param backend the backend's address, {@code host:port}
     * @param expires when the value stops being valid, in seconds since the epoch
     */
    public record Verified(String backend, long expires) {
    }

    private final List<SecretKeySpec> keys;
    private final ThreadLocal<Mac[]> macs;

    /** @param secrets the keys, newest (signing) first; at least one, none empty */
    public StickyCookie(List<String> secrets) {
        Objects.requireNonNull(secrets, "secrets");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed");
        }
        List<SecretKeySpec> k = new ArrayList<>(secrets.size());
        for (String s : secrets) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("a secret is empty");
            }
            k.add(new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), ALGORITHM));
        }
        this.keys = List.copyOf(k);
        this.macs = ThreadLocal.withInitial(this::newMacs);
        newMacs(); // fail now, not on an event loop, if the JDK lacks HmacSHA256
    }

    private Mac[] newMacs() {
        Mac[] out = new Mac[keys.size()];
        try {
            for (int i = 0; i < out.length; i++) {
                out[i] = Mac.getInstance(ALGORITHM);
                out[i].init(keys.get(i));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        return out;
    }

    /** The cookie value naming {@code backend} until {@code expires} (seconds since the epoch), signed with the first key. */
    public String sign(String backend, long expires) {
        byte[] address = backend.getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[HEAD + address.length + MAC_LENGTH];
        buf[0] = VERSION;
        for (int i = 0; i < 8; i++) {
            buf[1 + i] = (byte) (expires >>> (56 - 8 * i));
        }
        System.arraycopy(address, 0, buf, HEAD, address.length);
        Mac mac = macs.get()[0];
        mac.update(buf, 0, HEAD + address.length);
        System.arraycopy(mac.doFinal(), 0, buf, HEAD + address.length, MAC_LENGTH);
        return ENCODER.encodeToString(buf);
    }

    /**
     * The backend and expiry of {@code value} when some key signed it and it has not expired at {@code now}
     * (seconds since the epoch); null when it is malformed, tampered with, signed by an unknown key or expired.
     */
    public Verified verify(CharSequence value, long now) {
        if (value == null || value.length() == 0 || value.length() > MAX_LENGTH) {
            return null;
        }
        byte[] buf;
        try {
            buf = DECODER.decode(value.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
        int signed = buf.length - MAC_LENGTH;
        if (signed <= HEAD || buf[0] != VERSION) {
            return null;
        }
        byte[] given = new byte[MAC_LENGTH];
        System.arraycopy(buf, signed, given, 0, MAC_LENGTH);
        boolean ok = false;
        for (Mac mac : macs.get()) {
            mac.update(buf, 0, signed);
            // Check every key whatever the outcome, so the time taken says nothing about which one matched.
            ok |= MessageDigest.isEqual(mac.doFinal(), given);
        }
        if (!ok) {
            return null;
        }
        long expires = 0;
        for (int i = 0; i < 8; i++) {
            expires = (expires << 8) | (buf[1 + i] & 0xff);
        }
        if (expires <= now) {
            return null;
        }
        return new Verified(new String(buf, HEAD, signed - HEAD, StandardCharsets.UTF_8), expires);
    }
}
