package io.clusterlink.service;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.clusterlink.link.Mirror;
import io.clusterlink.link.PartitionLag;

/** What the link services need from the replication data plane (implemented there). */
public interface ReplicationControl {

    /** Desired state changed: reconcile now rather than at the next interval. */
    void wake();

    /**
     * Waits until no instance of the fleet writes the mirror (its state no longer lets it be
     * copied, or its promotion is being finished); returns false when that did not happen within
     * {@code timeout}.
     */
    default boolean halt(Mirror mirror, Duration timeout) {
        return halt(List.of(mirror), timeout).contains(mirror.id());
    }

    /**
     * {@link #halt(Mirror, Duration)} for many mirrors at once, all within {@code timeout}: their
     * copies are stopped together, so the wait for the writes in flight is one for all of them.
     *
     * @return the ids of the mirrors that no instance writes any more
     */
    Set<Long> halt(Collection<Mirror> mirrors, Duration timeout);

    /**
     * Live lags of the partitions this instance copies now, by partition, with the progress of
     * alignments this instance runs.
     */
    Map<Integer, PartitionLag> lags(Mirror mirror);

    /**
     * What the data plane meets with the mirror that it cannot show otherwise: a source topic that
     * is not found, a destination that refuses or does not acknowledge writes; empty when nothing.
     */
    Optional<String> activity(Mirror mirror);

    /**
     * Mirror offsets this instance wrote and the destination acknowledged since it started
     * (records and the fillers of gaps), all partitions of the mirror; it only grows.
     */
    long copiedRecords(long mirrorId);

    /** Bytes of keys and values of {@link #copiedRecords}: what this instance wrote; it only grows. */
    long copiedBytes(long mirrorId);

    /** Times this instance started a partition of the mirror's copy again, because of {@code cause}. */
    long restarts(long mirrorId, RestartCause cause);

    /**
     * Starts of a partition of the mirror on this instance that waited for the mirror's end offset
     * to stay put (after a failure, or a partition this process did not leave quiet).
     */
    long fenceWaits(long mirrorId);
}
