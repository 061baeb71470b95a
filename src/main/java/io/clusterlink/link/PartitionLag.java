package io.clusterlink.link;

/**
 * Replication progress of one mirror partition: {@code lag} records behind the source end offset
 * seen by the last fetch, {@code lastSourceFetchOffset} (-1 before the first fetch). While the
 * partition aligns its offsets, {@code alignmentFilledOffsets} of {@code alignmentTargetOffset}
 * offsets are filled (the mirror starts at the target once they all are); while a promote copies
 * up to the stop offsets, {@code stopOffset} is where the partition stops, and {@code lag} what it
 * still has to copy. Null where it does not apply.
 */
public record PartitionLag(int partition, long lag, long lastSourceFetchOffset, Long alignmentFilledOffsets,
        Long alignmentTargetOffset, Long stopOffset) {

    public PartitionLag(int partition, long lag, long lastSourceFetchOffset) {
        this(partition, lag, lastSourceFetchOffset, null, null, null);
    }

    /** The same, with an alignment in progress: {@code filled} of {@code target} offsets written. */
    public PartitionLag aligning(long filled, long target) {
        return new PartitionLag(partition, lag, lastSourceFetchOffset, filled, target, stopOffset);
    }

    /** The same, copying up to {@code stop} (a promote). */
    public PartitionLag stoppingAt(long stop) {
        return new PartitionLag(partition, lag, lastSourceFetchOffset, alignmentFilledOffsets, alignmentTargetOffset,
                stop);
    }

    /** Whether the partition is aligning its offsets. */
    public boolean isAligning() {
        return alignmentTargetOffset != null;
    }
}
