package io.sluice.turn;

/**
 * One TURN allocation as the admin API and {@code sluice status} show it. Immutable.
 *
 * @param id             the allocation's id (for DELETE)
 * @param user           the user it belongs to
 * @param client         the client's transport and address, e.g. udp/192.0.2.1:50000
 * @param relay          the relayed address announced to the client
 * @param ageSeconds     how long it has lived
 * @param bytesToPeers   application bytes relayed from the client to its peers
 * @param bytesFromPeers application bytes relayed from peers to the client
 */
public record AllocationInfo(long id, String user, String client, String relay, long ageSeconds, long bytesToPeers,
                             long bytesFromPeers) {
}
