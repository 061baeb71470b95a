package io.clusterlink.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's bounds on replication resources, whatever the number of links: copy threads
 * ({@code max-copy-threads}: a link gets fewer than its {@code num.cluster.link.fetchers} when
 * many links share the bound, never fewer than one), and memory ({@code memory-budget}): two
 * fifths for the producers' buffers, split over the planned copy threads and enforced across all
 * of them (copy threads stop fetching while the writes all producers hold exceed half the budget),
 * a fifth per side for the consumers' fetches (each consumer holds about two fetches) and for the
 * records one poll hands over. Clients are sized for the share at the time they are made; a copy
 * thread makes them again once the share has halved or doubled ({@link #outgrown}).
 */
final class ReplicationBudget {

    private static final long MIN_PRODUCER_BUFFER = 1024 * 1024;
    private static final long MIN_FETCH_BYTES = 256 * 1024;
    private static final int MIN_POLL_RECORDS = 500;
    /**
     * Shares are never computed for fewer copy threads than this, so that the first links' clients
     * need not be made again each time a link is added.
     */
    private static final int MIN_SHARERS = 16;
    private static final long MIN_BATCH = 16 * 1024;
    private static final int MIN_PARTITION_FETCH = 64 * 1024;

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
        long share = bytes * 2 / 5 / sharers();
        return Math.min(configured, Math.max(MIN_PRODUCER_BUFFER, share));
    }

    /**
     * A producer's {@code batch.size} for its buffer and the partitions it writes: Kafka's
     * accumulator holds an open batch per partition, and its buffer pool keeps every freed batch
     * buffer until the producer closes; at least eight batches fit the buffer, and every partition's
     * open batch fits half of it, so that a send does not wait for buffer memory.
     */
    static int batchSize(long bufferMemory, int configured, int partitions) {
        return (int) Math.min(configured, Math.max(MIN_BATCH, bufferMemory / Math.max(8, 2L * partitions)));
    }

    /**
     * A consumer's {@code max.partition.fetch.bytes}: its fetch bytes spread over its partitions
     * (at least 64 KB, at most {@code configured}), so that a fetch carries about a producer batch
     * for each partition instead of one partition's records only, which its producer could send
     * only a batch per request at a time.
     */
    static long partitionFetchBytes(int fetchMaxBytes, int partitions, int configured) {
        return Math.min(configured, Math.max(MIN_PARTITION_FETCH, fetchMaxBytes / Math.max(1, partitions)));
    }

    /**
     * True when a client made with {@code size} (buffer or fetch bytes) should be made again for a
     * share of {@code share}: the share halved or doubled since.
     */
    static boolean outgrown(long size, long share) {
        return size > 2 * share || 2 * size < share;
    }

    /** A new consumer's {@code fetch.max.bytes}: its share of the consumers' third, at most {@code configured}. */
    int fetchMaxBytes(int configured) {
        return (int) Math.min(configured, Math.max(MIN_FETCH_BYTES, fetchShare()));
    }

    /**
     * A new consumer's {@code max.poll.records}: the records one poll hands over are copies of
     * what was fetched, so a poll takes about a fetch share of records of 1 KB.
     */
    int maxPollRecords(int configured) {
        return (int) Math.min(configured, Math.max(MIN_POLL_RECORDS, fetchShare() / 1024));
    }

    private long fetchShare() {
        return bytes / 5 / sharers();
    }

    private int sharers() {
        return Math.max(MIN_SHARERS, plannedThreads);
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
