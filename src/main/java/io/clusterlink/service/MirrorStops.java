package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.store.LinkStore;

/**
 * Stopping mirrors: the failover of one mirror or of many of a link at once, a failover left
 * unfinished, and the end of every stop (the source's timestamp configs restored, read-only
 * lifted, {@code STOPPED} with the stop offsets).
 * <p>
 * A failover of many mirrors (by a pattern, say) stops them together, not one after the other:
 * each is recorded {@code PENDING_STOPPED} first, then their copies are halted in one go (the copy
 * threads let go of all of them in one step, and one wait covers the writes in flight of all), and
 * every remote call after that is one request for all of them: their end offsets, the consumer
 * offsets clamped, the source's configs read (a source that does not answer costs its bound once,
 * not once per mirror), the configs restored, the read-only bindings deleted. What fails for one
 * mirror fails only that one: it stays {@code PENDING_STOPPED} with the error in its result, as a
 * failover of it alone would.
 */
@ApplicationScoped
public class MirrorStops {

    private static final Logger LOG = Logger.getLogger(MirrorStops.class);

    private static final Duration HALT_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on reading the source's timestamp type while a mirror stops: the source may be down. */
    private static final Duration STOP_SOURCE_TIMEOUT = Duration.ofSeconds(5);

    /** A mirror's stop: the stopped mirror, or why it was not stopped. */
    public record Stop(Mirror stopped, ClusterLinkException error) {
        static Stop of(Mirror stopped) {
            return new Stop(stopped, null);
        }

        static Stop failed(ClusterLinkException error) {
            return new Stop(null, error);
        }

        /** The stopped mirror; throws the error when it was not stopped. */
        public Mirror get() {
            if (error != null) {
                throw error;
            }
            return stopped;
        }
    }

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final ConsumerOffsetSync offsetSync;
    private final ReadOnlyMirrors readOnly;
    /** One stop at a time per mirror: a failover request and the sweep that finishes left-over ones. */
    private final Map<Long, ReentrantLock> stops = new ConcurrentHashMap<>();

    MirrorStops(LinkStore store, DestinationClusters clusters, LinkLookup lookup, SourceTopics sourceTopics,
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

    /**
     * Fails a mirror over: no more writes, it stops where it ends.
     *
     * @throws ClusterLinkException when it was not stopped (it may stay {@code PENDING_STOPPED})
     */
    Mirror failover(Link link, Mirror m, String reason) {
        return failover(link, List.of(m), reason).get(m.id()).get();
    }

    /**
     * Fails mirrors of one link over together (see the class comment); each mirror's stop by its
     * id. A mirror being stopped by another request meanwhile is waited for up to
     * {@link #HALT_TIMEOUT} in all.
     */
    Map<Long, Stop> failover(Link link, List<Mirror> mirrors, String reason) {
        Map<Long, Stop> result = new HashMap<>();
        List<ReentrantLock> held = new ArrayList<>();
        long deadline = System.nanoTime() + HALT_TIMEOUT.toNanos();
        try {
            List<Mirror> locked = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            // Locked in the order of their ids, so two requests for overlapping mirrors never wait for each other.
            for (Mirror m : mirrors.stream().sorted(Comparator.comparingLong(Mirror::id)).toList()) {
                if (!seen.add(m.id())) {
                    continue;
                }
                ReentrantLock lock = stops.computeIfAbsent(m.id(), id -> new ReentrantLock());
                if (!lock(lock, deadline)) {
                    result.put(m.id(), Stop.failed(new ClusterLinkException.Conflict("Mirror topic '"
                            + m.mirrorTopic() + "' is being stopped by another request; retry")));
                    continue;
                }
                held.add(lock);
                locked.add(m);
            }
            // A promote in progress becomes a failover: the mirror stops where it is.
            Map<Long, Mirror> started = inOneTransaction(locked, result,
                    ids -> store.startFailovers(ids.keySet(), reason));
            List<Mirror> moved = new ArrayList<>();
            for (Mirror m : locked) {
                if (started.containsKey(m.id())) {
                    moved.add(started.get(m.id()));
                } else {
                    result.putIfAbsent(m.id(), Stop.failed(changed(m)));
                }
            }
            result.putAll(finishFailovers(link, moved, reason));
            return result;
        } finally {
            held.forEach(ReentrantLock::unlock);
        }
    }

    /**
     * Finishes a failover that was requested but did not finish (the service stopped, a halt timed
     * out), unless a request is stopping the mirror right now.
     */
    void resumeFailover(long mirrorId) {
        ReentrantLock lock = stops.computeIfAbsent(mirrorId, id -> new ReentrantLock());
        if (!lock.tryLock()) {
            return;
        }
        try {
            Mirror m = store.findMirror(mirrorId).filter(MirrorLifecycle::failingOver).orElse(null);
            if (m == null) {
                return;
            }
            Link link = store.findLink(m.linkId()).orElseThrow();
            LOG.infof("Finishing the failover of mirror topic '%s', which was requested earlier", m.mirrorTopic());
            finishFailovers(link, List.of(m), "failover finished after an interruption").get(m.id()).get();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets what is kept for a deleted mirror. */
    void forget(long mirrorId) {
        stops.remove(mirrorId);
    }

    /**
     * Failovers: no more writes, each mirror stops where it ends. A mirror stopped while it was
     * still aligning holds nothing but fillers: they are deleted, so the topic starts out empty.
     */
    private Map<Long, Stop> finishFailovers(Link link, List<Mirror> mirrors, String reason) {
        Map<Long, Stop> result = new HashMap<>();
        if (mirrors.isEmpty()) {
            return result;
        }
        Set<Long> halted = replication.halt(mirrors, HALT_TIMEOUT);
        List<Mirror> quiet = new ArrayList<>();
        for (Mirror m : mirrors) {
            if (halted.contains(m.id())) {
                quiet.add(m);
            } else {
                result.put(m.id(), Stop.failed(new ClusterLinkException.ClusterUnavailable("Mirror topic '"
                        + m.mirrorTopic() + "' did not stop within " + HALT_TIMEOUT.toSeconds()
                        + " s; it stays PENDING_STOPPED", null)));
            }
        }
        Map<Mirror, List<Long>> stopOffsets = new LinkedHashMap<>();
        for (Map.Entry<String, List<Mirror>> ofCluster : byCluster(quiet).entrySet()) {
            List<Mirror> ms = ofCluster.getValue();
            DestinationCluster cluster;
            try {
                cluster = lookup.known(ofCluster.getKey());
            } catch (ClusterLinkException e) {
                ms.forEach(m -> result.put(m.id(), Stop.failed(e)));
                continue;
            }
            Set<TopicPartition> tps = new HashSet<>();
            ms.forEach(m -> tps.addAll(partitions(m)));
            Map<TopicPartition, Long> ends;
            Map<TopicPartition, Long> starts;
            try {
                var endsAsked = destinationTopics.endOffsetsOf(cluster, tps);
                var startsAsked = destinationTopics.startOffsetsOf(cluster, tps);
                ends = endsAsked.await();
                starts = startsAsked.await();
            } catch (KafkaCallException e) {
                ms.forEach(m -> result.put(m.id(), Stop.failed(new ClusterLinkException.ClusterUnavailable(
                        "Cannot read the end offsets of mirror topic '" + m.mirrorTopic() + "': " + e.getMessage(),
                        e))));
                continue;
            }
            for (Mirror m : ms) {
                try {
                    List<TopicPartition> mtps = partitions(m);
                    for (int p = 0; p < m.partitions(); p++) {
                        TopicPartition tp = mtps.get(p);
                        if (ends.get(tp) < m.startOffsets().get(p) && starts.get(tp) < ends.get(tp)) {
                            destinationTopics.deleteBefore(cluster, tp, ends.get(tp));
                        }
                    }
                    stopOffsets.put(m, mtps.stream().map(ends::get).toList());
                } catch (KafkaCallException e) {
                    result.put(m.id(), Stop.failed(new ClusterLinkException.ClusterUnavailable(
                            "Cannot delete the fillers of mirror topic '" + m.mirrorTopic() + "': " + e.getMessage(),
                            e)));
                }
            }
        }
        result.putAll(offsetSync.whileStopping(link, () -> {
            offsetSync.clampToMirrorEnds(link, stopOffsets);
            return finishStops(link, stopOffsets, reason);
        }));
        return result;
    }

    /**
     * Makes a stopped mirror an ordinary topic: gives back the source's timestamp settings, lifts
     * read-only, then records {@code STOPPED} with its stop offsets. If either change fails the
     * mirror stays {@code PENDING_STOPPED}, and the stop can be retried.
     *
     * @throws ClusterLinkException when it was not stopped
     */
    Mirror finishStop(Link link, Mirror m, List<Long> stopOffsets, String reason) {
        return finishStops(link, Map.of(m, stopOffsets), reason).get(m.id()).get();
    }

    /** {@link #finishStop} for many mirrors of a link, each remote step one request for all of them. */
    private Map<Long, Stop> finishStops(Link link, Map<Mirror, List<Long>> stopOffsets, String reason) {
        Map<Long, Stop> result = new HashMap<>();
        if (stopOffsets.isEmpty()) {
            return result;
        }
        Map<Long, Map<String, String>> remembered = sourceConfigs(link, stopOffsets.keySet());
        for (Map.Entry<String, List<Mirror>> ofCluster : byCluster(stopOffsets.keySet()).entrySet()) {
            List<Mirror> ms = ofCluster.getValue();
            List<Mirror> restored = new ArrayList<>();
            Map<String, ClusterLinkException> notLifted;
            try {
                DestinationCluster cluster = lookup.known(ofCluster.getKey());
                boolean timestampBounds = clusters.limits(cluster).timestampBounds();
                Map<String, List<AlterConfigOp>> configs = new LinkedHashMap<>();
                ms.forEach(m -> configs.put(m.mirrorTopic(),
                        TopicConfigPolicy.restore(remembered.get(m.id()), timestampBounds)));
                Map<String, KafkaCallException> notRestored = destinationTopics.alterConfigs(cluster, configs);
                for (Mirror m : ms) {
                    KafkaCallException e = notRestored.get(m.mirrorTopic());
                    if (e == null) {
                        restored.add(m);
                    } else {
                        result.put(m.id(), Stop.failed(new ClusterLinkException.ClusterUnavailable(
                                "Cannot restore the configs of mirror topic '" + m.mirrorTopic() + "': "
                                        + e.getMessage(),
                                e)));
                    }
                }
                notLifted = readOnly.lift(cluster, restored.stream().map(Mirror::mirrorTopic).toList());
            } catch (ClusterLinkException | KafkaCallException e) {
                ClusterLinkException error = e instanceof ClusterLinkException c ? c
                        : new ClusterLinkException.ClusterUnavailable("Cannot stop mirror topics of cluster "
                                + ofCluster.getKey() + ": " + e.getMessage(), e);
                ms.stream().filter(m -> !result.containsKey(m.id()))
                        .forEach(m -> result.put(m.id(), Stop.failed(error)));
                continue;
            }
            List<Mirror> lifted = new ArrayList<>();
            for (Mirror m : restored) {
                ClusterLinkException stillReadOnly = notLifted.get(m.mirrorTopic());
                if (stillReadOnly != null) {
                    result.put(m.id(), Stop.failed(stillReadOnly));
                } else {
                    lifted.add(m);
                }
            }
            Map<Long, Mirror> stopped = inOneTransaction(lifted, result, ids -> {
                Map<Long, List<Long>> offsets = new LinkedHashMap<>();
                ids.values().forEach(m -> offsets.put(m.id(), stopOffsets.get(m)));
                return store.finishStops(offsets, reason);
            });
            for (Mirror m : lifted) {
                Mirror done = stopped.get(m.id());
                if (done == null) {
                    result.putIfAbsent(m.id(), Stop.failed(changed(m)));
                    continue;
                }
                LOG.infof("Mirror topic '%s' is STOPPED at offsets %s (%s)", m.mirrorTopic(), stopOffsets.get(m),
                        reason);
                result.put(m.id(), Stop.of(done));
            }
        }
        return result;
    }

    /**
     * The source's values of the configs each mirror owned while mirroring, by mirror id: read from
     * the source in one request when it answers quickly, else as remembered since the last config
     * sync.
     */
    private Map<Long, Map<String, String>> sourceConfigs(Link link, Set<Mirror> mirrors) {
        Duration quick = sourceTopics.timeout().compareTo(STOP_SOURCE_TIMEOUT) < 0 ? sourceTopics.timeout()
                : STOP_SOURCE_TIMEOUT;
        Map<String, Config> read;
        String unread;
        try {
            read = sourceTopics.configs(link, mirrors.stream().map(Mirror::sourceTopic).collect(Collectors.toSet()),
                    quick);
            unread = "not found";
        } catch (KafkaCallException e) {
            read = Map.of();
            unread = e.getMessage();
        }
        Map<Long, Map<String, String>> result = new HashMap<>();
        for (Mirror m : mirrors) {
            Config config = read.get(m.sourceTopic());
            if (config != null) {
                result.put(m.id(), TopicConfigPolicy.remembered(config));
                continue;
            }
            var stored = store.sourceConfigs(m.id());
            LOG.infof("Source of '%s' not readable while stopping (%s): its configs are set back to %s",
                    m.mirrorTopic(), unread, stored.map(Object::toString)
                            .orElse("the destination defaults (the source's values were never read)"));
            result.put(m.id(), stored.orElse(Map.of()));
        }
        return result;
    }

    /**
     * Runs a state change of many mirrors in one transaction (one commit, not one per mirror); if
     * another transaction changed one of them meanwhile, which fails the whole, each mirror is
     * changed in its own, and one that fails gets its error in {@code result}.
     */
    private static Map<Long, Mirror> inOneTransaction(List<Mirror> mirrors, Map<Long, Stop> result,
            Function<Map<Long, Mirror>, Map<Long, Mirror>> change) {
        Map<Long, Mirror> byId = new LinkedHashMap<>();
        mirrors.forEach(m -> byId.put(m.id(), m));
        if (byId.isEmpty()) {
            return Map.of();
        }
        try {
            return change.apply(byId);
        } catch (ClusterLinkException.Conflict e) {
            Map<Long, Mirror> changed = new HashMap<>();
            for (Mirror m : mirrors) {
                try {
                    changed.putAll(change.apply(Map.of(m.id(), m)));
                } catch (ClusterLinkException single) {
                    result.put(m.id(), Stop.failed(single));
                }
            }
            return changed;
        }
    }

    private static Map<String, List<Mirror>> byCluster(Iterable<Mirror> mirrors) {
        Map<String, List<Mirror>> byCluster = new LinkedHashMap<>();
        mirrors.forEach(m -> byCluster.computeIfAbsent(m.clusterId(), c -> new ArrayList<>()).add(m));
        return byCluster;
    }

    private static List<TopicPartition> partitions(Mirror m) {
        return IntStream.range(0, m.partitions()).mapToObj(p -> new TopicPartition(m.mirrorTopic(), p)).toList();
    }

    private static boolean lock(ReentrantLock lock, long deadline) {
        try {
            return lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ClusterLinkException changed(Mirror m) {
        return new ClusterLinkException.Conflict(
                "Mirror topic '" + m.mirrorTopic() + "' changed state concurrently; retry");
    }
}
