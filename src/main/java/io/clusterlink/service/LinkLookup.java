package io.clusterlink.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/** Finds what a request or a stored mirror names: a link of a cluster, the cluster of a mirror. */
@ApplicationScoped
class LinkLookup {

    private final LinkStore store;
    private final DestinationClusters clusters;

    LinkLookup(LinkStore store, DestinationClusters clusters) {
        this.store = store;
        this.clusters = clusters;
    }

    /** The link of that name on that cluster; not found otherwise. */
    Link link(DestinationCluster cluster, String linkName) {
        TopicNames.checkLink(linkName);
        return store.findLink(cluster.clusterId(), linkName).orElseThrow(
                () -> new ClusterLinkException.NotFound("Cluster link '" + linkName + "' not found"));
    }

    /** The destination cluster with this id, which must have answered since the service started. */
    DestinationCluster known(String clusterId) {
        return clusters.byIdIfKnown(clusterId).orElseThrow(
                () -> new ClusterLinkException.ClusterUnavailable("Destination cluster is not reachable", null));
    }
}
