package io.clusterlink.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's bounds on replication resources, whatever the number of links: copy threads
 * ({@code max-copy-threads}: a link gets fewer than its {@code num.cluster.link.fetchers} when
 * many links share the bound, never fewer than one), and memory ({@code memory-budget}): half of it
 * for the producers' buffers, split over the planned copy threads and enforced across all of them
 * (copy threads stop fetching while the writes all producers hold exceed it), and a third of it for
 * the consumers' fetch buffers (each consumer's {@code fetch.max.bytes}).
 */
final class ReplicationBudget {

    private static final long MIN_PRODUCER_BUFFER = 4L * 1024 * 1024;
    private static final long MIN_FETCH_BYTES = 1024 * 1024;

    private final long bytes;
    private final int maxCopyThreads;
    private volatile int plannedThreads = 1;
    private final LongAdder buffered = new LongAdder();

    ReplicationBudget(long bytes, int maxCopyThreads) {
        this.bytes = bytes;
        this.maxCopyThreads = Math.max(1, maxCopyThreads);
    }

    long bytes() {
        return bytes;
    }

    /** The copy threads the current plan asks for (all links). */
    void planned(int copyThreads) {
        plannedThreads = Math.max(1, copyThreads);
    }

    /** Copy threads for a link that asks for {@code configured}, when {@code links} links share the bound. */
    int fetchersFor(int configured, int links) {
        return Math.max(1, Math.min(configured, maxCopyThreads / Math.max(1, links)));
    }

    /** A new producer's {@code buffer.memory}: its share of the producers' half, at most {@code configured}. */
    long producerBuffer(long configured) {
        long share = bytes / 2 / plannedThreads;
        return Math.min(configured, Math.max(MIN_PRODUCER_BUFFER, share));
    }

    /** A new consumer's {@code fetch.max.bytes}: its share of the consumers' third, at most {@code configured}. */
    int fetchMaxBytes(int configured) {
        long share = bytes / 3 / plannedThreads;
        return (int) Math.min(configured, Math.max(MIN_FETCH_BYTES, share));
    }

    /** A copy thread's producers hold {@code delta} more (or fewer) bytes of writes. */
    void buffered(long delta) {
        if (delta != 0) {
            buffered.add(delta);
        }
    }

    /** True while all producers together hold more than their half of the budget. */
    boolean full() {
        return buffered.sum() > bytes / 2;
    }
}
