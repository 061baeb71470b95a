package io.clusterlink.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.store.LinkStore;

/**
 * What the data plane and the metadata sync need from the stored intent and report back: the
 * mirrors to replicate now, and the state changes they observed (aligned, caught up, failed,
 * grown, records skipped).
 */
@ApplicationScoped
public class DataPlaneEvents {

    private static final Logger LOG = Logger.getLogger(DataPlaneEvents.class);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final MirrorActions actions;

    DataPlaneEvents(LinkStore store, DestinationClusters clusters, LinkLookup lookup,
            DestinationTopics destinationTopics, ReplicationControl replication, MirrorActions actions) {
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
        this.actions = actions;
    }

    /**
     * Mirrors to replicate now: replicating states, on links that are not paused, on known clusters.
     * A mirror that is being failed over no longer replicates ({@link MirrorLifecycle#replicates}).
     */
    public List<ReplicationAssignment> replicationPlan() {
        Map<Long, Link> links = store.listAllLinks().stream().collect(Collectors.toMap(Link::id, l -> l));
        Map<Long, LinkSettings> settings = new HashMap<>();
        boolean lookedUp = false;
        List<ReplicationAssignment> plan = new ArrayList<>();
        for (Mirror m : store.listAllMirrors()) {
            Link link = links.get(m.linkId());
            if (link == null || !MirrorLifecycle.replicates(m, link.state())) {
                continue;
            }
            LinkSettings s = settings.computeIfAbsent(link.id(), id -> link.settings());
            Optional<DestinationCluster> cluster = clusters.byIdIfKnown(m.clusterId());
            if (cluster.isEmpty() && !lookedUp) {
                // Looks up clusters that have not answered yet, once per plan: each may take seconds.
                cluster = clusters.lookUp(m.clusterId());
                lookedUp = true;
            }
            cluster.ifPresent(c -> plan.add(new ReplicationAssignment(m, link.name(), s.sourceClientProperties(), c,
                    s.fetchers())));
        }
        return plan;
    }

    /** All partitions are aligned to their start offsets: PENDING_MIRROR becomes ACTIVE. */
    public void alignmentCompleted(long mirrorId) {
        store.transition(mirrorId, MirrorLifecycle.ALIGNED, null, "offsets aligned", null, null)
                .ifPresent(m -> LOG.infof("Mirror topic '%s' is ACTIVE", m.mirrorTopic()));
    }

    /** A promoted mirror reached its stop offsets and its writers are halted: finish the promotion. */
    public void stopCaughtUp(long mirrorId) {
        actions.completePromotion(mirrorId);
    }

    /**
     * The data plane or the metadata sync stopped a mirror because of an error it cannot repair
     * (a divergence, a deleted, re-created or shrunk source topic). A mirror that failed because
     * its source seemed deleted takes the more precise error once the source is seen again.
     */
    public void failed(long mirrorId, MirrorTopicError error, String message) {
        if (store.refineFailure(mirrorId, MirrorTopicError.SOURCE_TOPIC_MAY_BE_DELETED, error, message)) {
            LOG.errorf("Mirror topic %d: %s", mirrorId, message);
            return;
        }
        store.transition(mirrorId, MirrorLifecycle.FAIL, error, message, null, null)
                .ifPresent(m -> {
                    LOG.errorf("Mirror topic '%s' FAILED (%s): %s", m.mirrorTopic(), error, message);
                    replication.wake();
                });
    }

    /**
     * The source topic of a mirror grew to {@code partitions}: adds the partitions to the mirror
     * topic, then records them so the data plane copies them from offset 0.
     */
    public void partitionsIncreased(Mirror m, int partitions) {
        DestinationCluster cluster = lookup.known(m.clusterId());
        try {
            if (destinationTopics.partitions(cluster, m.mirrorTopic()) < partitions) {
                destinationTopics.addPartitions(cluster, m.mirrorTopic(), partitions);
            }
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot add partitions to mirror topic '"
                    + m.mirrorTopic() + "': " + e.getMessage(), e);
        }
        store.growMirror(m.id(), partitions).ifPresent(grown -> {
            LOG.infof("Mirror topic '%s' grew from %d to %d partitions with its source", m.mirrorTopic(),
                    m.partitions(), partitions);
            replication.wake();
        });
    }

    /** Source retention deleted records before they were copied; the mirror skipped them. */
    public void recordsSkipped(long mirrorId, int partition, long count, long newStart) {
        String message = "Source retention deleted " + count + " record(s) of partition " + partition
                + " before they were mirrored; the mirror now starts at offset " + newStart;
        store.note(mirrorId, message);
        LOG.warnf("Mirror %d: %s", mirrorId, message);
    }
}
