package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.store.LinkStore;
import io.clusterlink.store.MirrorPartitions;

/**
 * What the data plane and the metadata sync need from the stored intent and report back: the
 * mirrors to replicate now, and the state changes they observed (aligned, caught up, failed,
 * grown, records skipped).
 */
@ApplicationScoped
public class DataPlaneEvents {

    private static final Logger LOG = Logger.getLogger(DataPlaneEvents.class);
    private static final Duration LOOKUP_INTERVAL = Duration.ofSeconds(30);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final MirrorActions actions;
    private final MirrorGrowth growth;
    private final MirrorCreation creation;
    private final MirrorPartitions partitions;
    private long lastLookup;

    DataPlaneEvents(LinkStore store, DestinationClusters clusters, LinkLookup lookup,
            DestinationTopics destinationTopics, ReplicationControl replication, MirrorActions actions,
            MirrorGrowth growth, MirrorCreation creation, MirrorPartitions partitions) {
        this.partitions = partitions;
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
        this.actions = actions;
        this.growth = growth;
        this.creation = creation;
    }

    /**
     * Looks up destination clusters that have not answered yet (each may take seconds, so at most
     * every {@link #LOOKUP_INTERVAL}); the plan only uses clusters that answered.
     */
    public void lookUpClusters() {
        long now = System.currentTimeMillis();
        if (now - lastLookup >= LOOKUP_INTERVAL.toMillis()) {
            lastLookup = now;
            clusters.list();
        }
    }

    /**
     * Mirrors to replicate now ({@link MirrorLifecycle#replicates}) on clusters that answered. Reads
     * the database only.
     */
    public List<ReplicationAssignment> replicationPlan() {
        Map<Long, Link> links = store.listAllLinks().stream().collect(Collectors.toMap(Link::id, l -> l));
        Map<Long, LinkSettings> settings = new HashMap<>();
        Map<Long, MirrorPartitions.States> states = partitions.all();
        List<ReplicationAssignment> plan = new ArrayList<>();
        for (Mirror m : store.listAllMirrors()) {
            Link link = links.get(m.linkId());
            if (link == null || !MirrorLifecycle.replicates(m, link.state())) {
                continue;
            }
            LinkSettings s = settings.computeIfAbsent(link.id(), id -> link.settings());
            clusters.byIdIfKnown(m.clusterId()).ifPresent(c -> plan.add(new ReplicationAssignment(m, link.name(),
                    s.sourceClientProperties(), c, s.fetchers(), s.ioMaxBytesPerSecond(), states.getOrDefault(m.id(),
                            MirrorPartitions.States.NONE))));
        }
        return plan;
    }

    /** The ids of all stored mirrors. */
    public Set<Long> mirrorIds() {
        return store.listAllMirrors().stream().map(Mirror::id).collect(Collectors.toSet());
    }

    /**
     * Mirrors of the links {@code linkOwned} accepts whose failover was requested but did not
     * finish (a crash, a halt that timed out).
     */
    public List<Long> unfinishedFailovers(LongPredicate linkOwned) {
        return store.listAllMirrors().stream().filter(m -> linkOwned.test(m.linkId()))
                .filter(MirrorLifecycle::failingOver).map(Mirror::id).toList();
    }

    /** Finishes or rolls back mirror creations that were cut short (see {@link MirrorCreation#finishInterruptedCreations}). */
    public void finishInterruptedCreations(LongPredicate linkOwned) {
        creation.finishInterruptedCreations(linkOwned);
    }

    /** Finishes a failover that was left unfinished, unless a request is finishing it right now. */
    public void finishFailover(long mirrorId) {
        actions.resumeFailover(mirrorId);
    }

    /** A partition is aligned to its start offset; once all are, PENDING_MIRROR becomes ACTIVE. */
    public void partitionAligned(long mirrorId, int partition) {
        store.partitionAligned(mirrorId, partition)
                .ifPresent(m -> LOG.infof("Mirror topic '%s' is ACTIVE", m.mirrorTopic()));
    }

    /** A partition of a promoted mirror reached its stop offset, and its writes landed. */
    public void partitionReachedStop(long mirrorId, int partition) {
        store.partitionReachedStop(mirrorId, partition);
    }

    /**
     * A promoted mirror reached its stop offsets and its writers are halted: finish the promotion.
     *
     * @throws RuntimeException when it cannot be finished now (the mirror is short, a cluster does not answer)
     */
    public void stopCaughtUp(long mirrorId) {
        try {
            actions.completePromotion(mirrorId);
        } catch (ClusterLinkException.Conflict e) {
            // The mirror is short after all: its partitions are copied again up to the stop offsets.
            partitions.clearStops(mirrorId);
            throw e;
        }
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
        growth.grow(m, partitions);
    }

    /** The source topic's values of the configs the mirror owns while mirroring, as last read. */
    public void rememberSourceConfigs(Mirror m, Map<String, String> configs) {
        store.rememberSourceConfigs(m.id(), configs);
    }

    /** Source retention deleted records before they were copied; the mirror skipped them. */
    public void recordsSkipped(long mirrorId, int partition, long count, long newStart) {
        String message = "Source retention deleted " + count + " record(s) of partition " + partition
                + " before they were mirrored; the mirror now starts at offset " + newStart;
        store.note(mirrorId, message);
        LOG.warnf("Mirror %d: %s", mirrorId, message);
    }
}
