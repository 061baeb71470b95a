package io.clusterlink.service;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.ClusterTopics;
import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.TopicInfo;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/**
 * The topics of a destination cluster (Confluent's v3 topics API, the part clients of mirror
 * topics use): list, get, delete. Deleting a mirror topic deletes its mirror too, in any state.
 */
@ApplicationScoped
public class TopicService {

    private static final Logger LOG = Logger.getLogger(TopicService.class);

    private final DestinationClusters clusters;
    private final ClusterTopics topics;
    private final LinkStore store;
    private final MirrorActions actions;
    private final ReplicationControl replication;

    TopicService(DestinationClusters clusters, ClusterTopics topics, LinkStore store, MirrorActions actions,
            ReplicationControl replication) {
        this.clusters = clusters;
        this.topics = topics;
        this.store = store;
        this.actions = actions;
        this.replication = replication;
    }

    public List<TopicInfo> list(String clusterId) {
        DestinationCluster cluster = clusters.byId(clusterId);
        try {
            return topics.list(cluster);
        } catch (KafkaCallException e) {
            throw unavailable(cluster, e);
        }
    }

    public TopicInfo get(String clusterId, String topic) {
        DestinationCluster cluster = clusters.byId(clusterId);
        TopicNames.checkTopic("topic_name", topic);
        try {
            return topics.describe(cluster, topic).orElseThrow(() -> notFound(topic));
        } catch (KafkaCallException e) {
            throw unavailable(cluster, e);
        }
    }

    /**
     * Deletes a topic as Kafka does. A mirror topic's mirror goes first, whatever its state: its
     * copy is stopped and fenced, its row deleted; then its topic. A later read of the mirror is a 404.
     */
    public void delete(String clusterId, String topic) {
        DestinationCluster cluster = clusters.byId(clusterId);
        TopicNames.checkTopic("topic_name", topic);
        Optional<Mirror> mirror = store.findMirror(cluster.clusterId(), topic);
        if (mirror.isPresent()) {
            Mirror m = mirror.get();
            Link link = store.findLink(m.linkId()).orElseThrow(() -> notFound(topic));
            actions.deleteMirror(link, m);
            replication.wake();
            deleteTopic(cluster, topic);
            LOG.infof("Deleted mirror topic '%s' of cluster link '%s' (it was %s)", topic, link.name(), m.status());
            return;
        }
        if (!deleteTopic(cluster, topic)) {
            throw notFound(topic);
        }
        LOG.infof("Deleted topic '%s' on cluster %s", topic, cluster.clusterId());
    }

    private boolean deleteTopic(DestinationCluster cluster, String topic) {
        try {
            return topics.delete(cluster, topic);
        } catch (KafkaCallException e) {
            throw unavailable(cluster, e);
        }
    }

    private static ClusterLinkException notFound(String topic) {
        return new ClusterLinkException.NotFound("This server does not host this topic: '" + topic + "'");
    }

    private static ClusterLinkException unavailable(DestinationCluster cluster, KafkaCallException e) {
        if (e.is(KafkaErrors.Kind.INVALID_TOPIC_REQUEST)) {
            return new ClusterLinkException.InvalidRequest("Destination cluster " + cluster.clusterId()
                    + " refused the request: " + e.getMessage());
        }
        if (e.is(KafkaErrors.Kind.AUTHORIZATION)) {
            return new ClusterLinkException.Conflict("The service may not do this on destination cluster "
                    + cluster.clusterId() + ": " + e.getMessage());
        }
        return new ClusterLinkException.ClusterUnavailable("Destination cluster " + cluster.clusterId()
                + " did not answer: " + e.getMessage(), e);
    }
}
