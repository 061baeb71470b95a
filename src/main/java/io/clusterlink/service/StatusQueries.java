package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkError;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.store.LinkStore;

/**
 * What the status page shows: per destination cluster, its links with their state and tasks, and
 * their mirrors with state and the lags {@link LagHistory} sampled. Reads the database and memory
 * only, never a cluster, so the page answers at once while a cluster does not.
 */
@ApplicationScoped
public class StatusQueries {

    /** Everything the page shows, as this instance sees it at {@code atMs}. */
    public record View(String instanceId, long atMs, Duration sampleInterval, Duration history,
            List<ClusterEntry> clusters) {
    }

    /** A destination cluster with links; {@code name} is its name in the configuration, null if not known. */
    public record ClusterEntry(String clusterId, String name, List<LinkEntry> links) {
    }

    /** A link, its availability and tasks (errors included) and its mirrors. */
    public record LinkEntry(String name, String sourceClusterId, LinkState state, LinkError error,
            String errorMessage, List<LinkView.LinkTask> tasks, List<MirrorEntry> mirrors) {

        /** Whether the source answers: the link is {@code ACTIVE} or {@code PAUSED}. */
        public boolean available() {
            return state == LinkState.ACTIVE || state == LinkState.PAUSED;
        }
    }

    /**
     * A mirror with its shown status (link states folded in), its error and message, its latest
     * lag sample (null before the first) and its lag history, oldest first.
     */
    public record MirrorEntry(long id, String mirrorTopic, String sourceTopic, MirrorStatus status,
            MirrorTopicError error, String message, long stateTimeMs, LagHistory.Sample lags,
            List<LagHistory.Point> history) {
    }

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final LinkService links;
    private final ReplicationControl replication;
    private final LagHistory lagHistory;
    private final Fleet fleet;

    StatusQueries(LinkStore store, DestinationClusters clusters, LinkService links, ReplicationControl replication,
            LagHistory lagHistory, Fleet fleet) {
        this.store = store;
        this.clusters = clusters;
        this.links = links;
        this.replication = replication;
        this.lagHistory = lagHistory;
        this.fleet = fleet;
    }

    public View view() {
        Map<Long, List<Mirror>> mirrorsOf = new HashMap<>();
        for (Mirror m : store.listAllMirrors()) {
            mirrorsOf.computeIfAbsent(m.linkId(), id -> new ArrayList<>()).add(m);
        }
        Map<String, List<LinkEntry>> byCluster = new TreeMap<>();
        List<Link> all = new ArrayList<>(store.listAllLinks());
        all.sort(Comparator.comparing(Link::name));
        for (Link link : all) {
            List<MirrorEntry> mirrors = new ArrayList<>();
            for (Mirror m : mirrorsOf.getOrDefault(link.id(), List.of())) {
                mirrors.add(mirror(m, link));
            }
            mirrors.sort(Comparator.comparing(MirrorEntry::mirrorTopic));
            byCluster.computeIfAbsent(link.clusterId(), id -> new ArrayList<>()).add(new LinkEntry(link.name(),
                    link.sourceClusterId(), link.state(), link.error(), link.errorMessage(), links.tasks(link),
                    mirrors));
        }
        List<ClusterEntry> entries = new ArrayList<>();
        byCluster.forEach((id, ofCluster) -> entries.add(new ClusterEntry(id,
                clusters.byIdIfKnown(id).map(DestinationCluster::name).orElse(null), ofCluster)));
        return new View(fleet.instanceId(), System.currentTimeMillis(), lagHistory.interval(), lagHistory.history(),
                entries);
    }

    private MirrorEntry mirror(Mirror m, Link link) {
        String message = m.statusMessage() != null ? m.statusMessage() : replication.activity(m).orElse(null);
        return new MirrorEntry(m.id(), m.mirrorTopic(), m.sourceTopic(), MirrorLifecycle.shown(m, link.state()),
                m.error(), message, m.stateTimeMs(), lagHistory.latest(m.id()).orElse(null),
                lagHistory.points(m.id()));
    }
}
