package io.clusterlink.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorView;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/** Mirror topics as the API shows them: their shown status (link states folded in) and live lags. */
@ApplicationScoped
public class MirrorQueries {

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkLookup lookup;
    private final ReplicationControl replication;
    private final MirrorLags lags;

    MirrorQueries(LinkStore store, DestinationClusters clusters, LinkLookup lookup, ReplicationControl replication,
            MirrorLags lags) {
        this.store = store;
        this.clusters = clusters;
        this.lookup = lookup;
        this.replication = replication;
        this.lags = lags;
    }

    public List<MirrorView> list(String clusterId, String linkName, String statusFilter) {
        return list(clusterId, linkName, statusFilter, UnaryOperator.identity());
    }

    /**
     * The mirrors of a link (of every link when {@code linkName} is null) whose state as the client
     * is shown it ({@code shownToClient} of the state) passes {@code statusFilter}.
     */
    public List<MirrorView> list(String clusterId, String linkName, String statusFilter,
            UnaryOperator<MirrorStatus> shownToClient) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Predicate<MirrorStatus> filter = parseStatus(statusFilter);
        List<Mirror> found;
        Map<Long, Link> links = new HashMap<>();
        if (linkName == null) {
            found = store.listMirrorsOfCluster(cluster.clusterId());
        } else {
            Link link = lookup.link(cluster, linkName);
            links.put(link.id(), link);
            found = store.listMirrors(link);
        }
        List<MirrorView> result = new ArrayList<>();
        for (Mirror m : found) {
            Link link = links.computeIfAbsent(m.linkId(), id -> store.findLink(id).orElse(null));
            MirrorView view = view(m, link);
            if (filter.test(shownToClient.apply(view.shownStatus()))) {
                result.add(view);
            }
        }
        return result;
    }

    public MirrorView get(String clusterId, String linkName, String mirrorTopic) {
        return get(clusterId, linkName, mirrorTopic, false);
    }

    /** The mirror, with the errors its state transitions recorded when {@code withTransitionErrors}. */
    public MirrorView get(String clusterId, String linkName, String mirrorTopic, boolean withTransitionErrors) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = lookup.link(cluster, linkName);
        TopicNames.checkTopic("mirror_topic_name", mirrorTopic);
        Mirror m = store.findMirror(cluster.clusterId(), mirrorTopic).filter(x -> x.linkId() == link.id())
                .orElseThrow(() -> new ClusterLinkException.NotFound(
                        "Mirror topic '" + mirrorTopic + "' not found on cluster link '" + linkName + "'"));
        MirrorView view = view(m, link);
        if (!withTransitionErrors) {
            return view;
        }
        return new MirrorView(view.mirror(), view.shownStatus(), view.lags(), view.statusMessage(),
                store.transitionErrors(m.id()));
    }

    private MirrorView view(Mirror m, Link link) {
        List<PartitionLag> partitionLags = lags.of(m);
        String message = m.statusMessage();
        if (message == null) {
            List<String> notes = new ArrayList<>();
            progress(m, partitionLags).ifPresent(notes::add);
            replication.activity(m).ifPresent(notes::add);
            message = notes.isEmpty() ? null : String.join("; ", notes);
        }
        return new MirrorView(m, MirrorLifecycle.shown(m, link == null ? null : link.state()), partitionLags, message,
                null);
    }

    /**
     * How far long work on the mirror has come, summed over its partitions (each one's share is in
     * its lags): the offsets an alignment filled of its targets, the records a promote still has to
     * copy up to its stop offsets.
     */
    static Optional<String> progress(Mirror m, List<PartitionLag> lags) {
        if (MirrorLifecycle.aligning(m)) {
            long filled = 0;
            long target = 0;
            int partitions = 0;
            for (PartitionLag lag : lags) {
                if (lag.isAligning()) {
                    filled += lag.alignmentFilledOffsets();
                    target += lag.alignmentTargetOffset();
                    partitions++;
                }
            }
            if (partitions > 0) {
                return Optional.of("Aligning offsets: " + filled + " of " + target + " offsets filled ("
                        + filled * 100 / Math.max(1, target) + "%) in " + partitions + " partition(s)");
            }
        } else if (MirrorLifecycle.promoting(m)) {
            long left = 0;
            for (PartitionLag lag : lags) {
                if (lag.lag() < 0) {
                    return Optional.of("Promoting: copying up to the stop offsets");
                }
                left += lag.lag();
            }
            return Optional.of(left == 0 ? "Promoting: the stop offsets are reached; finishing"
                    : "Promoting: " + left + " record(s) left to copy up to the stop offsets");
        }
        return Optional.empty();
    }

    /**
     * States of Confluent's {@code MirrorTopicStatus} that no mirror here is ever in (Cluster Linking's
     * states of synchronising and of restoring): a filter on one of them is valid and finds nothing, as a
     * client written against Confluent's list of states expects.
     */
    private static final List<String> CONFLUENT_ONLY_STATES = List.of("PENDING_RESTORE",
            "PENDING_SETUP_FOR_RESTORE", "PENDING_SYNCHRONIZE");

    /** The {@code mirror_status} filter: everything when none is given, nothing for a Confluent-only state. */
    private static Predicate<MirrorStatus> parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return s -> true;
        }
        String name = status.trim().toUpperCase(Locale.ROOT);
        if (CONFLUENT_ONLY_STATES.contains(name)) {
            return s -> false;
        }
        try {
            MirrorStatus wanted = MirrorStatus.valueOf(name);
            return s -> s == wanted;
        } catch (IllegalArgumentException e) {
            List<String> known = new ArrayList<>(Arrays.stream(MirrorStatus.values()).map(Enum::name).toList());
            known.addAll(CONFLUENT_ONLY_STATES);
            throw new ClusterLinkException.InvalidRequest("Unknown mirror_status '" + TopicNames.printable(status)
                    + "': use one of " + known);
        }
    }
}
