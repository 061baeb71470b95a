package io.clusterlink.service;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.link.Mirror;
import io.clusterlink.store.MirrorPartitions;

/**
 * One mirror the data plane must replicate now, with what it needs to connect: the source client
 * properties of its link (secrets decrypted) and its destination cluster; the partitions this
 * instance copies (all of them until the fleet's ownership narrows them), and what is stored about
 * each partition (aligned, reached its stop offset).
 */
public record ReplicationAssignment(Mirror mirror, String linkName, Map<String, Object> sourceProperties,
        DestinationCluster destination, int fetchers, long maxBytesPerSecond, Set<Integer> aligned,
        Set<Integer> reachedStop, Set<Integer> partitions) {

    ReplicationAssignment(Mirror mirror, String linkName, Map<String, Object> sourceProperties,
            DestinationCluster destination, int fetchers, long maxBytesPerSecond, MirrorPartitions.States states) {
        this(mirror, linkName, sourceProperties, destination, fetchers, maxBytesPerSecond, states.aligned(),
                states.reachedStop(),
                IntStream.range(0, mirror.partitions()).boxed().collect(Collectors.toUnmodifiableSet()));
    }

    /** Every partition, no bandwidth bound, nothing stored about any partition. */
    public ReplicationAssignment(Mirror mirror, String linkName, Map<String, Object> sourceProperties,
            DestinationCluster destination, int fetchers) {
        this(mirror, linkName, sourceProperties, destination, fetchers, Long.MAX_VALUE, MirrorPartitions.States.NONE);
    }

    /** Mirrors of one link with equal connection settings share fetchers; this keys them. */
    public String fetcherGroupKey() {
        return mirror.linkId() + "/" + fetchers + "/" + sourceProperties.hashCode();
    }

    /** The same assignment for fewer partitions. */
    public ReplicationAssignment only(Set<Integer> copied) {
        return new ReplicationAssignment(mirror, linkName, sourceProperties, destination, fetchers,
                maxBytesPerSecond, aligned, reachedStop, Set.copyOf(copied));
    }

    /** Every partition of the mirror is stored as having reached its stop offset. */
    public boolean allReachedStop() {
        return reachedStop.size() >= mirror.partitions();
    }
}
