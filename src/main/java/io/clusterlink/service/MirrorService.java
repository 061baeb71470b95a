package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.ActionResult;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.link.MirrorTopicPattern;
import io.clusterlink.link.MirrorView;
import io.clusterlink.link.StartOffsetSpec;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;
import io.clusterlink.kafka.ReadOnlyAcls;

/**
 * Mirror topics: creation (fresh destination topic, start offsets), listing with live lags, the
 * actions promote, failover, pause and resume, and the state changes the data plane reports.
 */
@ApplicationScoped
public class MirrorService {

    private static final Logger LOG = Logger.getLogger(MirrorService.class);

    private static final Duration HALT_TIMEOUT = Duration.ofSeconds(60);
    /** Names in one action request ({@code mirror_topic_names}). */
    static final int MAX_ACTION_NAMES = 1000;
    /** Topic configs in one create-mirror request. */
    static final int MAX_TOPIC_CONFIGS = 500;

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final ReplicationControl replication;
    private final ConsumerOffsetSync offsetSync;
    private final ReadOnlyAcls readOnly;
    private final Duration sourceTimeout;

    MirrorService(LinkStore store, DestinationClusters clusters, ReplicationControl replication,
            ConsumerOffsetSync offsetSync, ReadOnlyAcls readOnly, ClusterlinkConfig config) {
        this.store = store;
        this.clusters = clusters;
        this.replication = replication;
        this.offsetSync = offsetSync;
        this.readOnly = readOnly;
        this.sourceTimeout = config.sourceTimeout();
    }

    public record CreateMirror(String sourceTopicName, String mirrorTopicName, Integer replicationFactor,
            List<LinkService.ConfigValue> configs) {
    }

    public void create(String clusterId, String linkName, CreateMirror request) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = findLink(cluster, linkName);
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
        if (store.findMirror(cluster.clusterId(), mirrorTopic).isPresent()) {
            throw new ClusterLinkException.Conflict("Topic '" + mirrorTopic + "' already exists");
        }
        Admin destination = clusters.admin(cluster);
        if (topicExists(destination, mirrorTopic)) {
            throw new ClusterLinkException.Conflict("Topic '" + mirrorTopic + "' already exists");
        }
        SourceTopic source = describeSource(link, request.sourceTopicName());
        Map<String, String> configs = new HashMap<>(source.configs());
        configs.putAll(userConfigs);
        configs.putAll(TopicConfigPolicy.MIRROR_ONLY);
        createTopic(destination, mirrorTopic, source.partitions(), replicationFactor, configs);
        makeReadOnly(cluster, mirrorTopic);
        try {
            store.insertMirror(link, mirrorTopic, request.sourceTopicName(), source.topicId(), source.partitions(),
                    source.startOffsets());
        } catch (RuntimeException e) {
            destination.deleteTopics(List.of(mirrorTopic));
            try {
                readOnly.lift(cluster, mirrorTopic);
            } catch (RuntimeException lift) {
                e.addSuppressed(lift);
            }
            throw e;
        }
        LOG.infof("Created mirror topic '%s' of '%s' on link '%s' (%d partitions, start offsets %s)", mirrorTopic,
                request.sourceTopicName(), linkName, source.partitions(), source.startOffsets());
        replication.wake();
    }

    /**
     * Adds the read-only ACL to a new mirror topic before anything is copied into it. A failure
     * does not fail the create: the periodic read-only check adds it later, and meanwhile the
     * offset check catches a foreign write.
     */
    private void makeReadOnly(DestinationCluster cluster, String mirrorTopic) {
        try {
            readOnly.protect(cluster, List.of(mirrorTopic));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("Cannot make mirror topic '%s' read-only yet (%s); the periodic check retries",
                    mirrorTopic, KafkaErrors.describe(e));
        }
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

    private record SourceTopic(String topicId, int partitions, Map<String, String> configs, List<Long> startOffsets) {
    }

    private SourceTopic describeSource(Link link, String topic) {
        LinkSettings settings = link.settings();
        try (Admin admin = KafkaClients.admin(settings.sourceClientProperties(), "clusterlink-mirror-create",
                sourceTimeout)) {
            TopicDescription description = KafkaClients.describeTopic(admin, topic, sourceTimeout);
            int partitions = description.partitions().size();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(sourceTimeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            Map<String, String> configs = settings.topicConfigPolicy().desired(config);
            Set<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> start = startOffsets(admin, tps, settings.startOffsetSpec());
            List<Long> startOffsets = IntStream.range(0, partitions)
                    .mapToObj(p -> start.get(new TopicPartition(topic, p))).toList();
            return new SourceTopic(description.topicId().toString(), partitions, configs, startOffsets);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.SourceUnavailable("Interrupted while reading the source topic", e);
        } catch (Exception e) {
            if (KafkaErrors.isUnknownTopic(e)) {
                throw new ClusterLinkException.NotFound("Source topic '" + topic + "' not found on the source "
                        + "cluster of link '" + link.name() + "'");
            }
            throw new ClusterLinkException.SourceUnavailable("Cannot read topic '" + topic + "' from the source "
                    + "cluster of link '" + link.name() + "': " + KafkaErrors.describe(e), e);
        }
    }

    private Map<TopicPartition, Long> startOffsets(Admin admin, Set<TopicPartition> tps, StartOffsetSpec spec)
            throws Exception {
        if (spec instanceof StartOffsetSpec.Earliest) {
            return KafkaClients.offsets(admin, tps, OffsetSpec.earliest(), IsolationLevel.READ_COMMITTED, sourceTimeout);
        }
        Map<TopicPartition, Long> latest = KafkaClients.offsets(admin, tps, OffsetSpec.latest(),
                IsolationLevel.READ_COMMITTED, sourceTimeout);
        if (spec instanceof StartOffsetSpec.AtTimestamp at) {
            Map<TopicPartition, Long> found = KafkaClients.offsets(admin, tps, OffsetSpec.forTimestamp(at.timestampMs()),
                    IsolationLevel.READ_COMMITTED, sourceTimeout);
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

    private static boolean topicExists(Admin admin, String topic) {
        try {
            return admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(30, TimeUnit.SECONDS).contains(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.ClusterUnavailable("Interrupted", e);
        } catch (Exception e) {
            throw new ClusterLinkException.ClusterUnavailable(
                    "Destination cluster is not reachable: " + KafkaErrors.describe(e), e);
        }
    }

    private static void createTopic(Admin admin, String topic, int partitions, int replicationFactor,
            Map<String, String> configs) {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions),
                replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor))
                .configs(configs);
        try {
            admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.ClusterUnavailable("Interrupted", e);
        } catch (Exception e) {
            Throwable cause = KafkaErrors.unwrap(e);
            if (cause instanceof TopicExistsException) {
                throw new ClusterLinkException.Conflict("Topic '" + topic + "' already exists");
            }
            if (cause instanceof InvalidConfigurationException || cause instanceof InvalidReplicationFactorException
                    || cause instanceof PolicyViolationException) {
                throw new ClusterLinkException.InvalidRequest("Cannot create mirror topic '" + topic + "': "
                        + KafkaErrors.describe(e));
            }
            throw new ClusterLinkException.ClusterUnavailable("Cannot create mirror topic '" + topic + "': "
                    + KafkaErrors.describe(e), e);
        }
    }

    public List<MirrorView> list(String clusterId, String linkName, String statusFilter) {
        DestinationCluster cluster = clusters.byId(clusterId);
        MirrorStatus filter = parseStatus(statusFilter);
        List<Mirror> found;
        Map<Long, Link> links = new HashMap<>();
        if (linkName == null) {
            found = store.listMirrorsOfCluster(cluster.clusterId());
        } else {
            Link link = findLink(cluster, linkName);
            links.put(link.id(), link);
            found = store.listMirrors(link);
        }
        List<MirrorView> result = new ArrayList<>();
        for (Mirror m : found) {
            Link link = links.computeIfAbsent(m.linkId(), id -> store.findLink(id).orElse(null));
            MirrorView view = view(m, link);
            if (filter == null || view.shownStatus() == filter) {
                result.add(view);
            }
        }
        return result;
    }

    public MirrorView get(String clusterId, String linkName, String mirrorTopic) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = findLink(cluster, linkName);
        TopicNames.checkTopic("mirror_topic_name", mirrorTopic);
        Mirror m = store.findMirror(cluster.clusterId(), mirrorTopic).filter(x -> x.linkId() == link.id())
                .orElseThrow(() -> new ClusterLinkException.NotFound(
                        "Mirror topic '" + mirrorTopic + "' not found on cluster link '" + linkName + "'"));
        return view(m, link);
    }

    private MirrorView view(Mirror m, Link link) {
        MirrorStatus shown = m.status();
        if (link != null && (m.status() == MirrorStatus.ACTIVE || m.status() == MirrorStatus.PENDING_MIRROR)) {
            shown = switch (link.state()) {
                case PAUSED -> MirrorStatus.LINK_PAUSED;
                case UNAVAILABLE -> MirrorStatus.SOURCE_UNAVAILABLE;
                case FAILED -> MirrorStatus.LINK_FAILED;
                case ACTIVE -> m.status();
            };
        }
        return new MirrorView(m, shown, replication.lags(m));
    }

    private static MirrorStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return MirrorStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ClusterLinkException.InvalidRequest("Unknown mirror_status '" + TopicNames.printable(status)
                    + "': use one of " + Arrays.toString(MirrorStatus.values()));
        }
    }

    /** Runs an action on the named mirrors (or those matching the pattern) of a link. */
    public List<ActionResult> act(String clusterId, String linkName, MirrorAction action, List<String> names,
            String pattern, boolean validateOnly) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = findLink(cluster, linkName);
        boolean hasNames = names != null && !names.isEmpty();
        boolean hasPattern = pattern != null && !pattern.isEmpty();
        if (hasNames == hasPattern) {
            throw new ClusterLinkException.InvalidRequest(
                    "Give either 'mirror_topic_names' (non-empty) or 'mirror_topic_name_pattern', not both");
        }
        if (hasNames) {
            checkActionNames(names);
        }
        List<Mirror> mirrors = store.listMirrors(link);
        List<ActionResult> results = new ArrayList<>();
        if (hasPattern) {
            // Every name is matched before any mirror is changed: a pattern that turns out too
            // expensive is refused without a partial action.
            MirrorTopicPattern regex = MirrorTopicPattern.compile(pattern);
            List<Mirror> matching = mirrors.stream().filter(m -> regex.matches(m.mirrorTopic())).toList();
            for (Mirror m : matching) {
                results.add(apply(link, m, action, validateOnly));
            }
            return results;
        }
        Map<String, Mirror> byName = mirrors.stream().collect(Collectors.toMap(Mirror::mirrorTopic, m -> m));
        for (String name : new LinkedHashSet<>(names)) {
            Mirror m = byName.get(name);
            if (m == null) {
                results.add(ActionResult.error(name, 404, "Topic '" + name
                        + "' is not a mirror topic of cluster link '" + linkName + "'"));
            } else {
                results.add(apply(link, m, action, validateOnly));
            }
        }
        return results;
    }

    /** The names of an action request: at most {@value #MAX_ACTION_NAMES}, each a legal topic name. */
    private static void checkActionNames(List<String> names) {
        if (names.size() > MAX_ACTION_NAMES) {
            throw new ClusterLinkException.InvalidRequest("mirror_topic_names has " + names.size()
                    + " names; at most " + MAX_ACTION_NAMES + " per request");
        }
        for (int i = 0; i < names.size(); i++) {
            TopicNames.checkTopic("mirror_topic_names[" + i + "]", names.get(i));
        }
    }

    /** The short form: an action on one mirror topic of the default cluster, whatever its link. */
    public ActionResult actOnTopic(String mirrorTopic, MirrorAction action, boolean validateOnly) {
        DestinationCluster cluster = clusters.defaultCluster();
        TopicNames.checkTopic("mirror topic name", mirrorTopic);
        Mirror m = store.findMirror(cluster.clusterId(), mirrorTopic).orElseThrow(
                () -> new ClusterLinkException.NotFound("Topic '" + mirrorTopic + "' is not a mirror topic"));
        Link link = store.findLink(m.linkId()).orElseThrow(
                () -> new ClusterLinkException.NotFound("Topic '" + mirrorTopic + "' is not a mirror topic"));
        return apply(link, m, action, validateOnly);
    }

    private ActionResult apply(Link link, Mirror m, MirrorAction action, boolean validateOnly) {
        try {
            return switch (action) {
                case PROMOTE -> promote(link, m, validateOnly);
                case FAILOVER -> failover(link, m, validateOnly);
                case PAUSE -> pause(m, validateOnly);
                case RESUME -> resume(m, validateOnly);
            };
        } catch (ClusterLinkException e) {
            return ActionResult.error(m.mirrorTopic(), e.status(), e.getMessage());
        }
    }

    private ActionResult promote(Link link, Mirror m, boolean validateOnly) {
        switch (m.status()) {
            case STOPPED -> throw stopped(m);
            case PENDING_STOPPED -> throw new ClusterLinkException.InvalidRequest(
                    "Topic '" + m.mirrorTopic() + "' is already stopping its mirror from '" + m.linkName() + "'");
            case FAILED -> throw new ClusterLinkException.InvalidRequest("Topic '" + m.mirrorTopic()
                    + "' is FAILED (" + m.error() + "): it cannot catch up; use failover to make it writable");
            default -> {
            }
        }
        if (link.state() == LinkState.PAUSED) {
            throw new ClusterLinkException.InvalidRequest("Cluster link '" + link.name()
                    + "' is paused: resume it (cluster.link.paused=false) or use failover");
        }
        List<Long> stopOffsets = sourceEndOffsets(link, m);
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror updated = store.transition(m.id(), EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
                MirrorStatus.PAUSED), MirrorStatus.PENDING_STOPPED, null, "promote requested", stopOffsets)
                .orElseThrow(() -> changed(m));
        LOG.infof("Promoting mirror topic '%s': catching up to source end offsets %s", m.mirrorTopic(), stopOffsets);
        replication.wake();
        return ActionResult.ok(updated.mirrorTopic(), replication.lags(updated));
    }

    private List<Long> sourceEndOffsets(Link link, Mirror m) {
        try (Admin admin = KafkaClients.admin(link.settings().sourceClientProperties(), "clusterlink-promote",
                sourceTimeout)) {
            Set<TopicPartition> tps = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.sourceTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = KafkaClients.offsets(admin, tps, OffsetSpec.latest(),
                    IsolationLevel.READ_COMMITTED, sourceTimeout);
            return IntStream.range(0, m.partitions()).mapToObj(p -> ends.get(new TopicPartition(m.sourceTopic(), p)))
                    .toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.SourceUnavailable("Interrupted", e);
        } catch (Exception e) {
            throw new ClusterLinkException.SourceUnavailable("Cannot read the source end offsets of '"
                    + m.sourceTopic() + "' to promote it: " + KafkaErrors.describe(e)
                    + ". Use failover to stop the mirror without catching up", e);
        }
    }

    private ActionResult failover(Link link, Mirror m, boolean validateOnly) {
        if (m.status() == MirrorStatus.STOPPED) {
            throw stopped(m);
        }
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror stopped = stopNow(link, m, "failover requested");
        return ActionResult.ok(stopped.mirrorTopic(), replication.lags(stopped));
    }

    /** Fails a mirror over as part of a forced link delete. */
    void failoverForDelete(Link link, Mirror m) {
        stopNow(link, m, "link deleted with force=true");
    }

    private Mirror stopNow(Link link, Mirror requested, String reason) {
        Mirror m = requested.status() == MirrorStatus.PENDING_STOPPED ? requested
                : store.transition(requested.id(), EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
                        MirrorStatus.PAUSED, MirrorStatus.FAILED), MirrorStatus.PENDING_STOPPED, null, reason, null)
                        .orElseThrow(() -> changed(requested));
        if (!replication.halt(m.id(), HALT_TIMEOUT)) {
            throw new ClusterLinkException.ClusterUnavailable("Mirror topic '" + m.mirrorTopic()
                    + "' did not stop within " + HALT_TIMEOUT.toSeconds() + " s; it stays PENDING_STOPPED", null);
        }
        DestinationCluster cluster = clusters.byIdIfKnown(m.clusterId()).orElseThrow(
                () -> new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable", null));
        List<Long> stopOffsets;
        try {
            Set<TopicPartition> tps = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.mirrorTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = KafkaClients.offsets(clusters.admin(cluster), tps, OffsetSpec.latest(),
                    IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(30));
            stopOffsets = IntStream.range(0, m.partitions())
                    .mapToObj(p -> ends.get(new TopicPartition(m.mirrorTopic(), p))).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.ClusterUnavailable("Interrupted", e);
        } catch (Exception e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot read the end offsets of mirror topic '"
                    + m.mirrorTopic() + "': " + KafkaErrors.describe(e), e);
        }
        return offsetSync.whileStopping(link, () -> {
            offsetSync.clampToMirrorEnd(link, m, stopOffsets);
            return finishStop(link, m, stopOffsets, reason);
        });
    }

    private ActionResult pause(Mirror m, boolean validateOnly) {
        if (m.status() != MirrorStatus.ACTIVE) {
            throw notIn(m, "paused", MirrorStatus.ACTIVE);
        }
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror paused = store.transition(m.id(), EnumSet.of(MirrorStatus.ACTIVE), MirrorStatus.PAUSED, null,
                "pause requested", null).orElseThrow(() -> changed(m));
        if (!replication.halt(m.id(), HALT_TIMEOUT)) {
            LOG.warnf("Mirror topic '%s' did not stop writing within %s after pause", m.mirrorTopic(), HALT_TIMEOUT);
        }
        return ActionResult.ok(paused.mirrorTopic(), replication.lags(paused));
    }

    private ActionResult resume(Mirror m, boolean validateOnly) {
        if (m.status() != MirrorStatus.PAUSED) {
            throw notIn(m, "resumed", MirrorStatus.PAUSED);
        }
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror resumed = store.transition(m.id(), EnumSet.of(MirrorStatus.PAUSED), MirrorStatus.ACTIVE, null,
                "resume requested", null).orElseThrow(() -> changed(m));
        replication.wake();
        return ActionResult.ok(resumed.mirrorTopic(), replication.lags(resumed));
    }

    private static ClusterLinkException stopped(Mirror m) {
        return new ClusterLinkException.InvalidRequest(
                "Topic '" + m.mirrorTopic() + "' has already stopped its mirror from '" + m.linkName() + "'");
    }

    private static ClusterLinkException notIn(Mirror m, String verb, MirrorStatus needed) {
        return new ClusterLinkException.InvalidRequest("Topic '" + m.mirrorTopic() + "' is " + m.status()
                + " and can only be " + verb + " when " + needed);
    }

    private static ClusterLinkException changed(Mirror m) {
        return new ClusterLinkException.Conflict(
                "Mirror topic '" + m.mirrorTopic() + "' changed state concurrently; retry");
    }

    /**
     * Makes a stopped mirror an ordinary topic: gives back the source's timestamp settings, lifts
     * read-only, then records {@code STOPPED} with its stop offsets. If either change fails the
     * mirror stays {@code PENDING_STOPPED}, and the stop can be retried.
     */
    private Mirror finishStop(Link link, Mirror m, List<Long> stopOffsets, String reason) {
        restoreTopicConfigs(link, m);
        readOnly.lift(clusters.byIdIfKnown(m.clusterId()).orElseThrow(
                () -> new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable", null)),
                m.mirrorTopic());
        Mirror stopped = store.transition(m.id(), EnumSet.of(MirrorStatus.PENDING_STOPPED), MirrorStatus.STOPPED,
                null, reason, stopOffsets).orElseThrow(() -> changed(m));
        LOG.infof("Mirror topic '%s' is STOPPED at offsets %s (%s)", m.mirrorTopic(), stopOffsets, reason);
        return stopped;
    }

    private void restoreTopicConfigs(Link link, Mirror m) {
        DestinationCluster cluster = clusters.byIdIfKnown(m.clusterId()).orElseThrow(
                () -> new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable", null));
        Optional<String> sourceTimestampType = sourceTimestampType(link, m);
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String name : new TreeSet<>(TopicConfigPolicy.MIRROR_ONLY.keySet())) {
            ops.add(new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE));
        }
        sourceTimestampType.ifPresent(type -> {
            ops.removeIf(op -> op.configEntry().name().equals(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG));
            ops.add(new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, type),
                    AlterConfigOp.OpType.SET));
        });
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, m.mirrorTopic());
        try {
            clusters.admin(cluster).incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.ClusterUnavailable("Interrupted", e);
        } catch (Exception e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot restore the configs of mirror topic '"
                    + m.mirrorTopic() + "': " + KafkaErrors.describe(e), e);
        }
    }

    private Optional<String> sourceTimestampType(Link link, Mirror m) {
        Duration quick = sourceTimeout.compareTo(Duration.ofSeconds(5)) < 0 ? sourceTimeout : Duration.ofSeconds(5);
        try (Admin admin = KafkaClients.admin(link.settings().sourceClientProperties(), "clusterlink-stop", quick)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, m.sourceTopic());
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all()
                    .get(quick.toMillis(), TimeUnit.MILLISECONDS).get(resource)
                    .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            return entry != null && entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                    ? Optional.ofNullable(entry.value()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            LOG.infof("Source of '%s' not readable while stopping (%s): its timestamp type reverts to the "
                    + "destination default", m.mirrorTopic(), KafkaErrors.describe(e));
            return Optional.empty();
        }
    }

    private Link findLink(DestinationCluster cluster, String linkName) {
        TopicNames.checkLink(linkName);
        return store.findLink(cluster.clusterId(), linkName).orElseThrow(
                () -> new ClusterLinkException.NotFound("Cluster link '" + linkName + "' not found"));
    }

    /**
     * Mirror states whose topics are read-only and get their ACL back if it is missing: every state
     * before the mirror stops. A {@code FAILED} mirror stays read-only until it is failed over. A
     * {@code PENDING_STOPPED} one keeps its ACL until it is {@code STOPPED} but does not get it
     * back, so that a check never races with a stop that is lifting it.
     */
    private static final Set<MirrorStatus> READ_ONLY = EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
            MirrorStatus.PAUSED, MirrorStatus.FAILED);

    /**
     * The periodic read-only check of a link: mirror topics that lost their ACL, or were created
     * before the cluster could enforce read-only, get it (back). A mirror that stopped meanwhile
     * may have lifted its ACL before the check re-added it: the check lifts it again.
     */
    public void keepReadOnly(Link link) throws Exception {
        List<String> topics = store.listMirrors(link).stream().filter(m -> READ_ONLY.contains(m.status()))
                .map(Mirror::mirrorTopic).toList();
        Optional<DestinationCluster> cluster = clusters.byIdIfKnown(link.clusterId());
        if (topics.isEmpty() || cluster.isEmpty()) {
            return;
        }
        List<String> unprotected = readOnly.unprotected(cluster.get(), topics);
        if (unprotected.isEmpty()) {
            return;
        }
        if (!readOnly.protect(cluster.get(), unprotected)) {
            return;
        }
        LOG.infof("Mirror topics %s of link '%s' were writable: added their read-only ACL (DENY WRITE for User:*)",
                unprotected, link.name());
        for (String topic : unprotected) {
            boolean stillMirror = store.findMirror(link.clusterId(), topic).filter(m -> READ_ONLY.contains(m.status()))
                    .isPresent();
            if (!stillMirror) {
                readOnly.lift(cluster.get(), topic);
            }
        }
    }

    void linkChanged() {
        replication.wake();
    }

    // ---- reported by the replication data plane ----

    /**
     * Mirrors to replicate now: replicating states, on links that are not paused, on known clusters.
     * A mirror that is being failed over (PENDING_STOPPED without stop offsets) no longer replicates.
     */
    public List<ReplicationAssignment> replicationPlan() {
        Map<Long, Link> links = store.listAllLinks().stream().collect(Collectors.toMap(Link::id, l -> l));
        Map<Long, LinkSettings> settings = new HashMap<>();
        boolean lookedUp = false;
        List<ReplicationAssignment> plan = new ArrayList<>();
        for (Mirror m : store.listAllMirrors()) {
            Link link = links.get(m.linkId());
            boolean failingOver = m.status() == MirrorStatus.PENDING_STOPPED && m.stopOffsets() == null;
            if (link == null || !m.status().replicates() || failingOver || link.state() == LinkState.PAUSED) {
                continue;
            }
            LinkSettings s = settings.computeIfAbsent(link.id(), id -> link.settings());
            Optional<DestinationCluster> cluster = clusters.byIdIfKnown(m.clusterId());
            if (cluster.isEmpty() && !lookedUp) {
                // Looks up clusters that have not answered yet, once per plan: each may take seconds.
                clusters.list();
                lookedUp = true;
                cluster = clusters.byIdIfKnown(m.clusterId());
            }
            cluster.ifPresent(c -> plan.add(new ReplicationAssignment(m, link.name(), s.sourceClientProperties(), c,
                    s.fetchers())));
        }
        return plan;
    }

    /** All partitions are aligned to their start offsets: PENDING_MIRROR becomes ACTIVE. */
    public void alignmentCompleted(long mirrorId) {
        store.transition(mirrorId, EnumSet.of(MirrorStatus.PENDING_MIRROR), MirrorStatus.ACTIVE, null,
                "offsets aligned", null)
                .ifPresent(m -> LOG.infof("Mirror topic '%s' is ACTIVE", m.mirrorTopic()));
    }

    /** A promoted mirror reached its stop offsets and its writers are halted: finish the promotion. */
    public void stopCaughtUp(long mirrorId) {
        store.findMirror(mirrorId).filter(m -> m.status() == MirrorStatus.PENDING_STOPPED).ifPresent(m -> {
            Link link = store.findLink(m.linkId()).orElseThrow();
            offsetSync.whileStopping(link, () -> {
                offsetSync.finalSync(link, m);
                return finishStop(link, m, m.stopOffsets(), "promoted");
            });
        });
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
        store.transition(mirrorId, EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE, MirrorStatus.PAUSED,
                MirrorStatus.PENDING_STOPPED), MirrorStatus.FAILED, error, message, null)
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
        DestinationCluster cluster = clusters.byIdIfKnown(m.clusterId()).orElseThrow(
                () -> new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable", null));
        Admin admin = clusters.admin(cluster);
        try {
            int current = KafkaClients.describeTopic(admin, m.mirrorTopic(), Duration.ofSeconds(30)).partitions().size();
            if (current < partitions) {
                admin.createPartitions(Map.of(m.mirrorTopic(), NewPartitions.increaseTo(partitions)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.ClusterUnavailable("Interrupted", e);
        } catch (Exception e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot add partitions to mirror topic '"
                    + m.mirrorTopic() + "': " + KafkaErrors.describe(e), e);
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
