package io.clusterlink.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorView;
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
        DestinationCluster cluster = clusters.byId(clusterId);
        MirrorStatus filter = parseStatus(statusFilter);
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
            if (filter == null || view.shownStatus() == filter) {
                result.add(view);
            }
        }
        return result;
    }

    public MirrorView get(String clusterId, String linkName, String mirrorTopic) {
        DestinationCluster cluster = clusters.byId(clusterId);
        Link link = lookup.link(cluster, linkName);
        TopicNames.checkTopic("mirror_topic_name", mirrorTopic);
        Mirror m = store.findMirror(cluster.clusterId(), mirrorTopic).filter(x -> x.linkId() == link.id())
                .orElseThrow(() -> new ClusterLinkException.NotFound(
                        "Mirror topic '" + mirrorTopic + "' not found on cluster link '" + linkName + "'"));
        return view(m, link);
    }

    private MirrorView view(Mirror m, Link link) {
        String message = m.statusMessage() != null ? m.statusMessage() : replication.activity(m).orElse(null);
        return new MirrorView(m, MirrorLifecycle.shown(m, link == null ? null : link.state()), lags.of(m), message);
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
}
