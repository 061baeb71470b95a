package io.clusterlink.service;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationLimits;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.store.LinkStore;

/**
 * Turns a stopped mirror's direction around: its source topic becomes a mirror of it, continuing
 * from its own end offsets, without copying anything again.
 * <p>
 * The reverse of link {@code L} on cluster B (source A) is the link named {@code L} on cluster A
 * whose source is B: both clusters are destination clusters of the service, and the pair of links
 * is what Cluster Linking's bidirectional link is. Topic T on A continues T on B only if it ends
 * exactly where T on B stopped (its stop offsets): a record written to A after the stop means the
 * topics diverged, and the reverse is refused with nothing changed. The reversed mirror's start
 * offsets are A's log start offsets: from there on A's records are B's (B copied them), so the
 * data plane's tail verification compares A's last record with B's at the same offset before the
 * first write, as it does for every mirror start.
 */
@ApplicationScoped
public class MirrorReversal {

    private static final Logger LOG = Logger.getLogger(MirrorReversal.class);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReadOnlyMirrors readOnly;

    MirrorReversal(LinkStore store, DestinationClusters clusters, SourceTopics sourceTopics,
            DestinationTopics destinationTopics, ReadOnlyMirrors readOnly) {
        this.store = store;
        this.clusters = clusters;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.readOnly = readOnly;
    }

    /**
     * Where mirror {@code m} of {@code link} is reversed to: the reverse link, its cluster (the
     * mirror's source cluster), and a stopped mirror of the source topic there that the reversed one
     * replaces.
     */
    record Target(Link link, DestinationCluster cluster, String topic, Optional<Mirror> replaced) {
    }

    /** A reverse that passed its checks: the new mirror's source topic id and start offsets. */
    record Checked(Target target, Mirror stopped, String sourceTopicId, List<Long> startOffsets) {
    }

    /**
     * The reverse link of {@code link} for mirror {@code m}, checked before anything changes.
     *
     * @throws ClusterLinkException when there is none, or the source topic cannot become a mirror
     */
    Target target(Link link, Mirror m) {
        DestinationCluster cluster = clusters.byIdIfKnown(link.sourceClusterId()).orElseThrow(
                () -> new ClusterLinkException.NotFound("The source cluster " + link.sourceClusterId() + " of cluster "
                        + "link '" + link.name() + "' is not a destination cluster of this service: register it and "
                        + "create the reverse link '" + link.name() + "' on it, with cluster " + link.clusterId()
                        + " as its source"));
        Link reverse = store.findLink(cluster.clusterId(), link.name()).orElseThrow(
                () -> new ClusterLinkException.NotFound("No reverse link: cluster " + cluster.clusterId()
                        + " has no cluster link '" + link.name() + "' (with cluster " + link.clusterId()
                        + " as its source) for topic '" + m.sourceTopic() + "' to mirror '" + m.mirrorTopic()
                        + "' on"));
        if (!link.clusterId().equals(reverse.sourceClusterId())) {
            throw new ClusterLinkException.NotFound("No reverse link: cluster link '" + link.name() + "' on cluster "
                    + cluster.clusterId() + " has source cluster " + reverse.sourceClusterId() + ", not "
                    + link.clusterId());
        }
        String expected = reverse.settings().prefix().orElse("") + m.mirrorTopic();
        if (!expected.equals(m.sourceTopic())) {
            throw new ClusterLinkException.InvalidRequest("Topic '" + m.sourceTopic() + "' cannot mirror '"
                    + m.mirrorTopic() + "' on the reverse link '" + link.name() + "': its mirror would be named '"
                    + expected + "' (cluster.link.prefix)");
        }
        Optional<Mirror> existing = store.findMirror(cluster.clusterId(), m.sourceTopic());
        if (existing.isPresent() && !MirrorLifecycle.isStopped(existing.get())) {
            throw new ClusterLinkException.Conflict("Topic '" + m.sourceTopic() + "' on cluster "
                    + cluster.clusterId() + " is already a mirror topic of cluster link '"
                    + existing.get().linkName() + "'");
        }
        return new Target(reverse, cluster, m.sourceTopic(), existing);
    }

    /**
     * Checks that the source topic continues the stopped mirror: the partitions it stopped with
     * (the stopped mirror's topic may have more since), each ending exactly at the stop offset.
     *
     * @throws ClusterLinkException when it does not (nothing is changed)
     */
    Checked check(Target target, Mirror stopped) {
        List<Long> stops = stopped.stopOffsets();
        int partitions = stops.size();
        SourceTopics.Description source = throughReverseLink(target, stopped);
        try {
            int here = destinationTopics.partitions(target.cluster(), target.topic());
            // Partitions added to B since the stop are new to A: the reversed mirror grows by them as
            // any mirror grows with its source, copying them from their start. A's own partitions must
            // be those that stopped.
            if (here != partitions || source.partitions() < partitions) {
                throw new ClusterLinkException.InvalidRequest("Topic '" + target.topic() + "' has " + here
                        + " partitions on cluster " + target.cluster().clusterId() + " and " + source.partitions()
                        + " on cluster " + stopped.clusterId() + ", but its mirror stopped with " + partitions
                        + ": it cannot continue the mirror; nothing was changed");
            }
            Set<TopicPartition> tps = IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(target.topic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(target.cluster(), tps);
            for (int p = 0; p < partitions; p++) {
                long end = ends.get(new TopicPartition(target.topic(), p));
                long stop = stops.get(p);
                if (end != stop) {
                    throw new ClusterLinkException.Conflict("Partition " + p + " of topic '" + target.topic()
                            + "' on cluster " + target.cluster().clusterId() + " ends at offset " + end
                            + ", but its mirror on cluster " + stopped.clusterId() + " stopped at offset " + stop
                            + (end > stop ? ": records were written to it after the mirror stopped"
                                    : ": it lost records the mirror has")
                            + ", so the topics diverged and it cannot continue the mirror; nothing was changed");
                }
            }
            Map<TopicPartition, Long> starts = destinationTopics.startOffsets(target.cluster(), tps);
            List<Long> startOffsets = IntStream.range(0, partitions)
                    .mapToObj(p -> starts.get(new TopicPartition(target.topic(), p))).toList();
            return new Checked(target, stopped, source.topicId(), startOffsets);
        } catch (KafkaCallException e) {
            throw unavailable(target, e);
        }
    }

    /**
     * Checks, before a mirror that still mirrors is promoted for its reverse, that both topics can be
     * read: T on B through the reverse link, as the reversed mirror will read it, and T on A.
     *
     * @throws ClusterLinkException when one cannot (nothing is changed)
     */
    void checkReadable(Target target, Mirror m) {
        throughReverseLink(target, m);
        try {
            destinationTopics.partitions(target.cluster(), target.topic());
        } catch (KafkaCallException e) {
            throw unavailable(target, e);
        }
    }

    /**
     * Topic T on B, read through the reverse link, whose source is B: a source that does not answer
     * (within the source timeout) refuses the reverse or restore before anything is changed.
     */
    SourceTopics.Description throughReverseLink(Target target, Mirror m) {
        try {
            return sourceTopics.describe(target.link(), m.mirrorTopic());
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
                throw new ClusterLinkException.NotFound("Topic '" + m.mirrorTopic() + "' is missing on cluster "
                        + m.clusterId() + ", the source of the reverse link '" + target.link().name() + "' on cluster "
                        + target.cluster().clusterId() + ": " + e.getMessage());
            }
            throw new ClusterLinkException.SourceUnavailable("Cannot read topic '" + m.mirrorTopic() + "' on cluster "
                    + m.clusterId() + " through the reverse link '" + target.link().name() + "' on cluster "
                    + target.cluster().clusterId() + " (bootstrap.servers "
                    + target.link().settings().bootstrapServers() + "): " + e.getMessage() + "; nothing was changed",
                    e);
        }
    }

    /** A call to A, the cluster of the source topic, that did not succeed. */
    private static ClusterLinkException unavailable(Target target, KafkaCallException e) {
        if (e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
            return new ClusterLinkException.NotFound("Topic '" + target.topic() + "' is missing on cluster "
                    + target.cluster().clusterId() + ": " + e.getMessage());
        }
        return new ClusterLinkException.ClusterUnavailable("Cannot read topic '" + target.topic() + "' on cluster "
                + target.cluster().clusterId() + " to reverse its mirror: " + e.getMessage(), e);
    }

    /**
     * Makes the source topic a mirror of the stopped one on the reverse link, as a created mirror
     * is: recorded first ({@code creating}), the source's synced and the mirror's own configs set,
     * read-only, then copied ({@code ACTIVE}) or not ({@code PAUSED}, for
     * {@link MirrorAction#REVERSE_AND_PAUSE}).
     */
    Mirror reverse(Checked checked, MirrorAction action) {
        Target target = checked.target();
        Mirror stopped = checked.stopped();
        Link reverse = target.link();
        DestinationCluster cluster = target.cluster();
        Config sourceConfig;
        Config topicConfig;
        try {
            sourceConfig = sourceTopics.config(reverse, stopped.mirrorTopic());
            topicConfig = destinationTopics.configs(cluster, Set.of(target.topic())).get(target.topic());
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot read the configs of topic '" + target.topic()
                    + "' to reverse its mirror: " + e.getMessage(), e);
        }
        target.replaced().ifPresent(old -> store.deleteMirror(old.id(), "replaced by the reverse of cluster link '"
                + stopped.linkName() + "' on cluster " + stopped.clusterId()));
        Mirror mirror = store.insertReversedMirror(reverse, target.topic(), stopped.mirrorTopic(),
                checked.sourceTopicId(), stopped.stopOffsets().size(), checked.startOffsets(),
                TopicConfigPolicy.remembered(sourceConfig), MirrorLifecycle.reversed(action),
                "reversed from cluster link '" + stopped.linkName() + "' on cluster " + stopped.clusterId());
        DestinationLimits limits = clusters.limits(cluster);
        try {
            destinationTopics.alterConfigs(cluster, target.topic(), reverse.settings().topicConfigPolicy()
                    .asMirror(sourceConfig, topicConfig, limits.maxBatchBytes(), limits.timestampBounds()));
        } catch (KafkaCallException e) {
            store.forgetCreation(mirror.id(), "mirror topic configs not set: " + e.getMessage());
            throw new ClusterLinkException.ClusterUnavailable("Cannot set the mirror configs of topic '"
                    + target.topic() + "' on cluster " + cluster.clusterId() + ": " + e.getMessage(), e);
        }
        readOnly.protectNew(cluster, target.topic());
        store.created(mirror.id());
        LOG.infof("Reversed mirror topic '%s': on cluster %s it now mirrors cluster %s on link '%s' (%s) from its end "
                + "offsets %s", target.topic(), cluster.clusterId(), stopped.clusterId(), reverse.name(),
                mirror.status(), stopped.stopOffsets());
        return store.findMirror(mirror.id()).orElse(mirror);
    }
}
