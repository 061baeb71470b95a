package io.clusterlink.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.common.record.CompressionType;

import io.clusterlink.link.PartitionLag;
import io.clusterlink.service.RestartCause;

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
    private final LongAdder copied = new LongAdder();
    /** Bytes of keys and values acknowledged, in this process (metrics). */
    private final LongAdder copiedBytes = new LongAdder();
    /** Restarts of the copy by {@link RestartCause}, in this process (metrics; rare, so no adder). */
    private final AtomicLongArray restarts = new AtomicLongArray(RestartCause.values().length);
    /** Starts that waited for the mirror's end to stay put (a fence), in this process (metrics). */
    private final AtomicLong fenceWaits = new AtomicLong();
    /**
     * The codec a start estimated for a source that keeps what its producers sent, for the later
     * starts of this process (so they need not read a sample again); null while none could tell.
     */
    private volatile CompressionType estimatedCodec;

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

    CompressionType estimatedCodec() {
        return estimatedCodec;
    }

    void estimatedCodec(CompressionType codec) {
        if (codec != null) {
            estimatedCodec = codec;
        }
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

    /** A write of {@code bytes} bytes of key and value was acknowledged at {@code nextOffset - 1}. */
    void acknowledged(long nextOffset, int bytes) {
        acknowledged(nextOffset);
        copiedBytes.add(bytes);
    }

    /** Offsets acknowledged by the destination in this process, one per write. */
    long copied() {
        return copied.sum();
    }

    /** Bytes of keys and values acknowledged by the destination in this process. */
    long copiedBytes() {
        return copiedBytes.sum();
    }

    /** The copy starts again from the mirror's end offset, because of {@code cause}. */
    void restarted(RestartCause cause) {
        restarts.incrementAndGet(cause.ordinal());
    }

    long restarts(RestartCause cause) {
        return restarts.get(cause.ordinal());
    }

    /** A start waits for the mirror's end offset to stay put: something of an earlier writer may still land. */
    void fenceWaited() {
        fenceWaits.incrementAndGet();
    }

    long fenceWaits() {
        return fenceWaits.get();
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
     * known yet. Never 0 while the mirror is known to lack records. With the alignment in progress
     * (filled and target offsets) and the stop offset, where they apply.
     */
    PartitionLag lag() {
        long end = sourceEnd;
        Long stop = stopOffset;
        if (stop != null && (end < 0 || end > stop)) {
            end = stop;
        }
        PartitionLag lag;
        if (end < 0) {
            lag = new PartitionLag(partition, -1, sourceEnd);
        } else {
            long position = Math.max(0, copiedPosition());
            lag = new PartitionLag(partition, Math.max(0, end - position), sourceEnd);
        }
        long target = alignTarget;
        long remaining = aligning;
        if (target >= 0 && remaining >= 0) {
            lag = lag.aligning(Math.max(0, target - remaining), target);
        }
        return stop == null ? lag : lag.stoppingAt(stop);
    }
}
