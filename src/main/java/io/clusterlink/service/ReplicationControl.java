package io.clusterlink.service;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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
    boolean halt(Mirror mirror, Duration timeout);

    /** Live lags of the partitions this instance copies now, by partition. */
    Map<Integer, PartitionLag> lags(Mirror mirror);

    /**
     * What the data plane is doing with the mirror that it cannot show otherwise: alignment
     * progress, a destination that refuses or does not acknowledge writes; empty when nothing.
     */
    Optional<String> activity(Mirror mirror);

    /**
     * Mirror offsets this instance wrote and the destination acknowledged since it started
     * (records and the fillers of gaps), all partitions of the mirror; it only grows.
     */
    long copiedRecords(long mirrorId);
}
