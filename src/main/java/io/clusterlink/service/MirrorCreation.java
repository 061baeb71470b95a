package io.clusterlink.service;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
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
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.StartOffsetSpec;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/** Creates mirror topics: a fresh destination topic with the source's partitions, and its start offsets. */
@ApplicationScoped
public class MirrorCreation {

    private static final Logger LOG = Logger.getLogger(MirrorCreation.class);
    /** A creation still recorded as in progress after this long was cut short. */
    private static final Duration INTERRUPTED_AFTER = Duration.ofMinutes(2);
    /** Topic configs in one create-mirror request. */
    static final int MAX_TOPIC_CONFIGS = 500;

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReadOnlyMirrors readOnly;
    private final ReplicationControl replication;

    MirrorCreation(LinkStore store, DestinationClusters clusters, LinkLookup lookup, SourceTopics sourceTopics,
            DestinationTopics destinationTopics, ReadOnlyMirrors readOnly, ReplicationControl replication) {
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.readOnly = readOnly;
        this.replication = replication;
    }

    public record CreateMirror(String sourceTopicName, String mirrorTopicName, Integer replicationFactor,
            List<LinkService.ConfigValue> configs) {
    }

    public void create(String clusterId, String linkName, CreateMirror request) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = lookup.link(cluster, linkName);
        if (request == null) {
            throw new ClusterLinkException.InvalidRequest("A request body with 'source_topic_name' is required");
        }
        TopicNames.checkTopic("source_topic_name", request.sourceTopicName());
        String expected = link.settings().prefix().orElse("") + request.sourceTopicName();
        String mirrorTopic = request.mirrorTopicName() == null ? expected : request.mirrorTopicName();
        TopicNames.checkTopic("mirror_topic_name", mirrorTopic);
        if (!mirrorTopic.equals(expected)) {
            throw new ClusterLinkException.InvalidRequest("Topic renaming for mirroring is not supported: "
                    + "mirror_topic_name must be '" + expected + "'");
        }
        int replicationFactor = request.replicationFactor() == null ? -1 : request.replicationFactor();
        if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
            throw new ClusterLinkException.InvalidRequest("replication_factor must be a positive number");
        }
        Map<String, String> userConfigs = mirrorTopicConfigs(mirrorTopic, request.configs());
        make(cluster, link, mirrorTopic, request.sourceTopicName(), replicationFactor, userConfigs,
                link.settings().startOffsetSpec());
    }

    /**
     * Makes topic {@code mirrorTopic} of {@code cluster} (deleted before) a new mirror of
     * {@code sourceTopic} on {@code link}, from the source's log start offsets whatever the link's
     * {@code mirror.start.offset.spec}, so that it ends up identical to the source offset for offset:
     * the last step of truncate-and-restore.
     */
    void createRestored(DestinationCluster cluster, Link link, String mirrorTopic, String sourceTopic) {
        make(cluster, link, mirrorTopic, sourceTopic, -1, Map.of(), new StartOffsetSpec.Earliest());
    }

    private void make(DestinationCluster cluster, Link link, String mirrorTopic, String sourceTopic,
            int replicationFactor, Map<String, String> userConfigs, StartOffsetSpec startSpec) {
        if (store.findMirror(cluster.clusterId(), mirrorTopic).isPresent() || topicExists(cluster, mirrorTopic)) {
            throw new ClusterLinkException.Conflict("Topic '" + mirrorTopic + "' already exists");
        }
        SourceTopic source = describeSource(link, sourceTopic, startSpec);
        DestinationLimits limits = clusters.limits(cluster);
        Map<String, String> configs = TopicConfigPolicy.whileMirroring(source.configs(), limits.maxBatchBytes(),
                limits.timestampBounds());
        configs.putAll(userConfigs);
        // The mirror is recorded first ("creating"), so that a creation cut short by a crash is
        // finished or rolled back later, never leaving a topic no mirror owns.
        Mirror mirror = store.insertMirror(link, mirrorTopic, sourceTopic, source.topicId(),
                source.partitions(), source.startOffsets(), source.remembered());
        try {
            createTopic(cluster, mirrorTopic, source.partitions(), replicationFactor, configs);
        } catch (RuntimeException e) {
            store.forgetCreation(mirror.id(), "mirror topic not created: " + e.getMessage());
            throw e;
        }
        readOnly.protectNew(cluster, mirrorTopic);
        store.created(mirror.id());
        LOG.infof("Created mirror topic '%s' of '%s' on link '%s' (%d partitions, start offsets %s)", mirrorTopic,
                sourceTopic, link.name(), source.partitions(), source.startOffsets());
        replication.wake();
    }

    /**
     * Finishes creations that were cut short (the service stopped between recording a mirror and
     * making its topic): one whose topic exists as this service makes them (its partitions and the
     * configs only a mirror has) gets its read-only ACL and is copied; otherwise the record goes,
     * and a topic of that name is left alone.
     */
    public void finishInterruptedCreations(LongPredicate linkOwned) {
        for (Mirror m : store.creationsBefore(Instant.now().minus(INTERRUPTED_AFTER))) {
            if (!linkOwned.test(m.linkId())) {
                continue;
            }
            DestinationCluster cluster = clusters.byIdIfKnown(m.clusterId()).orElse(null);
            if (cluster == null) {
                continue;
            }
            try {
                if (!destinationTopics.exists(cluster, m.mirrorTopic())) {
                    store.forgetCreation(m.id(), "creation was interrupted before the topic was made");
                    LOG.infof("Mirror topic '%s' was never made (its creation was interrupted): forgotten",
                            m.mirrorTopic());
                } else if (madeForMirror(cluster, m)) {
                    readOnly.protectNew(cluster, m.mirrorTopic());
                    store.created(m.id());
                    LOG.infof("Finished the interrupted creation of mirror topic '%s'", m.mirrorTopic());
                    replication.wake();
                } else {
                    store.forgetCreation(m.id(), "a topic of that name exists that this service did not make");
                    LOG.warnf("Topic '%s' exists but was not made as a mirror: the interrupted creation of its mirror "
                            + "is forgotten and the topic left as it is", m.mirrorTopic());
                }
            } catch (KafkaCallException e) {
                LOG.debugf("Cannot finish the creation of mirror topic '%s' yet: %s", m.mirrorTopic(), e.getMessage());
            }
        }
    }

    /** A topic made by {@link #create}: the mirror's partitions, and the timestamp and size configs only a mirror has. */
    private boolean madeForMirror(DestinationCluster cluster, Mirror m) {
        if (destinationTopics.partitions(cluster, m.mirrorTopic()) != m.partitions()) {
            return false;
        }
        Config config = destinationTopics.configs(cluster, Set.of(m.mirrorTopic())).get(m.mirrorTopic());
        DestinationLimits limits = clusters.limits(cluster);
        Map<String, String> owned = TopicConfigPolicy.mirrorsOwn(limits.maxBatchBytes(), limits.timestampBounds());
        for (Map.Entry<String, String> e : owned.entrySet()) {
            ConfigEntry entry = config == null ? null : config.get(e.getKey());
            if (entry == null || entry.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                    || !e.getValue().equals(entry.value())) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> mirrorTopicConfigs(String topic, List<LinkService.ConfigValue> configs) {
        Map<String, String> result = new LinkedHashMap<>();
        if (configs != null && configs.size() > MAX_TOPIC_CONFIGS) {
            throw new ClusterLinkException.InvalidRequest("configs has " + configs.size() + " entries; at most "
                    + MAX_TOPIC_CONFIGS + " per request");
        }
        for (LinkService.ConfigValue c : configs == null ? List.<LinkService.ConfigValue>of() : configs) {
            if (c == null || c.name() == null || c.name().isBlank() || c.value() == null) {
                throw new ClusterLinkException.InvalidRequest("Every topic config needs a 'name' and a 'value'");
            }
            if (TopicConfigPolicy.managed(c.name())) {
                throw new ClusterLinkException.InvalidRequest("Cannot set configuration '"
                        + TopicNames.printable(c.name()) + "' for mirror topic '" + topic + "'");
            }
            if (result.put(c.name(), c.value()) != null) {
                throw new ClusterLinkException.InvalidRequest("Topic config '" + TopicNames.printable(c.name())
                        + "' is given twice");
            }
        }
        return result;
    }

    private record SourceTopic(String topicId, int partitions, Map<String, String> configs,
            Map<String, String> remembered, List<Long> startOffsets) {
    }

    private SourceTopic describeSource(Link link, String topic, StartOffsetSpec startSpec) {
        LinkSettings settings = link.settings();
        try {
            SourceTopics.Description description = sourceTopics.describe(link, topic);
            int partitions = description.partitions();
            Config config = sourceTopics.config(link, topic);
            Map<String, String> configs = settings.topicConfigPolicy().desired(config);
            Set<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> start = startOffsets(link, tps, startSpec);
            List<Long> startOffsets = IntStream.range(0, partitions)
                    .mapToObj(p -> start.get(new TopicPartition(topic, p))).toList();
            return new SourceTopic(description.topicId(), partitions, configs, TopicConfigPolicy.remembered(config),
                    startOffsets);
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
                throw new ClusterLinkException.NotFound("Source topic '" + topic + "' not found on the source "
                        + "cluster of link '" + link.name() + "'");
            }
            throw new ClusterLinkException.SourceUnavailable("Cannot read topic '" + topic + "' from the source "
                    + "cluster of link '" + link.name() + "': " + e.getMessage(), e);
        }
    }

    private Map<TopicPartition, Long> startOffsets(Link link, Set<TopicPartition> tps, StartOffsetSpec spec) {
        if (spec instanceof StartOffsetSpec.Earliest) {
            return sourceTopics.offsets(link, tps, OffsetSpec.earliest(), IsolationLevel.READ_COMMITTED);
        }
        Map<TopicPartition, Long> latest = sourceTopics.offsets(link, tps, OffsetSpec.latest(),
                IsolationLevel.READ_COMMITTED);
        if (spec instanceof StartOffsetSpec.AtTimestamp at) {
            Map<TopicPartition, Long> found = sourceTopics.offsets(link, tps, OffsetSpec.forTimestamp(at.timestampMs()),
                    IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> result = new HashMap<>(latest);
            found.forEach((tp, o) -> {
                if (o >= 0) {
                    result.put(tp, o);
                }
            });
            return result;
        }
        return latest;
    }

    private boolean topicExists(DestinationCluster cluster, String topic) {
        try {
            return destinationTopics.exists(cluster, topic);
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable: " + e.getMessage(),
                    e);
        }
    }

    private void createTopic(DestinationCluster cluster, String topic, int partitions, int replicationFactor,
            Map<String, String> configs) {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions),
                replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor))
                .configs(configs);
        try {
            destinationTopics.create(cluster, newTopic);
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.TOPIC_EXISTS)) {
                throw new ClusterLinkException.Conflict("Topic '" + topic + "' already exists");
            }
            if (e.is(KafkaErrors.Kind.INVALID_TOPIC_REQUEST)) {
                throw new ClusterLinkException.InvalidRequest("Cannot create mirror topic '" + topic + "': "
                        + e.getMessage());
            }
            throw new ClusterLinkException.ClusterUnavailable("Cannot create mirror topic '" + topic + "': "
                    + e.getMessage(), e);
        }
    }
}
