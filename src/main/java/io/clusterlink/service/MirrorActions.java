package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.ActionResult;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicPattern;
import io.clusterlink.link.StopMode;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/**
 * The mirror actions promote, failover, pause and resume, on named mirrors or those matching a
 * pattern, and the end of a stop: the source's timestamp configs restored, read-only lifted,
 * {@code STOPPED} with the stop offsets.
 */
@ApplicationScoped
public class MirrorActions {

    private static final Logger LOG = Logger.getLogger(MirrorActions.class);

    private static final Duration HALT_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on reading the source's timestamp type while a mirror stops: the source may be down. */
    private static final Duration STOP_SOURCE_TIMEOUT = Duration.ofSeconds(5);
    /** Names in one action request ({@code mirror_topic_names}). */
    static final int MAX_ACTION_NAMES = 1000;

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final ConsumerOffsetSync offsetSync;
    private final ReadOnlyMirrors readOnly;

    MirrorActions(LinkStore store, DestinationClusters clusters, LinkLookup lookup, SourceTopics sourceTopics,
            DestinationTopics destinationTopics, ReplicationControl replication, ConsumerOffsetSync offsetSync,
            ReadOnlyMirrors readOnly) {
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
        this.offsetSync = offsetSync;
        this.readOnly = readOnly;
    }

    /** Runs an action on the named mirrors (or those matching the pattern) of a link. */
    public List<ActionResult> act(String clusterId, String linkName, MirrorAction action, List<String> names,
            String pattern, boolean validateOnly) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = lookup.link(cluster, linkName);
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
            MirrorLifecycle.check(action, m, link.state());
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
        List<Long> stopOffsets = sourceEndOffsets(link, m);
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror updated = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.PROMOTE), null,
                "promote requested", stopOffsets, StopMode.PROMOTE).orElseThrow(() -> changed(m));
        LOG.infof("Promoting mirror topic '%s': catching up to source end offsets %s", m.mirrorTopic(), stopOffsets);
        replication.wake();
        return ActionResult.ok(updated.mirrorTopic(), replication.lags(updated));
    }

    private List<Long> sourceEndOffsets(Link link, Mirror m) {
        try {
            Set<TopicPartition> tps = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.sourceTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = sourceTopics.offsets(link, tps, OffsetSpec.latest(),
                    IsolationLevel.READ_COMMITTED);
            return IntStream.range(0, m.partitions()).mapToObj(p -> ends.get(new TopicPartition(m.sourceTopic(), p)))
                    .toList();
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.SourceUnavailable("Cannot read the source end offsets of '"
                    + m.sourceTopic() + "' to promote it: " + e.getMessage()
                    + ". Use failover to stop the mirror without catching up", e);
        }
    }

    private ActionResult failover(Link link, Mirror m, boolean validateOnly) {
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror stopped = stopNow(link, m, "failover requested");
        return ActionResult.ok(stopped.mirrorTopic(), replication.lags(stopped));
    }

    /** Fails a mirror over as part of a forced link delete. */
    void failoverForDelete(Link link, Mirror m) {
        MirrorLifecycle.check(MirrorAction.FAILOVER, m, link.state());
        stopNow(link, m, "link deleted with force=true");
    }

    private Mirror stopNow(Link link, Mirror requested, String reason) {
        Mirror m = (MirrorLifecycle.stopping(requested) ? store.failOverNow(requested.id(), reason)
                : store.transition(requested.id(), MirrorLifecycle.move(MirrorAction.FAILOVER), null, reason, null,
                        StopMode.FAILOVER)).orElseThrow(() -> changed(requested));
        if (!replication.halt(m.id(), HALT_TIMEOUT)) {
            throw new ClusterLinkException.ClusterUnavailable("Mirror topic '" + m.mirrorTopic()
                    + "' did not stop within " + HALT_TIMEOUT.toSeconds() + " s; it stays PENDING_STOPPED", null);
        }
        DestinationCluster cluster = lookup.known(m.clusterId());
        List<Long> stopOffsets;
        try {
            Set<TopicPartition> tps = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.mirrorTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(cluster, tps);
            stopOffsets = IntStream.range(0, m.partitions())
                    .mapToObj(p -> ends.get(new TopicPartition(m.mirrorTopic(), p))).toList();
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot read the end offsets of mirror topic '"
                    + m.mirrorTopic() + "': " + e.getMessage(), e);
        }
        return offsetSync.whileStopping(link, () -> {
            offsetSync.clampToMirrorEnd(link, m, stopOffsets);
            return finishStop(link, m, stopOffsets, reason);
        });
    }

    private ActionResult pause(Mirror m, boolean validateOnly) {
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror paused = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.PAUSE), null, "pause requested",
                null, null).orElseThrow(() -> changed(m));
        if (!replication.halt(m.id(), HALT_TIMEOUT)) {
            LOG.warnf("Mirror topic '%s' did not stop writing within %s after pause", m.mirrorTopic(), HALT_TIMEOUT);
        }
        return ActionResult.ok(paused.mirrorTopic(), replication.lags(paused));
    }

    private ActionResult resume(Mirror m, boolean validateOnly) {
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), replication.lags(m));
        }
        Mirror resumed = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.RESUME), null,
                "resume requested", null, null).orElseThrow(() -> changed(m));
        replication.wake();
        return ActionResult.ok(resumed.mirrorTopic(), replication.lags(resumed));
    }

    /** A promoted mirror reached its stop offsets and its writers are halted: finish the promotion. */
    void completePromotion(long mirrorId) {
        store.findMirror(mirrorId).filter(MirrorLifecycle::promoting).ifPresent(m -> {
            Link link = store.findLink(m.linkId()).orElseThrow();
            offsetSync.whileStopping(link, () -> {
                offsetSync.finalSync(link, m);
                return finishStop(link, m, m.stopOffsets(), "promoted");
            });
        });
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
        readOnly.lift(lookup.known(m.clusterId()), m.mirrorTopic());
        Mirror stopped = store.transition(m.id(), MirrorLifecycle.STOP_FINISHED, null, reason, stopOffsets, null)
                .orElseThrow(() -> changed(m));
        LOG.infof("Mirror topic '%s' is STOPPED at offsets %s (%s)", m.mirrorTopic(), stopOffsets, reason);
        return stopped;
    }

    private void restoreTopicConfigs(Link link, Mirror m) {
        DestinationCluster cluster = lookup.known(m.clusterId());
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
        try {
            destinationTopics.alterConfigs(cluster, m.mirrorTopic(), ops);
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot restore the configs of mirror topic '"
                    + m.mirrorTopic() + "': " + e.getMessage(), e);
        }
    }

    private Optional<String> sourceTimestampType(Link link, Mirror m) {
        Duration quick = sourceTopics.timeout().compareTo(STOP_SOURCE_TIMEOUT) < 0 ? sourceTopics.timeout()
                : STOP_SOURCE_TIMEOUT;
        try {
            ConfigEntry entry = sourceTopics.config(link, m.sourceTopic(), quick)
                    .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            return entry != null && entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                    ? Optional.ofNullable(entry.value()) : Optional.empty();
        } catch (KafkaCallException e) {
            LOG.infof("Source of '%s' not readable while stopping (%s): its timestamp type reverts to the "
                    + "destination default", m.mirrorTopic(), e.getMessage());
            return Optional.empty();
        }
    }
}
