package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
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
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/**
 * The mirror actions promote, failover, pause and resume (and the fail back ones), on named
 * mirrors or those matching a pattern. A failover of many mirrors stops them together, and every
 * stop ends the same way ({@link MirrorStops}); the fail back actions of many mirrors run several
 * at a time ({@link FailbackPool}).
 */
@ApplicationScoped
public class MirrorActions {

    private static final Logger LOG = Logger.getLogger(MirrorActions.class);

    private static final Duration HALT_TIMEOUT = Duration.ofSeconds(60);
    /** Tries to stop a mirror whose topic is deleted while the data plane changes its state. */
    private static final int DELETE_STOP_ATTEMPTS = 3;
    /** How often a reverse looks whether the promotion it waits for has finished. */
    private static final long PROMOTE_POLL_MS = 100;
    /** Names in one action request ({@code mirror_topic_names}). */
    static final int MAX_ACTION_NAMES = 1000;

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final ConsumerOffsetSync offsetSync;
    private final MirrorStops stops;
    private final MirrorLags lags;
    private final MirrorGrowth growth;
    private final MirrorReversal reversal;
    private final MirrorRestore restore;
    private final FailbackPool failbacks;

    MirrorActions(LinkStore store, DestinationClusters clusters, LinkLookup lookup, SourceTopics sourceTopics,
            DestinationTopics destinationTopics, ReplicationControl replication, ConsumerOffsetSync offsetSync,
            MirrorStops stops, MirrorLags lags, MirrorGrowth growth, MirrorReversal reversal,
            MirrorRestore restore, FailbackPool failbacks) {
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
        this.offsetSync = offsetSync;
        this.stops = stops;
        this.lags = lags;
        this.growth = growth;
        this.reversal = reversal;
        this.restore = restore;
        this.failbacks = failbacks;
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
        if (action == MirrorAction.TRUNCATE_AND_RESTORE) {
            Optional<Link> pair = pairLink(link);
            if (pair.isPresent()) {
                return restoreOnTheOldSource(link, pair.get(), mirrors, names, pattern, validateOnly);
            }
        }
        List<Target> targets = new ArrayList<>();
        if (hasPattern) {
            // Every name is matched before any mirror is changed: a pattern that turns out too
            // expensive is refused without a partial action.
            MirrorTopicPattern regex = MirrorTopicPattern.compile(pattern);
            mirrors.stream().filter(m -> regex.matches(m.mirrorTopic())).forEach(m -> targets.add(new Target(m, null)));
        } else {
            Map<String, Mirror> byName = mirrors.stream().collect(Collectors.toMap(Mirror::mirrorTopic, m -> m));
            for (String name : new LinkedHashSet<>(names)) {
                Mirror m = byName.get(name);
                targets.add(m != null ? new Target(m, null) : new Target(null, ActionResult.error(name, 404,
                        "Topic '" + name + "' is not a mirror topic of cluster link '" + linkName + "'")));
            }
        }
        if (action == MirrorAction.FAILOVER && !validateOnly) {
            return failoverAll(link, targets);
        }
        List<Supplier<ActionResult>> work = targets.stream().<Supplier<ActionResult>>map(t -> t.mirror() == null
                ? t::missing : () -> apply(link, t.mirror(), action, validateOnly)).toList();
        return run(action, validateOnly, work);
    }

    /** Runs an action's work per mirror: a fail back action's several at a time, others one after the other. */
    private List<ActionResult> run(MirrorAction action, boolean validateOnly, List<Supplier<ActionResult>> work) {
        return action.reverses() && !validateOnly ? failbacks.runAll(work) : work.stream().map(Supplier::get).toList();
    }

    /** A topic an action names: its mirror, or (none) the result that says so. */
    private record Target(Mirror mirror, ActionResult missing) {
    }

    /**
     * A failover of many mirrors: those that may be failed over are stopped together
     * ({@link MirrorStops}), not one after the other; one result per target, in order.
     */
    private List<ActionResult> failoverAll(Link link, List<Target> targets) {
        List<Mirror> allowed = new ArrayList<>();
        Map<Long, ActionResult> refused = new HashMap<>();
        for (Target t : targets) {
            if (t.mirror() == null) {
                continue;
            }
            try {
                MirrorLifecycle.check(MirrorAction.FAILOVER, t.mirror(), link.state());
                allowed.add(t.mirror());
            } catch (ClusterLinkException e) {
                refused.put(t.mirror().id(), ActionResult.error(t.mirror().mirrorTopic(), e.status(), e.getMessage()));
            }
        }
        Map<Long, MirrorStops.Stop> stopped = stops.failover(link, allowed, "failover requested");
        List<ActionResult> results = new ArrayList<>();
        for (Target t : targets) {
            Mirror m = t.mirror();
            if (m == null) {
                results.add(t.missing());
            } else if (refused.containsKey(m.id())) {
                results.add(refused.get(m.id()));
            } else {
                MirrorStops.Stop stop = stopped.get(m.id());
                results.add(stop.error() != null
                        ? ActionResult.error(m.mirrorTopic(), stop.error().status(), stop.error().getMessage())
                        : ActionResult.ok(m.mirrorTopic(), lags.of(stop.stopped())));
            }
        }
        return results;
    }

    /**
     * The link of the same name on this link's source cluster whose source is this link's cluster,
     * when the source is a destination cluster of the service too: the link this one reverses.
     */
    private Optional<Link> pairLink(Link link) {
        return clusters.byIdIfKnown(link.sourceClusterId())
                .flatMap(source -> store.findLink(source.clusterId(), link.name()))
                .filter(pair -> link.clusterId().equals(pair.sourceClusterId()));
    }

    /**
     * Truncate-and-restore asked where Confluent's clients ask it: on the old source (A), naming A's
     * own topics, on A's link of the pair. A named topic that is no mirror of this link is restored
     * from the stopped mirror of it on the pair link on B, exactly as when asked on B; a topic that is
     * a mirror of this link is acted on as itself (and refused unless stopped). A pattern matches A's
     * topics of the pair's mirrors and this link's mirrors.
     */
    private List<ActionResult> restoreOnTheOldSource(Link link, Link pair, List<Mirror> mirrors, List<String> names,
            String pattern, boolean validateOnly) {
        Map<String, Mirror> own = mirrors.stream().collect(Collectors.toMap(Mirror::mirrorTopic, m -> m));
        Map<String, Mirror> onB = new LinkedHashMap<>();
        for (Mirror m : store.listMirrors(pair)) {
            if (!own.containsKey(m.sourceTopic())) {
                onB.put(m.sourceTopic(), m);
            }
        }
        List<String> requested;
        if (names != null && !names.isEmpty()) {
            requested = List.copyOf(new LinkedHashSet<>(names));
        } else {
            MirrorTopicPattern regex = MirrorTopicPattern.compile(pattern);
            requested = Stream.concat(own.keySet().stream(), onB.keySet().stream())
                    .filter(regex::matches).toList();
        }
        List<Supplier<ActionResult>> work = new ArrayList<>();
        for (String name : requested) {
            if (own.containsKey(name)) {
                work.add(() -> apply(link, own.get(name), MirrorAction.TRUNCATE_AND_RESTORE, validateOnly));
            } else if (onB.containsKey(name)) {
                work.add(() -> apply(pair, onB.get(name), MirrorAction.TRUNCATE_AND_RESTORE, validateOnly)
                        .withTopic(name));
            } else {
                ActionResult missing = ActionResult.error(name, 404, "Topic '" + name + "' is neither a mirror topic "
                        + "of cluster link '" + link.name() + "' nor the source of a mirror topic of cluster link '"
                        + pair.name() + "' on cluster " + pair.clusterId());
                work.add(() -> missing);
            }
        }
        return run(MirrorAction.TRUNCATE_AND_RESTORE, validateOnly, work);
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
                case REVERSE_AND_START, REVERSE_AND_PAUSE -> reverse(link, m, action, validateOnly);
                case TRUNCATE_AND_RESTORE -> restore(link, m, validateOnly);
            };
        } catch (ClusterLinkException e) {
            return ActionResult.error(m.mirrorTopic(), e.status(), e.getMessage());
        }
    }

    private ActionResult promote(Link link, Mirror requested, boolean validateOnly) {
        Mirror m = withSourcePartitions(link, requested, validateOnly);
        List<Long> stopOffsets = sourceEndOffsets(link, m);
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), lags.of(m));
        }
        Mirror updated = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.PROMOTE), null,
                "promote requested", stopOffsets, StopMode.PROMOTE).orElseThrow(() -> changed(m));
        LOG.infof("Promoting mirror topic '%s': catching up to source end offsets %s", m.mirrorTopic(), stopOffsets);
        replication.wake();
        return ActionResult.ok(updated.mirrorTopic(), lags.of(updated));
    }

    /**
     * Reverses a mirror ({@link MirrorReversal}): one that still mirrors is promoted first, and the
     * reverse waits (up to {@link #HALT_TIMEOUT}) until the promotion is finished. The reverse link,
     * and that both topics can be read, are checked before the promotion, so that a reverse that
     * cannot be done leaves the mirror as it is; the source topic's end offsets can only be checked
     * against the stop offsets once it is stopped.
     */
    private ActionResult reverse(Link link, Mirror requested, MirrorAction action, boolean validateOnly) {
        MirrorReversal.Target target = reversal.target(link, requested);
        Mirror m = requested;
        if (MirrorLifecycle.promotedBeforeReverse(m)) {
            reversal.checkReadable(target, m);
            if (validateOnly) {
                sourceEndOffsets(link, withSourcePartitions(link, m, true));
                return ActionResult.ok(m.mirrorTopic(), lags.of(m));
            }
            promote(link, m, false);
            m = awaitPromoted(m);
        }
        MirrorReversal.Checked checked = reversal.check(target, m);
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), lags.of(m));
        }
        Mirror reversed = reversal.reverse(checked, action);
        replication.wake();
        return ActionResult.ok(m.mirrorTopic(), lags.of(reversed));
    }

    /**
     * Truncate-and-restore of a stopped mirror ({@link MirrorRestore}): checked and counted first;
     * with {@code validateOnly} only that. The answer carries the mirror's lags (the restored mirror's
     * on the other cluster once done) and what was set aside per partition.
     */
    private ActionResult restore(Link link, Mirror m, boolean validateOnly) {
        MirrorRestore.Plan plan = restore.plan(link, m);
        if (validateOnly) {
            return ActionResult.restored(m.mirrorTopic(), lags.of(m), plan.truncations());
        }
        MirrorRestore.Restored restored = restore.restore(link, m, plan);
        replication.wake();
        return ActionResult.restored(m.mirrorTopic(), lags.of(restored.mirror()), restored.truncations());
    }

    /** The mirror once its promotion is finished ({@code STOPPED}), waiting at most {@link #HALT_TIMEOUT}. */
    private Mirror awaitPromoted(Mirror m) {
        long deadline = System.nanoTime() + HALT_TIMEOUT.toNanos();
        while (true) {
            Mirror current = store.findMirror(m.id()).orElseThrow(() -> changed(m));
            if (MirrorLifecycle.isStopped(current)) {
                return current;
            }
            if (!MirrorLifecycle.promoting(current)) {
                throw new ClusterLinkException.Conflict("Mirror topic '" + m.mirrorTopic() + "' is " + current.status()
                        + " instead of promoted: it was not reversed");
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterLinkException.Conflict("Mirror topic '" + m.mirrorTopic() + "' is still being "
                        + "promoted after " + HALT_TIMEOUT.toSeconds() + " s: reverse it again once it is STOPPED");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(PROMOTE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterLinkException.Conflict("Interrupted while mirror topic '" + m.mirrorTopic()
                        + "' is being promoted: reverse it again once it is STOPPED");
            }
        }
    }

    /**
     * The mirror with all its source's partitions: partitions the source got since the last config
     * sync are added before the stop offsets are taken, so a promote copies them too. A source that
     * was re-created or lost partitions cannot be caught up with.
     */
    private Mirror withSourcePartitions(Link link, Mirror m, boolean validateOnly) {
        SourceTopics.Description source;
        try {
            source = sourceTopics.describe(link, m.sourceTopic());
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.SourceUnavailable("Cannot read source topic '" + m.sourceTopic()
                    + "' to promote its mirror: " + e.getMessage()
                    + ". Use failover to stop the mirror without catching up", e);
        }
        if (m.sourceTopicId() != null && !m.sourceTopicId().equals(source.topicId())) {
            throw new ClusterLinkException.InvalidRequest("Source topic '" + m.sourceTopic() + "' was deleted and "
                    + "re-created (its topic id is now " + source.topicId() + "): the mirror cannot catch up with it; "
                    + "use failover");
        }
        if (source.partitions() < m.partitions()) {
            throw new ClusterLinkException.InvalidRequest("Source topic '" + m.sourceTopic() + "' has "
                    + source.partitions() + " partitions, fewer than its mirror's " + m.partitions()
                    + ": the mirror cannot catch up with it; use failover");
        }
        if (source.partitions() > m.partitions() && !validateOnly) {
            return growth.grow(m, source.partitions()).orElseThrow(() -> changed(m));
        }
        return m;
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
            return ActionResult.ok(m.mirrorTopic(), lags.of(m));
        }
        Mirror stopped = stops.failover(link, m, "failover requested");
        return ActionResult.ok(stopped.mirrorTopic(), lags.of(stopped));
    }

    /**
     * Fails the live mirrors of a link over for a forced delete of the link: all of them together
     * ({@link MirrorStops}, as a failover by pattern), not one after the other; a mirror that one
     * stop could not take (the data plane moved it meanwhile, another request stopped it) is stopped
     * again on its own.
     *
     * @throws ClusterLinkException when one of them may not or could not be failed over
     */
    void failoverAllForDelete(Link link, List<Mirror> live) {
        String reason = "link deleted with force=true";
        live.forEach(m -> MirrorLifecycle.check(MirrorAction.FAILOVER, m, link.state()));
        Map<Long, MirrorStops.Stop> stopped = stops.failover(link, live, reason);
        for (Mirror m : live) {
            if (stopped.get(m.id()).error() != null) {
                store.findMirror(m.id()).ifPresent(current -> stopForDelete(link, current, reason));
            }
        }
    }

    /**
     * Removes a mirror in any state, for a DELETE of its topic: a mirror that is not stopped is
     * failed over first, on the stop path a failover and a forced link delete take (its copy halted
     * on every instance, so that no write of it can land after the topic is deleted; read-only
     * lifted), then its row is deleted. Deleting the topic is the caller's.
     */
    void deleteMirror(Link link, Mirror m) {
        if (stopForDelete(link, m, "mirror topic deleted")) {
            store.deleteMirror(m.id(), "mirror topic deleted");
        }
        stops.forget(m.id());
    }

    /**
     * Stops a mirror that is being deleted, retrying when the data plane moved it meanwhile (e.g. its
     * alignment finished) instead of failing the delete with a conflict. False if it is gone already.
     */
    private boolean stopForDelete(Link link, Mirror m, String reason) {
        Mirror current = m;
        for (int attempt = 1; MirrorLifecycle.live(current.status()); attempt++) {
            try {
                stops.failover(link, current, reason);
                return true;
            } catch (ClusterLinkException.Conflict e) {
                if (attempt == DELETE_STOP_ATTEMPTS) {
                    throw e;
                }
                current = store.findMirror(m.id()).orElse(null);
                if (current == null) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Finishes a failover that was requested but did not finish (the service stopped, a halt timed
     * out), unless a request is stopping the mirror right now.
     */
    void resumeFailover(long mirrorId) {
        stops.resumeFailover(mirrorId);
    }

    private ActionResult pause(Mirror m, boolean validateOnly) {
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), lags.of(m));
        }
        Mirror paused = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.PAUSE), null, "pause requested",
                null, null).orElseThrow(() -> changed(m));
        if (!replication.halt(m, HALT_TIMEOUT)) {
            LOG.warnf("Mirror topic '%s' did not stop writing within %s after pause", m.mirrorTopic(), HALT_TIMEOUT);
        }
        return ActionResult.ok(paused.mirrorTopic(), lags.of(paused));
    }

    private ActionResult resume(Mirror m, boolean validateOnly) {
        if (validateOnly) {
            return ActionResult.ok(m.mirrorTopic(), lags.of(m));
        }
        Mirror resumed = store.transition(m.id(), MirrorLifecycle.move(MirrorAction.RESUME), null,
                "resume requested", null, null).orElseThrow(() -> changed(m));
        replication.wake();
        return ActionResult.ok(resumed.mirrorTopic(), lags.of(resumed));
    }

    /**
     * A promoted mirror reached its stop offsets and its writers are halted: finish the promotion.
     * First the mirror is checked against the source: a partition that ends below its stop offset
     * may only lack offsets the source has no record at (transaction markers, aborted records);
     * those are filled with trailing fillers, so that the promoted topic ends exactly at the stop
     * offsets and the source's next offsets are the topic's next ones. A mirror that lacks records
     * is not stopped: copying goes on and the promotion is finished later.
     *
     * @throws ClusterLinkException when it cannot be finished now
     */
    void completePromotion(long mirrorId) {
        Mirror m = store.findMirror(mirrorId).filter(MirrorLifecycle::promoting).orElse(null);
        if (m == null) {
            return;
        }
        Link link = store.findLink(m.linkId()).orElseThrow();
        DestinationCluster cluster = lookup.known(m.clusterId());
        try {
            Set<TopicPartition> tps = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.mirrorTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = destinationTopics.endOffsets(cluster, tps);
            for (int p = 0; p < m.partitions(); p++) {
                TopicPartition tp = new TopicPartition(m.mirrorTopic(), p);
                long end = ends.get(tp);
                long stop = m.stopOffsets().get(p);
                if (end > stop) {
                    throw new ClusterLinkException.Conflict("Partition " + p + " of mirror topic '" + m.mirrorTopic()
                            + "' ends at offset " + end + ", beyond its stop offset " + stop);
                }
                if (end < stop) {
                    OptionalLong missing = sourceTopics.firstRecord(link,
                            new TopicPartition(m.sourceTopic(), p), end, stop);
                    if (missing.isPresent()) {
                        throw new ClusterLinkException.Conflict("Partition " + p + " of mirror topic '"
                                + m.mirrorTopic() + "' ends at offset " + end
                                + " but the source has a record at offset "
                                + missing.getAsLong() + ", below the stop offset " + stop + ": not stopped yet");
                    }
                    destinationTopics.pad(cluster, tp, end, stop);
                }
            }
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.ClusterUnavailable("Cannot check mirror topic '" + m.mirrorTopic()
                    + "' against its source before stopping it: " + e.getMessage(), e);
        }
        offsetSync.whileStopping(link, () -> {
            offsetSync.finalSync(link, m);
            return stops.finishStop(link, m, m.stopOffsets(), "promoted");
        });
    }

    private static ClusterLinkException changed(Mirror m) {
        return new ClusterLinkException.Conflict(
                "Mirror topic '" + m.mirrorTopic() + "' changed state concurrently; retry");
    }
}
