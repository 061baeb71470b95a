package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.ConsumerGroups;
import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.NameFilters;
import io.clusterlink.store.LinkStore;

/**
 * {@code consumer.offset.sync.enable}: the committed offsets of the source consumer groups that
 * match {@code consumer.offset.group.filters}, for the topics a link mirrors, written to the same
 * groups on the destination ({@code cluster.link.prefix} + name with
 * {@code consumer.group.prefix.enable}). Mirror offsets equal source offsets, so a consumer that
 * moves to the destination resumes at its next record.
 * <p>
 * Each offset is clamped to the mirror partition's end offset, so no consumer starts past what the
 * mirror holds. Groups with members on the destination are left alone, offsets the destination
 * already has are not written again, and groups and offsets are never deleted. A mirror's offsets
 * are synced until it stops: promote runs a last sync before the mirror is {@code STOPPED},
 * failover clamps the synced groups' offsets to where the mirror stopped.
 */
@ApplicationScoped
public class ConsumerOffsetSync {

    private static final Logger LOG = Logger.getLogger(ConsumerOffsetSync.class);
    /** How long a run waits for another one of the same link, e.g. a periodic run for a stop. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final DestinationTopics topics;
    private final ConsumerGroups groups;
    /** Per link: a periodic run and a mirror's stop never write offsets at the same time. */
    private final Map<Long, ReentrantLock> locks = new ConcurrentHashMap<>();

    ConsumerOffsetSync(LinkStore store, DestinationClusters clusters, DestinationTopics topics,
            ConsumerGroups groups) {
        this.store = store;
        this.clusters = clusters;
        this.topics = topics;
        this.groups = groups;
    }

    /** Drops what is kept for a deleted link. */
    void forget(long linkId) {
        locks.remove(linkId);
    }

    /**
     * One periodic run for a link: every mirror whose offsets are synced ({@link MirrorLifecycle#offsetsSynced}).
     *
     * @return the errors to report; none when every matching group was synced or skipped as active
     */
    public List<LinkView.TaskError> sync(Link link) {
        return syncMirrors(link, m -> true);
    }

    /**
     * Promote: the last sync of a mirror that caught up with its stop offsets, before it becomes
     * {@code STOPPED}. A failure is logged and does not hold up the promotion.
     */
    void finalSync(Link link, Mirror mirror) {
        if (!link.settings().consumerOffsetSync()) {
            return;
        }
        try {
            List<LinkView.TaskError> errors = syncMirrors(link, m -> m.id() == mirror.id());
            errors.forEach(e -> LOG.warnf("Final consumer offset sync of mirror topic '%s' on link '%s': %s",
                    mirror.mirrorTopic(), link.name(), e.message()));
        } catch (RuntimeException e) {
            LOG.warnf(e, "Final consumer offset sync of mirror topic '%s' on link '%s' failed", mirror.mirrorTopic(),
                    link.name());
        }
    }

    /**
     * Failover: without asking the source, lowers the offsets of the synced groups (those that
     * match the group filter, by their destination name) on the mirror topics to the mirrors' end
     * offsets, for many mirrors of the link at once: the groups and their offsets are read, and each
     * group's offsets written, in one request for all of them. Groups with members are left alone.
     * A failure is logged and does not hold up the failover.
     *
     * @param endOffsets each mirror's end offsets, indexed by partition
     */
    void clampToMirrorEnds(Link link, Map<Mirror, List<Long>> endOffsets) {
        LinkSettings settings = link.settings();
        if (!settings.consumerOffsetSync() || endOffsets.isEmpty()) {
            return;
        }
        String topics = endOffsets.keySet().stream().map(m -> "'" + m.mirrorTopic() + "'").sorted()
                .collect(Collectors.joining(", "));
        try {
            DestinationCluster cluster = destination(link);
            List<String> synced = groups.destinationGroups(cluster).stream().filter(g -> syncedGroup(settings, g))
                    .toList();
            Map<TopicPartition, Long> ends = new HashMap<>();
            endOffsets.forEach((mirror, offsets) -> IntStream.range(0, mirror.partitions())
                    .forEach(p -> ends.put(new TopicPartition(mirror.mirrorTopic(), p), offsets.get(p))));
            Map<String, Map<TopicPartition, OffsetAndMetadata>> beyond = new TreeMap<>();
            groups.destinationOffsets(cluster, synced, List.copyOf(ends.keySet())).forEach((group, offsets) -> offsets
                    .forEach((tp, committed) -> {
                        Long end = ends.get(tp);
                        if (end != null && committed.offset() > end) {
                            beyond.computeIfAbsent(group, g -> new HashMap<>()).put(tp,
                                    new OffsetAndMetadata(end, committed.metadata()));
                        }
                    }));
            List<LinkView.TaskError> errors = new ArrayList<>();
            int clamped = 0;
            for (String group : idleGroups(cluster, beyond.keySet(), errors)) {
                if (write(cluster, group, beyond.get(group), errors)) {
                    clamped++;
                }
            }
            errors.forEach(e -> LOG.warnf("Clamping consumer offsets of failed-over mirror topic(s) %s: %s", topics,
                    e.message()));
            if (clamped > 0) {
                LOG.infof("Clamped the offsets of %d consumer group(s) on %s to their end offsets", clamped, topics);
            }
        } catch (ClusterLinkException | KafkaCallException e) {
            LOG.warnf("Cannot clamp consumer offsets of failed-over mirror topic(s) %s on link '%s': %s", topics,
                    link.name(), e.getMessage());
        }
    }

    /**
     * Runs a mirror's stop with the link's offset sync held off, so no periodic run writes offsets
     * for a mirror that is stopping. Waits at most {@link #LOCK_WAIT} for a run in progress, then
     * stops anyway.
     */
    <T> T whileStopping(Link link, Supplier<T> stop) {
        ReentrantLock lock = locks.computeIfAbsent(link.id(), id -> new ReentrantLock());
        boolean locked = lock(lock);
        if (!locked) {
            LOG.warnf("A consumer offset sync of link '%s' still runs after %d s; stopping the mirror anyway",
                    link.name(), LOCK_WAIT.toSeconds());
        }
        try {
            return stop.get();
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private List<LinkView.TaskError> syncMirrors(Link link, Predicate<Mirror> which) {
        Set<String> sourceTopics = synced(link, which).stream().map(Mirror::sourceTopic).collect(Collectors.toSet());
        if (sourceTopics.isEmpty()) {
            return List.of();
        }
        Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceOffsets;
        try {
            sourceOffsets = sourceOffsets(link, sourceTopics);
        } catch (KafkaCallException e) {
            return List.of(error("Cannot read the consumer group offsets of the source cluster: ", e));
        }
        if (sourceOffsets.isEmpty()) {
            return List.of();
        }
        ReentrantLock lock = locks.computeIfAbsent(link.id(), id -> new ReentrantLock());
        if (!lock(lock)) {
            return List.of(new LinkView.TaskError("INTERNAL_ERROR", "Another consumer offset sync of link '"
                    + link.name() + "' did not finish within " + LOCK_WAIT.toSeconds() + " s"));
        }
        try {
            // Read again under the lock: a mirror that stopped since is no longer synced.
            return writeToDestination(link, synced(link, which), sourceOffsets);
        } finally {
            lock.unlock();
        }
    }

    private List<Mirror> synced(Link link, Predicate<Mirror> which) {
        return store.listMirrors(link).stream().filter(MirrorLifecycle::offsetsSynced).filter(which).toList();
    }

    /** Committed offsets on the mirrored topics of every source group that matches the group filter. */
    private Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceOffsets(Link link, Set<String> topics) {
        NameFilters filters = link.settings().groupFilters();
        List<String> matching = groups.sourceGroups(link).stream().filter(filters::matches).toList();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> result = new TreeMap<>();
        groups.sourceOffsets(link, matching).forEach((group, offsets) -> {
            Map<TopicPartition, OffsetAndMetadata> mirrored = new HashMap<>(offsets);
            mirrored.keySet().removeIf(tp -> !topics.contains(tp.topic()));
            if (!mirrored.isEmpty()) {
                result.put(group, mirrored);
            }
        });
        return result;
    }

    private List<LinkView.TaskError> writeToDestination(Link link, List<Mirror> mirrors,
            Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceOffsets) {
        LinkSettings settings = link.settings();
        Map<String, Mirror> bySourceTopic = mirrors.stream().collect(Collectors.toMap(Mirror::sourceTopic, m -> m));
        // Destination group -> mirror partition -> source offset.
        Map<String, Map<TopicPartition, OffsetAndMetadata>> wanted = new TreeMap<>();
        sourceOffsets.forEach((group, offsets) -> offsets.forEach((tp, committed) -> {
            Mirror m = bySourceTopic.get(tp.topic());
            if (m != null && tp.partition() < m.partitions()) {
                wanted.computeIfAbsent(settings.destinationGroup(group), g -> new HashMap<>())
                        .put(new TopicPartition(m.mirrorTopic(), tp.partition()), committed);
            }
        }));
        if (wanted.isEmpty()) {
            return List.of();
        }
        List<LinkView.TaskError> errors = new ArrayList<>();
        try {
            DestinationCluster cluster = destination(link);
            Set<TopicPartition> partitions = wanted.values().stream().flatMap(o -> o.keySet().stream())
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = topics.endOffsets(cluster, partitions);
            Set<String> idle = idleGroups(cluster, wanted.keySet(), errors);
            Map<String, Map<TopicPartition, OffsetAndMetadata>> current = groups.destinationOffsets(cluster, idle,
                    null);
            for (String group : idle) {
                Map<TopicPartition, OffsetAndMetadata> existing = current.getOrDefault(group, Map.of());
                Map<TopicPartition, OffsetAndMetadata> changes = new HashMap<>();
                wanted.get(group).forEach((tp, committed) -> {
                    Long end = ends.get(tp);
                    if (end == null) {
                        return;
                    }
                    long target = Math.min(committed.offset(), end);
                    OffsetAndMetadata now = existing.get(tp);
                    if (now == null || now.offset() != target) {
                        // The source's leader epoch means nothing on the destination: left out.
                        changes.put(tp, new OffsetAndMetadata(target, committed.metadata()));
                    }
                });
                write(cluster, group, changes, errors);
            }
        } catch (ClusterLinkException e) {
            errors.add(new LinkView.TaskError("INTERNAL_ERROR", e.getMessage()));
        } catch (KafkaCallException e) {
            errors.add(error("Cannot read the consumer groups of the destination cluster: ", e));
        }
        return errors;
    }

    /**
     * The groups among {@code candidates} that have no members on the destination, so their
     * offsets may be written; a group that does not exist yet is one of them.
     */
    private Set<String> idleGroups(DestinationCluster cluster, Collection<String> candidates,
            List<LinkView.TaskError> errors) {
        ConsumerGroups.Idle idle = groups.idle(cluster, candidates);
        idle.unknown().forEach((group, e) -> errors.add(error("Cannot describe consumer group '" + group
                + "' on the destination cluster: ", e)));
        candidates.stream().filter(g -> !idle.groups().contains(g) && !idle.unknown().containsKey(g))
                .forEach(g -> LOG.debugf("Consumer group '%s' has members on the destination: its offsets are not "
                        + "synced while it is in use", g));
        return idle.groups();
    }

    /** Writes a group's offsets; true when written. A group that got members meanwhile is skipped. */
    private boolean write(DestinationCluster cluster, String group, Map<TopicPartition, OffsetAndMetadata> offsets,
            List<LinkView.TaskError> errors) {
        if (offsets.isEmpty()) {
            return false;
        }
        try {
            if (groups.write(cluster, group, offsets)) {
                LOG.debugf("Consumer group '%s' on the destination: offsets set to %s", group, offsets);
                return true;
            }
            LOG.debugf("Consumer group '%s' got members on the destination: its offsets are not synced", group);
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.INTERRUPTED)) {
                throw e;
            }
            errors.add(error("Cannot write the offsets of consumer group '" + group + "' on the destination cluster: ",
                    e));
        }
        return false;
    }

    /** Whether a destination group is one the link syncs: its source name matches the group filter. */
    private static boolean syncedGroup(LinkSettings settings, String destinationGroup) {
        String sourceGroup = destinationGroup;
        if (settings.groupPrefixEnabled()) {
            String prefix = settings.prefix().orElse("");
            if (!destinationGroup.startsWith(prefix)) {
                return false;
            }
            sourceGroup = destinationGroup.substring(prefix.length());
        }
        return settings.groupFilters().matches(sourceGroup);
    }

    private DestinationCluster destination(Link link) {
        return clusters.byIdIfKnown(link.clusterId()).orElseThrow(() -> new ClusterLinkException.ClusterUnavailable(
                "Destination cluster " + link.clusterId() + " is not reachable", null));
    }

    private static boolean lock(ReentrantLock lock) {
        try {
            return lock.tryLock(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static LinkView.TaskError error(String what, KafkaCallException e) {
        return new LinkView.TaskError(KafkaErrors.sourceTaskErrorCode(e), what + e.getMessage());
    }
}
