package io.clusterlink.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka clients built from link configs (source side) and cluster configs (destination side). */
public final class KafkaClients {

    private KafkaClients() {
    }

    public static Admin admin(Map<String, Object> props, String clientId, Duration timeout) {
        Map<String, Object> p = new HashMap<>(props);
        p.keySet().retainAll(AdminClientConfig.configNames());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        int ms = (int) Math.max(1000, timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
        return Admin.create(p);
    }

    /** A source consumer for replication: no group, read_committed, explicit positions only. */
    public static KafkaConsumer<byte[], byte[]> replicationConsumer(Map<String, Object> sourceProps, String clientId) {
        Map<String, Object> p = new HashMap<>(sourceProps);
        p.keySet().retainAll(ConsumerConfig.configNames());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
        p.putIfAbsent(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1024 * 1024);
        p.put(ConsumerConfig.CHECK_CRCS_CONFIG, true);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A destination producer for replication: idempotent, acks=all, ordered per partition, so each
     * acknowledged offset can be checked against the source offset.
     */
    public static KafkaProducer<byte[], byte[]> replicationProducer(Map<String, Object> destinationProps,
            String clientId) {
        Map<String, Object> p = new HashMap<>(destinationProps);
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Memory per copy task stays bounded: the producer keeps up to buffer.memory of pooled batches.
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.putIfAbsent(ProducerConfig.SEND_BUFFER_CONFIG, 1024 * 1024);
        // A write that cannot complete fails within 30 s, so the copy task fences and resumes from
        // the mirror's end offsets instead of waiting on a stuck producer.
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static TopicDescription describeTopic(Admin admin, String topic, Duration timeout) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic);
    }

    /** Offsets of the given partitions for one spec (earliest, latest, or for a timestamp). */
    public static Map<TopicPartition, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation, Duration timeout) throws Exception {
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), tp -> spec));
        return admin.listOffsets(request, new ListOffsetsOptions(isolation)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
