package io.clusterlink.service;

import java.util.Map;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.link.Mirror;

/**
 * One mirror the data plane must replicate now, with what it needs to connect: the source client
 * properties of its link (secrets decrypted) and its destination cluster.
 */
public record ReplicationAssignment(Mirror mirror, String linkName, Map<String, Object> sourceProperties,
        DestinationCluster destination, int fetchers) {

    /** Mirrors of one link with equal connection settings share fetchers; this keys them. */
    public String fetcherGroupKey() {
        return mirror.linkId() + "/" + fetchers + "/" + sourceProperties.hashCode();
    }
}
