package io.clusterlink.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.kafka.TopicRecords;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.PartitionTruncation;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.store.ExclusiveRuns;
import io.clusterlink.store.LinkStore;

/**
 * Truncate-and-restore: after a failover, the old source topic (T on A) diverged from the stopped
 * mirror (T on B): records were written to A at or beyond the mirror's stop offsets. Kafka cannot
 * cut the end off a log, so T on A is restored as a mirror of T on B from scratch, offset for
 * offset, on the reverse link (as for a reverse, {@link MirrorReversal}); first, the records A has
 * at or beyond the stop offsets are copied to a recovery topic on A
 * ({@code <T>.truncated-<the mirror's stop time in ms>}), partition for partition, so that nothing
 * is lost.
 * <p>
 * Crash safety: the recovery topic's name depends only on the stopped mirror, and it is written
 * only here, in order, by an idempotent producer, so its partition ends say how much was copied: a
 * repeated call continues the copy where it ended. T on A is deleted only once every recovery
 * partition holds all of A's records past the stop offset. So T missing on A while its recovery
 * topic exists means the copy was complete, and a repeated call makes the mirror. The mirror itself
 * is recorded before its topic is made, as every creation.
 */
@ApplicationScoped
public class MirrorRestore {

    private static final Logger LOG = Logger.getLogger(MirrorRestore.class);

    /** Marks the recovery topic's name: {@code <topic>.truncated-<stop time ms>}. */
    static final String RECOVERY_INFIX = ".truncated-";
    /** How long a restore waits for Kafka to finish deleting the old topic before re-creating it. */
    private static final long DELETE_WAIT_MS = 60_000;
    /** How often a restore looks again while it waits for Kafka to create or delete a topic. */
    private static final long POLL_MS = 200;
    /** How long a restore waits for Kafka to know a recovery topic it has just created. */
    private static final long CREATE_WAIT_MS = 30_000;

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final DestinationTopics destinationTopics;
    private final TopicRecords records;
    private final MirrorReversal reversal;
    private final MirrorCreation creation;
    private final ReadOnlyMirrors readOnly;
    /** One restore at a time per stopped mirror in the whole fleet: two would copy the same records twice. */
    private final ExclusiveRuns exclusive;

    MirrorRestore(LinkStore store, DestinationClusters clusters, DestinationTopics destinationTopics,
            TopicRecords records, MirrorReversal reversal, MirrorCreation creation, ReadOnlyMirrors readOnly,
            ExclusiveRuns exclusive) {
        this.store = store;
        this.exclusive = exclusive;
        this.clusters = clusters;
        this.destinationTopics = destinationTopics;
        this.records = records;
        this.reversal = reversal;
        this.creation = creation;
        this.readOnly = readOnly;
    }

    /** What a restore does: the mirror it turns around, and what it sets aside per partition. */
    record Plan(MirrorReversal.Target target, Mirror stopped, String recoveryTopic, boolean topicPresent,
            boolean diverged, List<PartitionTruncation> truncations) {
    }

    /** The restored mirror (on A) and what was set aside. */
    record Restored(Mirror mirror, List<PartitionTruncation> truncations) {
    }

    /** The recovery topic of a stopped mirror: its name, cut so that the whole is a legal topic name. */
    static String recoveryTopic(Mirror stopped) {
        String suffix = RECOVERY_INFIX + stopped.stateTimeMs();
        String topic = stopped.sourceTopic();
        int room = 249 - suffix.length();
        return (topic.length() > room ? topic.substring(0, room) : topic) + suffix;
    }

    /**
     * Checks a restore and counts what it sets aside, changing nothing.
     *
     * @throws ClusterLinkException when it cannot be done: no reverse link, T a mirror on A already,
     *         partitions that differ, a cluster that does not answer
     */
    Plan plan(Link link, Mirror stopped) {
        MirrorReversal.Target target = reversal.target(link, stopped);
        DestinationCluster cluster = target.cluster();
        String topic = target.topic();
        List<Long> stops = stopped.stopOffsets();
        int partitions = stops.size();
        String recovery = recoveryTopic(stopped);
        int onB = reversal.throughReverseLink(target, stopped).partitions();
        try {
            // B may have grown since the stop: the restored mirror is made with all of B's partitions.
            if (onB < partitions) {
                throw partitionsDiffer(topic, stopped.clusterId(), stopped, onB, partitions);
            }
            if (!destinationTopics.exists(cluster, topic)) {
                return missingTopicPlan(target, stopped, recovery);
            }
            int onA = destinationTopics.partitions(cluster, topic);
            if (onA != partitions) {
                throw partitionsDiffer(topic, cluster.clusterId(), stopped, onA, partitions);
            }
            Set<TopicPartition> tps = partitions(topic, partitions);
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(cluster, tps);
            Map<TopicPartition, Long> starts = destinationTopics.startOffsets(cluster, tps);
            Map<TopicPartition, Long> counts = records.count(cluster, pastStops(topic, stops, starts, ends));
            boolean diverged = false;
            List<PartitionTruncation> truncations = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                diverged |= ends.get(tp) != stops.get(p).longValue();
                truncations.add(new PartitionTruncation(p, stops.get(p), counts.get(tp)));
            }
            return new Plan(target, stopped, recovery, true, diverged, truncations);
        } catch (KafkaCallException e) {
            throw unavailable(target, stopped, e);
        }
    }

    /**
     * T is missing on A: a restore cut short after deleting it (its recovery topic is complete then),
     * or nothing to set aside. Either way the restore makes the mirror.
     */
    private Plan missingTopicPlan(MirrorReversal.Target target, Mirror stopped, String recovery) {
        List<Long> stops = stopped.stopOffsets();
        List<PartitionTruncation> truncations = new ArrayList<>();
        if (destinationTopics.exists(target.cluster(), recovery)) {
            Set<TopicPartition> tps = partitions(recovery, stops.size());
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(target.cluster(), tps);
            Map<TopicPartition, Long> starts = destinationTopics.startOffsets(target.cluster(), tps);
            for (int p = 0; p < stops.size(); p++) {
                TopicPartition tp = new TopicPartition(recovery, p);
                truncations.add(new PartitionTruncation(p, stops.get(p), ends.get(tp) - starts.get(tp)));
            }
        } else {
            for (int p = 0; p < stops.size(); p++) {
                truncations.add(new PartitionTruncation(p, stops.get(p), 0));
            }
        }
        return new Plan(target, stopped, recovery, false, true, truncations);
    }

    /**
     * Runs a checked restore. A topic that did not diverge (it ends exactly at the stop offsets) is
     * reversed as by reverse-and-start-mirror, nothing set aside. Otherwise T on A is made read-only,
     * its records past the stop offsets are copied to the recovery topic, T is deleted and made a new
     * mirror of T on B from B's log start.
     */
    Restored restore(Link link, Mirror stopped, Plan checked) {
        Optional<ExclusiveRuns.Run> run;
        try {
            run = exclusive.tryTake(ExclusiveRuns.Kind.TRUNCATE_AND_RESTORE, stopped.id());
        } catch (ExclusiveRuns.Unavailable e) {
            throw new ClusterLinkException.ClusterUnavailable(e.getMessage() + "; topic '" + stopped.mirrorTopic()
                    + "' was not restored", e);
        }
        if (run.isEmpty()) {
            throw new ClusterLinkException.Conflict("Topic '" + stopped.mirrorTopic() + "' is being truncated and "
                    + "restored already (by this or another instance of the service)");
        }
        try (ExclusiveRuns.Run alone = run.get()) {
            return restoreAlone(link, stopped, checked);
        }
    }

    private Restored restoreAlone(Link link, Mirror stopped, Plan checked) {
        if (!checked.diverged()) {
            Mirror reversed = reversal.reverse(reversal.check(checked.target(), stopped),
                    MirrorAction.REVERSE_AND_START);
            return new Restored(reversed, checked.truncations());
        }
        MirrorReversal.Target target = checked.target();
        DestinationCluster cluster = target.cluster();
        Plan plan = checked;
        if (checked.topicPresent()) {
            // No write may land on A between the count and the delete: read-only first (when the
            // cluster enforces it), then counted again and copied; the ends are checked once more
            // before the delete.
            readOnly.protectNew(cluster, target.topic());
            plan = plan(link, stopped);
            if (plan.topicPresent()) {
                setAside(plan);
                deleteOldTopic(plan);
            }
        }
        target.replaced().ifPresent(old -> store.deleteMirror(old.id(), "replaced by the restore of cluster link '"
                + stopped.linkName() + "' on cluster " + stopped.clusterId()));
        creation.createRestored(cluster, target.link(), target.topic(), stopped.mirrorTopic());
        Mirror restored = store.findMirror(cluster.clusterId(), target.topic()).orElseThrow(
                () -> new ClusterLinkException.Conflict("Mirror topic '" + target.topic() + "' on cluster "
                        + cluster.clusterId() + " changed concurrently; retry"));
        LOG.infof("Restored topic '%s' on cluster %s as a mirror of cluster %s on link '%s': %d record(s) past the "
                + "stop offsets %s set aside in '%s'", target.topic(), cluster.clusterId(), stopped.clusterId(),
                target.link().name(), total(plan.truncations()), stopped.stopOffsets(), plan.recoveryTopic());
        return new Restored(restored, plan.truncations());
    }

    /** Copies A's records past the stop offsets to the recovery topic, continuing a copy cut short. */
    private void setAside(Plan plan) {
        DestinationCluster cluster = plan.target().cluster();
        String topic = plan.target().topic();
        String recovery = plan.recoveryTopic();
        List<PartitionTruncation> truncations = plan.truncations();
        if (total(truncations) == 0) {
            return;
        }
        int partitions = truncations.size();
        try {
            if (!destinationTopics.exists(cluster, recovery)) {
                Map<String, String> configs = new HashMap<>(TopicConfigPolicy.mirrorsOwn(
                        clusters.limits(cluster).maxBatchBytes(), clusters.limits(cluster).timestampBounds()));
                configs.put("cleanup.policy", "delete");
                configs.put("retention.ms", "-1");
                configs.put("retention.bytes", "-1");
                destinationTopics.create(cluster, new NewTopic(recovery, Optional.of(partitions), Optional.empty())
                        .configs(configs));
            } else if (destinationTopics.partitions(cluster, recovery) != partitions) {
                throw new ClusterLinkException.Conflict("Topic '" + recovery + "' exists on cluster "
                        + cluster.clusterId() + " with other partitions than '" + topic + "': the records of '"
                        + topic + "' past the stop offsets cannot be set aside there; nothing was deleted");
            }
            Set<TopicPartition> recoveryPartitions = partitions(recovery, partitions);
            Map<TopicPartition, Long> copied = endOffsetsOfNew(cluster, recoveryPartitions);
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(cluster, partitions(topic, partitions));
            Map<TopicPartition, Long> starts = destinationTopics.startOffsets(cluster, partitions(topic, partitions));
            List<TopicRecords.Copy> copies = new ArrayList<>();
            for (PartitionTruncation t : truncations) {
                TopicPartition from = new TopicPartition(topic, t.partition());
                TopicPartition to = new TopicPartition(recovery, t.partition());
                long already = copied.get(to);
                if (already > t.messagesTruncated()) {
                    throw new ClusterLinkException.Conflict("Partition " + t.partition() + " of topic '" + recovery
                            + "' holds " + already + " records, more than the " + t.messagesTruncated() + " of '"
                            + topic + "' past offset " + t.offsetTruncatedTo() + ": nothing was deleted");
                }
                long start = Math.max(t.offsetTruncatedTo(), starts.get(from));
                copies.add(new TopicRecords.Copy(new TopicRecords.Range(from, start, ends.get(from)), to, already));
            }
            records.copy(cluster, copies, clusters.limits(cluster).maxBatchBytes());
            Map<TopicPartition, Long> done = destinationTopics.endOffsets(cluster, recoveryPartitions);
            for (PartitionTruncation t : truncations) {
                long held = done.get(new TopicPartition(recovery, t.partition()));
                if (held != t.messagesTruncated()) {
                    throw new ClusterLinkException.Conflict("Partition " + t.partition() + " of recovery topic '"
                            + recovery + "' holds " + held + " records instead of " + t.messagesTruncated()
                            + ": '" + topic + "' was not deleted; call truncate-and-restore again");
                }
            }
        } catch (KafkaCallException e) {
            throw unavailable(plan.target(), plan.stopped(), e);
        }
    }

    /**
     * The end offsets of a topic that may just have been created: until every broker knows it,
     * Kafka answers that it does not exist, so that answer is asked again for a while.
     */
    private Map<TopicPartition, Long> endOffsetsOfNew(DestinationCluster cluster, Set<TopicPartition> tps) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CREATE_WAIT_MS);
        while (true) {
            try {
                return destinationTopics.endOffsets(cluster, tps);
            } catch (KafkaCallException e) {
                if (!e.is(KafkaErrors.Kind.UNKNOWN_TOPIC) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterLinkException.Conflict("Interrupted while a recovery topic is created: call "
                        + "truncate-and-restore again");
            }
        }
    }

    /** Deletes T on A once its ends are still those counted, and waits until Kafka has removed it. */
    private void deleteOldTopic(Plan plan) {
        DestinationCluster cluster = plan.target().cluster();
        String topic = plan.target().topic();
        List<PartitionTruncation> truncations = plan.truncations();
        try {
            Set<TopicPartition> tps = partitions(topic, truncations.size());
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(cluster, tps);
            Map<TopicPartition, Long> starts = destinationTopics.startOffsets(cluster, tps);
            List<Long> stops = truncations.stream().map(PartitionTruncation::offsetTruncatedTo).toList();
            Map<TopicPartition, Long> counts = records.count(cluster, pastStops(topic, stops, starts, ends));
            for (PartitionTruncation t : truncations) {
                if (counts.get(new TopicPartition(topic, t.partition())) != t.messagesTruncated()) {
                    throw new ClusterLinkException.Conflict("Records were written to partition " + t.partition()
                            + " of topic '" + topic + "' on cluster " + cluster.clusterId() + " while it was set "
                            + "aside (its writes are not refused: the cluster enforces no read-only): it was not "
                            + "deleted; call truncate-and-restore again to set the new ones aside too");
                }
            }
            destinationTopics.delete(cluster, topic);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELETE_WAIT_MS);
            while (destinationTopics.exists(cluster, topic)) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterLinkException.ClusterUnavailable("Topic '" + topic + "' on cluster "
                            + cluster.clusterId() + " is still being deleted after " + DELETE_WAIT_MS / 1000
                            + " s; its records past the stop offsets are in '" + plan.recoveryTopic()
                            + "': call truncate-and-restore again to make it a mirror", null);
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            }
        } catch (KafkaCallException e) {
            throw unavailable(plan.target(), plan.stopped(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterLinkException.Conflict("Interrupted while topic '" + topic + "' is deleted: call "
                    + "truncate-and-restore again");
        }
    }

    /** A's offsets at and past the stop offsets (from A's log start where that is higher), partition by partition. */
    private static List<TopicRecords.Range> pastStops(String topic, List<Long> stops, Map<TopicPartition, Long> starts,
            Map<TopicPartition, Long> ends) {
        List<TopicRecords.Range> ranges = new ArrayList<>();
        for (int p = 0; p < stops.size(); p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            ranges.add(new TopicRecords.Range(tp, Math.max(stops.get(p), starts.get(tp)), ends.get(tp)));
        }
        return ranges;
    }

    static long total(List<PartitionTruncation> truncations) {
        return truncations.stream().mapToLong(PartitionTruncation::messagesTruncated).sum();
    }

    private static Set<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
    }

    private static ClusterLinkException partitionsDiffer(String topic, String clusterId, Mirror stopped, int found,
            int stoppedWith) {
        return new ClusterLinkException.InvalidRequest("Topic '" + topic + "' has " + found + " partitions on cluster "
                + clusterId + ", but its mirror on cluster " + stopped.clusterId() + " stopped with " + stoppedWith
                + ": it cannot be restored; nothing was changed");
    }

    /** A call to A, the cluster of the topic restored (B is read through the reverse link). */
    private static ClusterLinkException unavailable(MirrorReversal.Target target, Mirror stopped,
            KafkaCallException e) {
        if (e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
            return new ClusterLinkException.NotFound("Topic '" + target.topic() + "' is missing on cluster "
                    + target.cluster().clusterId() + ": " + e.getMessage());
        }
        return new ClusterLinkException.ClusterUnavailable("Cannot read topic '" + target.topic() + "' on cluster "
                + target.cluster().clusterId() + " to restore it as a mirror of cluster " + stopped.clusterId() + ": "
                + e.getMessage(), e);
    }
}
