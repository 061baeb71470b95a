package io.clusterlink.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
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
import io.clusterlink.link.LinkView;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.service.DataPlaneEvents;
import io.clusterlink.service.LinkService;
import io.clusterlink.service.LinkTasks;

/**
 * Keeps each mirror's topic metadata in step with its source topic, every
 * {@code topic.config.sync.ms}: the synced configs ({@link TopicConfigPolicy}) and partition
 * increases. A source topic that was deleted, re-created (new topic id) or lost partitions moves
 * its mirror to {@code FAILED} with the matching {@code mirror_topic_error}: the offsets could no
 * longer be the source's.
 */
@ApplicationScoped
class TopicConfigSyncTask implements LinkSyncTask {

    private static final Logger LOG = Logger.getLogger(TopicConfigSyncTask.class);

    private final LinkService links;
    private final DataPlaneEvents mirrors;
    private final DestinationClusters clusters;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final LinkTasks tasks;

    TopicConfigSyncTask(LinkService links, DataPlaneEvents mirrors, DestinationClusters clusters,
            SourceTopics sourceTopics, DestinationTopics destinationTopics, LinkTasks tasks) {
        this.links = links;
        this.mirrors = mirrors;
        this.clusters = clusters;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.tasks = tasks;
    }

    @Override
    public String name() {
        return LinkTasks.TOPIC_CONFIGS_SYNC;
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().topicSyncIntervalMs();
    }

    @Override
    public boolean run(Link link) {
        List<Mirror> synced = links.mirrors(link).stream().filter(MirrorLifecycle::configsSynced)
                .toList();
        if (synced.isEmpty()) {
            tasks.report(link.id(), name(), List.of());
            return true;
        }
        DestinationCluster cluster = clusters.byIdIfKnown(link.clusterId()).orElse(null);
        if (cluster == null) {
            tasks.report(link.id(), name(), List.of(new LinkView.TaskError("INTERNAL_ERROR",
                    "The destination cluster " + link.clusterId() + " is not reachable")));
            return false;
        }
        Set<String> topics = synced.stream().map(Mirror::sourceTopic).collect(Collectors.toSet());
        Map<String, SourceTopics.Description> descriptions;
        Map<String, Config> sourceConfigs;
        Map<String, Config> mirrorConfigs;
        try {
            descriptions = sourceTopics.describeExisting(link, topics);
            sourceConfigs = sourceTopics.configs(link, topics);
            mirrorConfigs = destinationTopics.configs(cluster, synced.stream().map(Mirror::mirrorTopic)
                    .collect(Collectors.toSet()));
        } catch (KafkaCallException e) {
            if (!e.is(KafkaErrors.Kind.INTERRUPTED)) {
                tasks.report(link.id(), name(), List.of(new LinkView.TaskError(e.is(KafkaErrors.Kind.TIMEOUT)
                        ? "INTERNAL_ERROR" : "MISCONFIGURATION_ERROR",
                        "Cannot read the topic configs: "
                                + e.getMessage())));
                return false;
            }
            return true;
        }
        List<LinkView.TaskError> errors = new ArrayList<>();
        TopicConfigPolicy policy = link.settings().topicConfigPolicy();
        for (Mirror m : synced) {
            try {
                SourceTopics.Description description = descriptions.get(m.sourceTopic());
                if (description == null) {
                    if (!MirrorLifecycle.sourceMayBeDeleted(m)) {
                        fail(m, MirrorTopicError.SOURCE_TOPIC_MAY_BE_DELETED, "Source topic '" + m.sourceTopic()
                                + "' no longer exists on the source cluster");
                    }
                    continue;
                }
                if (!check(m, description) || MirrorLifecycle.sourceMayBeDeleted(m)) {
                    continue;
                }
                syncConfigs(cluster, m, policy, sourceConfigs.get(m.sourceTopic()), mirrorConfigs.get(m.mirrorTopic()));
            } catch (ClusterLinkException e) {
                errors.add(new LinkView.TaskError("INTERNAL_ERROR", e.getMessage()));
            } catch (KafkaCallException e) {
                errors.add(new LinkView.TaskError("INTERNAL_ERROR", "Cannot sync the configs of mirror topic '"
                        + m.mirrorTopic() + "': " + e.getMessage()));
            }
        }
        tasks.report(link.id(), name(), errors);
        return errors.isEmpty();
    }

    /**
     * Fails the mirror on a shrunk or re-created source, grows it with its source; false when it
     * failed. A mirror whose source seemed deleted gets the precise error once the source is back.
     */
    private boolean check(Mirror m, SourceTopics.Description source) {
        int partitions = source.partitions();
        if (partitions < m.partitions()) {
            fail(m, MirrorTopicError.SOURCE_PARTITIONS_DECREASED, "Source topic '" + m.sourceTopic() + "' has "
                    + partitions + " partitions, fewer than the mirror's " + m.partitions());
            return false;
        }
        String topicId = source.topicId();
        if (m.sourceTopicId() != null && !m.sourceTopicId().equals(topicId)) {
            fail(m, MirrorTopicError.SOURCE_TOPIC_ID_CHANGED, "Source topic '" + m.sourceTopic()
                    + "' was deleted and re-created: its topic id is now " + topicId + ", the mirror copied "
                    + m.sourceTopicId());
            return false;
        }
        if (partitions > m.partitions() && !MirrorLifecycle.sourceMayBeDeleted(m)) {
            mirrors.partitionsIncreased(m, partitions);
        }
        return true;
    }

    private void fail(Mirror m, MirrorTopicError error, String message) {
        LOG.warnf("Mirror topic '%s': %s", m.mirrorTopic(), message);
        mirrors.failed(m.id(), error, message);
    }

    private void syncConfigs(DestinationCluster cluster, Mirror m, TopicConfigPolicy policy, Config source,
            Config mirror) {
        if (source == null || mirror == null) {
            return;
        }
        mirrors.rememberSourceConfigs(m, TopicConfigPolicy.remembered(source));
        DestinationLimits limits = clusters.limits(cluster);
        List<AlterConfigOp> ops = policy.alterations(source, mirror, limits.maxBatchBytes(), limits.timestampBounds());
        if (ops.isEmpty()) {
            return;
        }
        destinationTopics.alterConfigs(cluster, m.mirrorTopic(), ops);
        LOG.infof("Synced configs of mirror topic '%s' from '%s': %s", m.mirrorTopic(), m.sourceTopic(),
                ops.stream().map(op -> op.opType() == AlterConfigOp.OpType.DELETE ? op.configEntry().name() + " reset"
                        : op.configEntry().name() + "=" + op.configEntry().value()).toList());
    }
}
