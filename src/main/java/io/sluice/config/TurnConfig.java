package io.sluice.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The relay settings of a {@code turn} listener (RFC 8656). Immutable; thread-safe. {@link #toString()} names
 * the users but never a password or the shared secret.
 *
 * @param realm                 the REALM clients authenticate in
 * @param sharedSecret          the TURN REST API secret (coturn's {@code static-auth-secret}): a user
 *                              {@code expiry:name} has the password base64(HMAC-SHA1(secret, user)); null for none
 * @param users                 static long-term credentials, user to password; empty for none
 * @param relayPortMin          lowest relay port
 * @param relayPortMax          highest relay port
 * @param relayAddress          the address announced in XOR-RELAYED-ADDRESS; null to announce the bind address
 * @param maxAllocations        most allocations at once on this listener (508 past it)
 * @param maxAllocationsPerUser most allocations of one user at once (486 past it)
 * @param defaultLifetime       an allocation's lifetime when the client asks for none
 * @param maxLifetime           the longest lifetime granted
 * @param deniedPeers           peers no allocation may reach (403)
 * @param allowedPeers          exceptions to {@code deniedPeers}
 * @param authFailuresPerMinute failed authentications one source address may make per minute before its
 *                              requests are dropped for the rest of that minute
 * @param bandwidthPerAllocation bytes per second one allocation may relay each way (datagrams over it are
 *                              dropped); 0 for no cap
 */
public record TurnConfig(String realm, String sharedSecret, Map<String, String> users, int relayPortMin,
                         int relayPortMax, String relayAddress, int maxAllocations, int maxAllocationsPerUser,
                         Duration defaultLifetime, Duration maxLifetime, List<CidrBlock> deniedPeers,
                         List<CidrBlock> allowedPeers, int authFailuresPerMinute, long bandwidthPerAllocation) {
    /** Private, loopback, link-local, shared, multicast and unspecified ranges: what a relay must not reach by default. */
    public static final List<String> DEFAULT_DENIED = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10",
            "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "224.0.0.0/3", "::/128", "::1/128", "64:ff9b::/96", "fc00::/7", "fe80::/10",
            "ff00::/8");

    public TurnConfig {
        Objects.requireNonNull(realm, "realm");
        users = Map.copyOf(Objects.requireNonNull(users, "users"));
        if (sharedSecret == null && users.isEmpty()) {
            throw new IllegalArgumentException("a turn listener needs a shared secret or users");
        }
        if (relayPortMin < 1 || relayPortMax > 65535 || relayPortMin > relayPortMax) {
            throw new IllegalArgumentException("relay ports must be a range within 1-65535");
        }
        if (maxAllocations < 1 || maxAllocationsPerUser < 1 || authFailuresPerMinute < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        Objects.requireNonNull(defaultLifetime, "defaultLifetime");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        if (bandwidthPerAllocation < 0) {
            throw new IllegalArgumentException("bandwidthPerAllocation must not be negative");
        }
        deniedPeers = List.copyOf(deniedPeers);
        allowedPeers = List.copyOf(allowedPeers);
    }

    /** Settings without a bandwidth cap. */
    public TurnConfig(String realm, String sharedSecret, Map<String, String> users, int relayPortMin,
                      int relayPortMax, String relayAddress, int maxAllocations, int maxAllocationsPerUser,
                      Duration defaultLifetime, Duration maxLifetime, List<CidrBlock> deniedPeers,
                      List<CidrBlock> allowedPeers, int authFailuresPerMinute) {
        this(realm, sharedSecret, users, relayPortMin, relayPortMax, relayAddress, maxAllocations,
                maxAllocationsPerUser, defaultLifetime, maxLifetime, deniedPeers, allowedPeers, authFailuresPerMinute, 0);
    }

    /** The default denied ranges, parsed. */
    public static List<CidrBlock> defaultDenied() {
        return DEFAULT_DENIED.stream().map(CidrBlock::parse).toList();
    }

    @Override
    public String toString() {
        return "TurnConfig[realm=" + realm + ", sharedSecret=" + (sharedSecret == null ? "none" : "(set)")
                + ", users=" + users.keySet() + ", relayPorts=" + relayPortMin + "-" + relayPortMax
                + ", relayAddress=" + relayAddress + ", maxAllocations=" + maxAllocations + ", maxAllocationsPerUser="
                + maxAllocationsPerUser + ", defaultLifetime=" + defaultLifetime + ", maxLifetime=" + maxLifetime
                + ", deniedPeers=" + deniedPeers + ", allowedPeers=" + allowedPeers + ", authFailuresPerMinute="
                + authFailuresPerMinute + ", bandwidthPerAllocation=" + bandwidthPerAllocation + "]";
    }
}
