package io.clusterlink.replication;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.clusterlink.link.PartitionLag;

/**
 * Progress of one mirror partition, written by its copy thread and the producer's callbacks, read
 * by anyone. The copied position is exact: everything before it is acknowledged on the mirror
 * at the same offset, or was a non-data offset (transaction marker, aborted record) of the source.
 */
final class PartitionProgress {

    final int partition;
    /** Source offset up to which all fetched data has been sent (capped at the stop offset). */
    private volatile long sentPosition = -1;
    /** Offset after the last acknowledged write. */
    private final AtomicLong acked = new AtomicLong(-1);
    private final AtomicInteger pending = new AtomicInteger();
    /** Source end offset (LSO) seen by the last fetch; -1 before the first. */
    private volatile long sourceEnd = -1;
    private volatile boolean aligned;
    private volatile Long stopOffset;

    PartitionProgress(int partition) {
        this.partition = partition;
    }

    void reset(long destinationEnd) {
        acked.set(destinationEnd);
        sentPosition = destinationEnd;
    }

    void beforeSend() {
        pending.incrementAndGet();
    }

    void acknowledged(long nextOffset) {
        acked.accumulateAndGet(nextOffset, Math::max);
        pending.decrementAndGet();
    }

    void failedSend() {
        pending.decrementAndGet();
    }

    /** Called after a poll's records were sent: everything before {@code position} is on its way. */
    void sentUpTo(long position) {
        Long stop = stopOffset;
        sentPosition = stop == null ? position : Math.min(position, stop);
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

    /** Source position fully copied: nothing before it is missing or still in flight. */
    long copiedPosition() {
        long sent = sentPosition;
        return pending.get() == 0 ? Math.max(sent, acked.get()) : acked.get();
    }

    boolean reachedStop() {
        Long stop = stopOffset;
        return stop != null && aligned && copiedPosition() >= stop;
    }

    PartitionLag lag() {
        long end = sourceEnd;
        Long stop = stopOffset;
        if (stop != null && (end < 0 || end > stop)) {
            end = stop;
        }
        long position = copiedPosition();
        long lag = end < 0 || position < 0 ? 0 : Math.max(0, end - position);
        return new PartitionLag(partition, lag, sourceEnd);
    }
}
