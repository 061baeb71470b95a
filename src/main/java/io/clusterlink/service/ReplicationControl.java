package io.clusterlink.service;

import java.time.Duration;
import java.util.List;

import io.clusterlink.link.Mirror;
import io.clusterlink.link.PartitionLag;

/** What the link services need from the replication data plane (implemented there). */
public interface ReplicationControl {

    /** Desired state changed: reconcile now rather than at the next interval. */
    void wake();

    /**
     * Stops every write of a mirror and waits until none is in flight; returns false when that
     * did not happen within {@code timeout}.
     */
    boolean halt(long mirrorId, Duration timeout);

    /** Live per-partition lags, or the last known ones for a mirror that is not running. */
    List<PartitionLag> lags(Mirror mirror);
}
