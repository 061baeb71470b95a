package io.clusterlink.service;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Mirror;
import io.clusterlink.store.LinkStore;

/** A mirror grows with its source: partitions added to the source are added to the mirror, copied from offset 0. */
@ApplicationScoped
class MirrorGrowth {

    private static final Logger LOG = Logger.getLogger(MirrorGrowth.class);

    private final LinkStore store;
    private final LinkLookup lookup;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;

    MirrorGrowth(LinkStore store, LinkLookup lookup, DestinationTopics destinationTopics,
            ReplicationControl replication) {
        this.store = store;
        this.lookup = lookup;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
    }

    /**
     * Adds partitions to the mirror topic up to {@code partitions}, then records them; returns the
     * grown mirror, or empty when it did not grow (it already had them, or it is stopping).
     */
    Optional<Mirror> grow(Mirror m, int partitions) {
        DestinationCluster cluster = lookup.known(m.clusterId());
        try {
            if (destinationTopics.partitions(cluster, m.mirrorTopic()) < partitions) {
                destinationTopics.addPartitions(cluster, m.mirrorTopic(), partitions);
            }
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot add partitions to mirror topic '"
                    + m.mirrorTopic() + "': " + e.getMessage(), e);
        }
        Optional<Mirror> grown = store.growMirror(m.id(), partitions);
        grown.ifPresent(g -> {
            LOG.infof("Mirror topic '%s' grew from %d to %d partitions with its source", m.mirrorTopic(),
                    m.partitions(), partitions);
            replication.wake();
        });
        return grown;
    }
}
