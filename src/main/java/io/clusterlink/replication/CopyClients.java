package io.clusterlink.replication;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.record.CompressionType;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.Pending;

/**
 * The Kafka clients of one link's copy threads and their starts: the link's pooled source Admin,
 * a consumer and producers per copy thread, sized from the instance's budget, the probe consumers
 * its starts share, and filler producers per alignment.
 */
final class CopyClients implements PartitionCopier.Clients, PartitionStarter.Io, PartitionStarter.Destination {

    private final String clientId;
    private final Map<String, Object> sourceProps;
    private final DestinationCluster destination;
    private final DestinationTopics destinationTopics;
    private final Admin sourceAdmin;
    private final int maxBatchBytes;
    private final Duration timeout;
    private final ReplicationBudget budget;
    private final long configuredBufferMemory;
    private final ProbeConsumers sourceProbes;
    private final ProbeConsumers destinationProbes;

    CopyClients(String clientId, Map<String, Object> sourceProps, DestinationCluster destination,
            DestinationTopics destinationTopics, Admin sourceAdmin, int maxBatchBytes, Duration timeout,
            ReplicationBudget budget) {
        this.budget = budget;
        this.configuredBufferMemory = KafkaClients.bufferMemory(destination.clientProperties());
        this.clientId = clientId;
        this.sourceProps = sourceProps;
        this.destination = destination;
        this.destinationTopics = destinationTopics;
        this.sourceAdmin = sourceAdmin;
        this.maxBatchBytes = maxBatchBytes;
        this.timeout = timeout;
        this.sourceProbes = new ProbeConsumers(() -> KafkaClients.probeConsumer(sourceProps, clientId + "-verify",
                IsolationLevel.READ_COMMITTED), System::currentTimeMillis);
        this.destinationProbes = new ProbeConsumers(() -> KafkaClients.probeConsumer(destination.clientProperties(),
                clientId + "-verify", IsolationLevel.READ_UNCOMMITTED), System::currentTimeMillis);
    }

    @Override
    public Consumer<byte[], byte[]> sourceConsumer(int partitions) {
        Map<String, Object> props = new HashMap<>(sourceProps);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchMaxBytes());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, budget.maxPollRecords(
                intValue(props.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 20_000)));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, (int) partitionFetchBytes(partitions));
        return KafkaClients.replicationConsumer(props, clientId);
    }

    private int fetchMaxBytes() {
        return budget.fetchMaxBytes(intValue(sourceProps.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                ConsumerConfig.DEFAULT_FETCH_MAX_BYTES));
    }

    @Override
    public long partitionFetchBytes(int partitions) {
        return ReplicationBudget.partitionFetchBytes(fetchMaxBytes(), partitions, intValue(
                sourceProps.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES));
    }

    private static int intValue(Object value, int otherwise) {
        return value == null ? otherwise : Integer.parseInt(value.toString().trim());
    }

    @Override
    public Producer<byte[], byte[]> producer(CompressionType codec, int generation, long bufferMemory,
            int partitions) {
        // One client id per link for every generation and copy thread, so a broker quota on it
        // ("kafka-configs --entity-type clients") throttles the link's replication, and only it.
        Map<String, Object> props = new HashMap<>(destination.clientProperties());
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, ReplicationBudget.batchSize(bufferMemory,
                intValue(props.get(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024), partitions));
        return KafkaClients.replicationProducer(props, clientId, codec, maxBatchBytes);
    }

    @Override
    public long bufferMemory() {
        return budget.producerBuffer(configuredBufferMemory);
    }

    @Override
    public void buffered(long delta) {
        budget.buffered(delta);
    }

    @Override
    public boolean budgetFull() {
        return budget.full();
    }

    @Override
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    @Override
    public CompletableFuture<Map<String, String>> sourceTopicIds(Set<String> topics) {
        Map<String, KafkaFuture<TopicDescription>> futures = sourceAdmin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        CompletableFuture<Map<String, String>> result = new CompletableFuture<>();
        KafkaFuture.allOf(futures.values().toArray(KafkaFuture[]::new)).whenComplete((v, e) -> {
            Map<String, String> ids = new HashMap<>();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> f : futures.entrySet()) {
                try {
                    ids.put(f.getKey(), f.getValue().getNow(null).topicId().toString());
                } catch (Exception ex) {
                    if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                        result.completeExceptionally(ex);
                        return;
                    }
                }
            }
            result.complete(ids);
        });
        return result;
    }

    @Override
    public Admin sourceAdmin() {
        return sourceAdmin;
    }

    @Override
    public PartitionStarter.Destination destination() {
        return this;
    }

    @Override
    public ProbeConsumers sourceProbes() {
        return sourceProbes;
    }

    @Override
    public ProbeConsumers destinationProbes() {
        return destinationProbes;
    }

    /** Closes what the link's starts kept open; the link's copy threads have ended. */
    void close() {
        sourceProbes.close();
        destinationProbes.close();
    }

    @Override
    public Filler newFiller() {
        Map<String, Object> props = new HashMap<>(destination.clientProperties());
        props.put("client.id", clientId + "-align");
        return new RawFiller(props, maxBatchBytes, timeout);
    }

    @Override
    public Pending<Map<TopicPartition, Long>> endOffsets(Set<TopicPartition> partitions) {
        return destinationTopics.endOffsetsOf(destination, partitions);
    }

    @Override
    public Pending<Map<TopicPartition, Long>> startOffsets(Set<TopicPartition> partitions) {
        return destinationTopics.startOffsetsOf(destination, partitions);
    }

    @Override
    public void deleteBefore(TopicPartition partition, long offset) {
        destinationTopics.deleteBefore(destination, partition, offset);
    }
}
