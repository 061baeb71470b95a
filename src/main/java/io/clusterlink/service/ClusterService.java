package io.clusterlink.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AdminClientConfig;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;

/** The destination clusters the service manages, by Kafka cluster id, as the API shows them. */
@ApplicationScoped
public class ClusterService {

    private final DestinationClusters clusters;

    ClusterService(DestinationClusters clusters) {
        this.clusters = clusters;
    }

    /** Ids of the clusters that answered. */
    public List<String> list() {
        return clusters.list().stream().map(DestinationCluster::clusterId).toList();
    }

    /** The id of a known cluster; not found otherwise. */
    public String byId(String clusterId) {
        return clusters.byId(clusterId).clusterId();
    }

    /** The bootstrap servers configured for a known cluster; not found otherwise. */
    public String bootstrapServers(String clusterId) {
        return String
                .valueOf(clusters.byId(clusterId).clientProperties().get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The id of the default cluster ({@code clusterlink.default-cluster}). */
    public String defaultClusterId() {
        return clusters.defaultCluster().clusterId();
    }
}
