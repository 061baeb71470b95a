package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.TopicInfo;

/**
 * The topics of a destination cluster as the v3 topics API shows them, mirror or not: list,
 * describe, delete. Failures are {@link KafkaCallException}s.
 */
@ApplicationScoped
public class ClusterTopics {

    private final DestinationClusters clusters;
    private final Duration timeout;

    ClusterTopics(DestinationClusters clusters, ClusterlinkConfig config) {
        this.clusters = clusters;
        this.timeout = config.destinationTimeout();
    }

    /** Every topic of the cluster, internal ones included, by name. */
    public List<TopicInfo> list(DestinationCluster cluster) {
        Map<String, TopicListing> listings = KafkaFutures.await(clusters.admin(cluster)
                .listTopics(new ListTopicsOptions().listInternal(true).timeoutMs((int) timeout.toMillis()))
                .namesToListings(), timeout);
        return Topics.descriptions(clusters.admin(cluster), listings.keySet(), timeout).values().stream()
                .map(ClusterTopics::info).sorted(Comparator.comparing(TopicInfo::name)).toList();
    }

    /** The topic, or empty when the cluster has no topic of that name. */
    public Optional<TopicInfo> describe(DestinationCluster cluster, String topic) {
        return Optional.ofNullable(Topics.descriptions(clusters.admin(cluster), Set.of(topic), timeout).get(topic))
                .map(ClusterTopics::info);
    }

    /**
     * Deletes the topic; one that does not exist (any more) is no failure.
     *
     * @return whether the cluster had it
     */
    public boolean delete(DestinationCluster cluster, String topic) {
        try {
            KafkaFutures.await(clusters.admin(cluster).deleteTopics(List.of(topic)).all(), timeout);
            return true;
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
                return false;
            }
            throw e;
        }
    }

    private static TopicInfo info(TopicDescription d) {
        int replicationFactor = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
        return new TopicInfo(d.name(), d.isInternal(), replicationFactor, d.partitions().size());
    }
}
