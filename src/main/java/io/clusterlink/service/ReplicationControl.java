package io.clusterlink.service;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.clusterlink.link.Mirror;
import io.clusterlink.link.PartitionLag;

/** What the link services need from the replication data plane (implemented there). */
public interface ReplicationControl {

    /** Desired state changed: reconcile now rather than at the next interval. */
    void wake();

    /**
     * A mirror's topic was just made by this process and nothing has written it: its first start
     * need not wait for its end offsets to settle.
     */
    void created(long mirrorId);

    /**
     * Stops every write of a mirror and waits until none is in flight; returns false when that
     * did not happen within {@code timeout}.
     */
    boolean halt(long mirrorId, Duration timeout);

    /** Per-partition lags as the data plane knows them (live, or last known); empty when it has none. */
    Optional<List<PartitionLag>> lags(Mirror mirror);

    /**
     * What the data plane is doing with the mirror that it cannot show otherwise: alignment
     * progress, a destination that refuses or does not acknowledge writes; empty when nothing.
     */
    Optional<String> activity(Mirror mirror);
}
