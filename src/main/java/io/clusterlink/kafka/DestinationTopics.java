package io.clusterlink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Fillers;

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

    /**
     * Alters the configs of many topics in one request: the failures by topic, none when every
     * topic's configs were altered.
     */
    public Map<String, KafkaCallException> alterConfigs(DestinationCluster cluster,
            Map<String, List<AlterConfigOp>> opsByTopic) {
        if (opsByTopic.isEmpty()) {
            return Map.of();
        }
        Map<ConfigResource, Collection<AlterConfigOp>> request = new LinkedHashMap<>();
        opsByTopic.forEach((topic, ops) -> request.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops));
        Map<ConfigResource, KafkaFuture<Void>> futures = clusters.admin(cluster).incrementalAlterConfigs(request)
                .values();
        Map<String, KafkaCallException> failures = new LinkedHashMap<>();
        KafkaFutures.awaitEach(futures, timeout).forEach((resource, e) -> failures.put(resource.name(), e));
        return failures;
    }

    /** Log end offsets. */
    public Map<TopicPartition, Long> endOffsets(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return endOffsetsOf(cluster, partitions).await();
    }

    /** {@link #endOffsets}, asked for now and awaited later. */
    public Pending<Map<TopicPartition, Long>> endOffsetsOf(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return Topics.offsetsOf(clusters.admin(cluster), partitions, OffsetSpec.latest(),
                IsolationLevel.READ_UNCOMMITTED, timeout);
    }

    /** The highest record timestamp of each partition, -1 for one without records. */
    public Map<TopicPartition, Long> maxTimestamps(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return Topics.maxTimestamps(clusters.admin(cluster), partitions, timeout);
    }

    /** Log start offsets. */
    public Map<TopicPartition, Long> startOffsets(DestinationCluster cluster, Set<TopicPartition> partitions) {
        return startOffsetsOf(cluster, partitions).await();
    }

    /** {@link #startOffsets}, asked for now and awaited later. */
    public Pending<Map<TopicPartition, Long>> startOffsetsOf(DestinationCluster cluster,
            Set<TopicPartition> partitions) {
        return Topics.offsetsOf(clusters.admin(cluster), partitions, OffsetSpec.earliest(),
                IsolationLevel.READ_UNCOMMITTED, timeout);
    }

    /** Moves the log start offset of a partition up to {@code offset}. */
    public void deleteBefore(DestinationCluster cluster, TopicPartition partition, long offset) {
        KafkaFutures.await(clusters.admin(cluster).deleteRecords(Map.of(partition,
                RecordsToDelete.beforeOffset(offset))).all(), timeout);
    }

    /**
     * Fills {@code [from, to)} of a mirror partition that ends at {@code from} with trailing filler
     * records (an empty key, no value, the {@code clusterlink.gap} header with their offset), so
     * that it ends exactly at {@code to}; each one is checked to land at its offset.
     *
     * @throws KafkaCallException when a filler did not land where it should
     */
    public void pad(DestinationCluster cluster, TopicPartition partition, long from, long to) {
        if (from >= to) {
            return;
        }
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "clusterlink-pad");
        props.keySet().retainAll(ProducerConfig.configNames());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long o = from; o < to; o++) {
                sent.add(producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null,
                        new byte[0], null, List.of(Fillers.gapHeader(o)))));
            }
            producer.flush();
            long expected = from;
            for (Future<RecordMetadata> f : sent) {
                long offset = KafkaFutures.await(f, timeout).offset();
                if (offset != expected) {
                    throw new KafkaCallException(new IllegalStateException("the filler for offset " + expected
                            + " of " + partition + " landed at offset " + offset));
                }
                expected++;
            }
        }
    }

    private int timeoutMs() {
        return (int) timeout.toMillis();
    }
}
