package io.clusterlink.replication;

import java.util.concurrent.atomic.AtomicLong;

import io.clusterlink.link.PartitionLag;

/**
 * Progress of one mirror partition, written by its copy thread and the producer's callbacks, read
 * by anyone. The copied position is exact: everything before it is acknowledged on the mirror at
 * the same offset, or was a non-data offset (transaction marker, aborted record) of the source
 * that the copy read past while nothing of the current attempt was in flight or had failed.
 */
final class PartitionProgress {

    final int partition;
    /** Source position up to which everything fetched was sent in the current attempt (capped at the stop offset). */
    private volatile long fetched = -1;
    /** Offset after the last acknowledged write. */
    private final AtomicLong acked = new AtomicLong(-1);
    /** The writes of the current attempt; null while the partition is not copying. */
    private volatile AckTracker attempt;
    /** False once a write of the current attempt failed or was refused. */
    private volatile boolean attemptHealthy;
    /** Source end offset (LSO) as last seen; -1 before it is known. */
    private volatile long sourceEnd = -1;
    private volatile boolean aligned;
    private volatile Long stopOffset;
    /** Filler records an alignment still has to write, -1 when none is running. */
    private volatile long aligning = -1;
    private volatile long alignTarget = -1;
    /**
     * True while every write this service sent to the partition was answered by the destination,
     * so nothing of an earlier writer can still land: a start then need not wait for the mirror's
     * end to stay the same. False for a partition this process has not written (a previous process
     * may have left writes on their way), after any failed write or interrupted alignment.
     */
    private volatile boolean quiet;
    private final java.util.concurrent.atomic.LongAdder copied = new java.util.concurrent.atomic.LongAdder();

    PartitionProgress(int partition) {
        this.partition = partition;
    }

    PartitionProgress(int partition, boolean quiet) {
        this.partition = partition;
        this.quiet = quiet;
    }

    boolean quiet() {
        return quiet;
    }

    void quiet(boolean value) {
        quiet = value;
    }

    /** A new attempt starts writing at {@code destinationEnd}, the verified end of the mirror partition. */
    void restart(long destinationEnd, AckTracker tracker) {
        acked.set(destinationEnd);
        fetched = destinationEnd;
        attempt = tracker;
        attemptHealthy = true;
    }

    /** A start found the mirror partition ending at {@code destinationEnd}: that much is copied, for now. */
    void startsAt(long destinationEnd) {
        acked.accumulateAndGet(destinationEnd, Math::max);
    }

    /** The partition stopped copying (removed, failed, restarting): only acknowledged writes count. */
    void stopped() {
        attempt = null;
        attemptHealthy = false;
    }

    void acknowledged(long nextOffset) {
        acked.accumulateAndGet(nextOffset, Math::max);
        copied.increment();
    }

    /** Offsets acknowledged by the destination in this process, one per write. */
    long copied() {
        return copied.sum();
    }

    /** The offset after the last write the destination acknowledged (records sent but not acknowledged excluded). */
    long acknowledged() {
        return acked.get();
    }

    void attemptFailed() {
        attemptHealthy = false;
    }

    /** Called after a poll's records were handled: everything before {@code position} was sent. */
    void fetchedUpTo(long position) {
        Long stop = stopOffset;
        fetched = stop == null ? position : Math.min(position, stop);
    }

    void sourceEnd(long end) {
        sourceEnd = end;
    }

    void aligned(boolean value) {
        aligned = value;
    }

    boolean aligned() {
        return aligned;
    }

    void stopOffset(Long offset) {
        stopOffset = offset;
    }

    Long stopOffset() {
        return stopOffset;
    }

    /** An alignment is writing fillers up to {@code target}; {@code remaining} are still to be written. */
    void aligning(long remaining, long target) {
        aligning = remaining;
        alignTarget = target;
    }

    long alignmentRemaining() {
        return aligning;
    }

    long alignmentTarget() {
        return alignTarget;
    }

    /** Source position fully copied: nothing before it is missing, in flight, or lost to a failed write. */
    long copiedPosition() {
        AckTracker current = attempt;
        long ack = acked.get();
        if (current == null || !attemptHealthy || !current.clean()) {
            return ack;
        }
        return Math.max(fetched, ack);
    }

    boolean reachedStop() {
        Long stop = stopOffset;
        return stop != null && aligned && copiedPosition() >= stop;
    }

    /**
     * Records behind the source end (capped at the stop offset); -1 while the source end is not
     * known yet. Never 0 while the mirror is known to lack records.
     */
    PartitionLag lag() {
        long end = sourceEnd;
        Long stop = stopOffset;
        if (stop != null && (end < 0 || end > stop)) {
            end = stop;
        }
        if (end < 0) {
            return new PartitionLag(partition, -1, sourceEnd);
        }
        long position = Math.max(0, copiedPosition());
        return new PartitionLag(partition, Math.max(0, end - position), sourceEnd);
    }
}
