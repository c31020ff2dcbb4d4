package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.config.TurnConfig;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys, REST API passwords and nonces, against values computed apart (Python's hmac and hashlib). */
class TurnAuthTest {
    private static final long NOW = 1_800_000_000L;

    private static TurnConfig config(String secret, Map<String, String> users) {
        return new TurnConfig("example.com", secret, users, 49152, 65535, null, 10, 10, Duration.ofMinutes(10),
                Duration.ofHours(1), TurnConfig.defaultDenied(), List.of(), 20);
    }

    @Test
    void staticAndRestApiUsersHaveTheKeysOtherServersDerive() {
        TurnAuth auth = new TurnAuth(config("rest-secret", Map.of("alice", "wonderland")));
        assertThat(HexFormat.of().formatHex(auth.keyOf("alice", NOW))).isEqualTo("93dfce8dfebfae8af4a726982429d23a");
        assertThat(TurnAuth.restPassword("rest-secret".getBytes(), "1893456000:bob"))
                .isEqualTo("dO7kRj/AW74kqlzwyVC6fC1I7Lc=");
        assertThat(HexFormat.of().formatHex(auth.keyOf("1893456000:bob", NOW)))
                .isEqualTo("61080b77209f6486e138cf1a534a1f40");
        assertThat(auth.keyOf("1893456000:bob", 1893456001L)).as("expired").isNull();
        assertThat(auth.keyOf("bob", NOW)).as("no expiry").isNull();
        assertThat(auth.keyOf("99999999999999:bob", NOW)).as("an expiry too long to be one").isNull();
        assertThat(new TurnAuth(config(null, Map.of("alice", "w"))).keyOf("1893456000:bob", NOW))
                .as("no shared secret: REST users are unknown").isNull();
    }

    @Test
    void noncesExpireAndCannotBeForged() {
        TurnAuth auth = new TurnAuth(config("s", Map.of()));
        String nonce = auth.nonce(NOW);
        assertThat(auth.checkNonce(nonce, NOW)).isEqualTo(TurnAuth.NonceCheck.GOOD);
        assertThat(auth.checkNonce(nonce, NOW + TurnAuth.NONCE_SECONDS)).isEqualTo(TurnAuth.NonceCheck.GOOD);
        assertThat(auth.checkNonce(nonce, NOW + TurnAuth.NONCE_SECONDS + 1)).isEqualTo(TurnAuth.NonceCheck.STALE);
        String later = Long.toHexString(NOW + 10 * TurnAuth.NONCE_SECONDS) + nonce.substring(nonce.indexOf('-'));
        assertThat(auth.checkNonce(later, NOW)).as("a moved expiry").isEqualTo(TurnAuth.NonceCheck.FORGED);
        assertThat(new TurnAuth(config("s", Map.of())).checkNonce(nonce, NOW)).as("another server's")
                .isEqualTo(TurnAuth.NonceCheck.FORGED);
        for (String junk : List.of("", "-", "zz-00", "1-", nonce + "0", nonce.substring(0, nonce.length() - 1) + "g")) {
            assertThat(auth.checkNonce(junk, NOW)).as(junk).isEqualTo(TurnAuth.NonceCheck.FORGED);
        }
    }

    @Test
    void integrityCoversTheMessageUpToItselfAndAnyChangeBreaksIt() {
        byte[] key = TurnAuth.key("alice", "example.com", "wonderland");
        for (boolean sha256 : new boolean[] {false, true}) {
            ByteBuf out = Unpooled.buffer();
            out.writeShort(0x0003).writeShort(0).writeInt(Stun.MAGIC_COOKIE).writeZero(12);
            StunWriter.attribute(out, Stun.USERNAME, "alice".getBytes());
            TurnAuth.sign(out, 0, key, sha256);
            StunWriter.fingerprint(out, 0);
            StunMessage m = new StunMessage();
            assertThat(m.wrap(out)).isNull();
            assertThat(TurnAuth.usesSha256(m)).isEqualTo(sha256);
            assertThat(TurnAuth.verify(m, key)).isTrue();
            assertThat(TurnAuth.verify(m, TurnAuth.key("alice", "example.com", "wonderlanD"))).isFalse();
            out.setByte(24, 'A'); // the user name, after the fingerprint was taken: check integrity alone
            assertThat(TurnAuth.verify(m, key)).isFalse();
        }
    }

    @Test
    void aConfigNeverPrintsItsSecrets() {
        String text = config("rest-secret", Map.of("alice", "wonderland")).toString();
        assertThat(text).contains("alice").doesNotContain("rest-secret").doesNotContain("wonderland");
    }
}
