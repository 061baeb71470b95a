package io.clusterlink.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * What the service does to mirror topics on a destination cluster: create them, read and change
 * their configs and partitions, read end offsets and delete records. Failures are
 * {@link KafkaCallException}s.
 */
@ApplicationScoped
public class DestinationTopics {

    private final DestinationClusters clusters;
    private final Duration timeout;

    DestinationTopics(DestinationClusters clusters, ClusterlinkConfig config) {
        this.clusters = clusters;
        this.timeout = config.destinationTimeout();
    }

    public boolean exists(DestinationCluster cluster, String topic) {
        return KafkaFutures.await(clusters.admin(cluster).listTopics(new ListTopicsOptions().listInternal(true)
                .timeoutMs(timeoutMs())).names(), timeout).contains(topic);
    }

    public void create(DestinationCluster cluster, NewTopic topic) {
        Duration createTimeout = timeout.multipliedBy(2);
        KafkaFutures.await(clusters.admin(cluster).createTopics(List.of(topic), new CreateTopicsOptions()
                .timeoutMs((int) createTimeout.toMillis())).all(), createTimeout);
    }

    public void delete(DestinationCluster cluster, String topic) {
        KafkaFutures.await(clusters.admin(cluster).deleteTopics(List.of(topic)).all(), timeout);
    }

    public int partitions(DestinationCluster cluster, String topic) {
        return KafkaFutures.await(clusters.admin(cluster).describeTopics(List.of(topic), new DescribeTopicsOptions()
                .timeoutMs(timeoutMs())).topicNameValues().get(topic), timeout).partitions().size();
    }

    public void addPartitions(DestinationCluster cluster, String topic, int total) {
        KafkaFutures.await(clusters.admin(cluster).createPartitions(Map.of(topic, NewPartitions.increaseTo(total)))
                .all(), timeout);
    }

    /** Configs of the topics that exist; a missing topic is left out. */
    public Map<String, Config> configs(DestinationCluster cluster, Set<String> topics) {
        return Topics.configs(clusters.admin(cluster), topics, timeout);
    }

    public void alterConfigs(DestinationCluster cluster, String topic, List<AlterConfigOp> ops) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        KafkaFutures.await(clusters.admin(cluster).incrementalAlterConfigs(Map.of(resource, ops)).all(), timeout);
    }

    /** Log end offsets. */
    public Map<TopicPartition, Long> endOffsets(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return Topics.offsets(clusters.admin(cluster), partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED,
                timeout);
    }

    /** Log start offsets. */
    public Map<TopicPartition, Long> startOffsets(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return Topics.offsets(clusters.admin(cluster), partitions, OffsetSpec.earliest(),
                IsolationLevel.READ_UNCOMMITTED, timeout);
    }

    /** Moves the log start offset of a partition up to {@code offset}. */
    public void deleteBefore(DestinationCluster cluster, TopicPartition partition, long offset) {
        KafkaFutures.await(clusters.admin(cluster).deleteRecords(Map.of(partition,
                RecordsToDelete.beforeOffset(offset))).all(), timeout);
    }

    private int timeoutMs() {
        return (int) timeout.toMillis();
    }
}
