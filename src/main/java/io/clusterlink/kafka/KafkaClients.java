package io.clusterlink.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
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
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka clients built from link configs (source side) and cluster configs (destination side). */
public final class KafkaClients {

    private static final long DEFAULT_BUFFER_MEMORY = 128L * 1024 * 1024;

    private KafkaClients() {
    }

    /**
     * No JMX reporter for the replication clients (Kafka's default registers an MBean per metric: per
     * partition and topic for each consumer and producer, thousands for a fleet of links, registered
     * and unregistered on every assignment change). The service's metrics are Micrometer's; the
     * clients' own metrics stay readable in process ({@code metrics()}). A link or cluster config
     * that names reporters keeps them.
     */
    private static void noJmxReporter(Map<String, Object> p) {
        p.putIfAbsent(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, "");
    }

    public static Admin admin(Map<String, Object> props, String clientId, Duration timeout) {
        Map<String, Object> p = new HashMap<>(props);
        p.keySet().retainAll(AdminClientConfig.configNames());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        int ms = (int) Math.max(1000, timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
        noJmxReporter(p);
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
        noJmxReporter(p);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A destination producer for replication: idempotent, acks=all, ordered per partition, so each
     * acknowledged offset can be checked against the source offset; compressing with {@code codec}.
     * It never drops a batch on its own: no delivery timeout (Kafka's maximum), retried until the
     * destination takes it, so no later batch can be appended where an earlier one should have been.
     * A send blocks at most {@code max.block.ms} (then it fails and is not sent).
     *
     * @param maxBatchBytes the largest record batch the destination accepts in one request
     */
    public static KafkaProducer<byte[], byte[]> replicationProducer(Map<String, Object> destinationProps,
            String clientId, CompressionType codec, int maxBatchBytes) {
        return new KafkaProducer<>(replicationProducerConfigs(destinationProps, clientId, codec, maxBatchBytes),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The replication producer's configs: the writer rule's part (idempotent, {@code acks=all}, no
     * delivery timeout, unlimited retries: the client never drops a batch), the codec, and the
     * batching defaults that the destination's properties may override.
     */
    static Map<String, Object> replicationProducerConfigs(Map<String, Object> destinationProps, String clientId,
            CompressionType codec, int maxBatchBytes) {
        Map<String, Object> p = new HashMap<>(destinationProps);
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec.name);
        // No linger: a live mirror sends each record at once; a catch-up still fills batches while the
        // requests in flight are answered.
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, DEFAULT_BUFFER_MEMORY);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxBatchBytes);
        p.putIfAbsent(ProducerConfig.SEND_BUFFER_CONFIG, 1024 * 1024);
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        noJmxReporter(p);
        return p;
    }

    /** The replication producers' {@code buffer.memory}, unless the destination's properties set it. */
    public static long bufferMemory(Map<String, Object> destinationProps) {
        Object v = destinationProps.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        return v == null ? DEFAULT_BUFFER_MEMORY : Long.parseLong(v.toString());
    }

    /**
     * A consumer that reads a few records at given offsets (verifying a mirror's tail): no group,
     * explicit positions only, small fetches (also in all: a start of many partitions at once on
     * many links at once must not hold tens of megabytes each).
     */
    public static KafkaConsumer<byte[], byte[]> probeConsumer(Map<String, Object> props, String clientId,
            IsolationLevel isolation) {
        Map<String, Object> p = new HashMap<>(props);
        p.keySet().retainAll(ConsumerConfig.configNames());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(java.util.Locale.ROOT));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // A partition's fetch brings its first batch however large, and about a sample of records
        // more: a start of 20 partitions reads them all in one fetch.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024 * 1024);
        noJmxReporter(p);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
