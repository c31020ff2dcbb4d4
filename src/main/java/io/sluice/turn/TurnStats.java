package io.sluice.turn;

import io.sluice.runtime.StripedCounters;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one TURN listener relays: packets and bytes each way (counted per event loop without atomic instructions),
 * and the allocations, permissions and channels alive now (changed per allocation event, not per packet).
 * Thread-safe.
 */
public final class TurnStats {
    private static final int TO_PEER_PACKETS = 0;
    private static final int TO_PEER_BYTES = 1;
    private static final int FROM_PEER_PACKETS = 2;
    private static final int FROM_PEER_BYTES = 3;
    private static final int AUTH_FAILURES = 4;
    private static final int ALLOCATED = 5;
    private static final int DROPPED = 6;

    private final StripedCounters counts = new StripedCounters(7);
    final AtomicInteger allocations = new AtomicInteger();
    final AtomicInteger permissions = new AtomicInteger();
    final AtomicInteger channels = new AtomicInteger();

    void countToPeer(int bytes) {
        counts.increment(TO_PEER_PACKETS);
        counts.add(TO_PEER_BYTES, bytes);
    }

    void countFromPeer(int bytes) {
        counts.increment(FROM_PEER_PACKETS);
        counts.add(FROM_PEER_BYTES, bytes);
    }

    void countAuthFailure() {
        counts.increment(AUTH_FAILURES);
    }

    void countAllocated() {
        counts.increment(ALLOCATED);
    }

    void countDropped() {
        counts.increment(DROPPED);
    }

    /** Allocations alive now. */
    public int allocations() {
        return allocations.get();
    }

    /** Permissions installed and not expired, over all allocations. */
    public int permissions() {
        return permissions.get();
    }

    /** Channels bound and not expired, over all allocations. */
    public int channels() {
        return channels.get();
    }

    /** Allocations made since start. */
    public long allocationsMade() {
        return counts.sum(ALLOCATED);
    }

    /** Datagrams relayed from clients to peers. */
    public long packetsToPeers() {
        return counts.sum(TO_PEER_PACKETS);
    }

    /** Application bytes relayed from clients to peers. */
    public long bytesToPeers() {
        return counts.sum(TO_PEER_BYTES);
    }

    /** Datagrams relayed from peers to clients. */
    public long packetsFromPeers() {
        return counts.sum(FROM_PEER_PACKETS);
    }

    /** Application bytes relayed from peers to clients. */
    public long bytesFromPeers() {
        return counts.sum(FROM_PEER_BYTES);
    }

    /** Requests that failed authentication (wrong key, unknown or expired user). */
    public long authFailures() {
        return counts.sum(AUTH_FAILURES);
    }

    /** Data dropped: no permission, no channel, or a client that cannot take more. */
    public long dropped() {
        return counts.sum(DROPPED);
    }
}
