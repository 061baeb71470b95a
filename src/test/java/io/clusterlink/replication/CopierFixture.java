package io.clusterlink.replication;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;

import io.clusterlink.link.Fillers;
import io.clusterlink.link.MirrorTopicError;

/**
 * A {@link PartitionCopier} on Kafka's MockConsumer and MockProducer (one per writer generation and
 * codec), with a starter the test answers and a listener that records what it hears.
 */
abstract class CopierFixture {

    static final String SOURCE = "orders";
    static final String MIRROR = "orders";
    static final String TOPIC_ID = "id-1";
    static final Duration SILENCE = Duration.ofMillis(500);

    final AtomicLong clock = new AtomicLong(1_000_000);
    final Throttle throttle = new Throttle();
    volatile boolean budgetFull;
    /** The copy thread's current consumer: a new one each time it makes one again. */
    volatile MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("none");
    final List<MockConsumer<byte[], byte[]>> consumersMade = new CopyOnWriteArrayList<>();
    /** The copy thread's share: buffer memory (0: unbounded), fetch bytes (spread over its partitions). */
    volatile long bufferShare;
    volatile int fetchShare = Integer.MAX_VALUE;
    /** Each producer made, with the buffer memory it was given. */
    final List<Long> producerBuffers = new CopyOnWriteArrayList<>();
    final Map<CompressionType, List<MockProducer<byte[], byte[]>>> producers = new EnumMap<>(
            CompressionType.class);
    final List<Starter.Request> startRequests = new CopyOnWriteArrayList<>();
    /** How many partitions each start call was given. */
    final List<Integer> startBatches = new CopyOnWriteArrayList<>();
    final List<String> failures = new ArrayList<>();
    final Map<Integer, String> problems = new HashMap<>();
    volatile Consumer<Starter.Result> results;
    Map<String, String> topicIds = Map.of(SOURCE, TOPIC_ID);
    int maxBatchBytes = 1024 * 1024;
    PartitionCopier copier;
    final PartitionProgress[] progress = { new PartitionProgress(0), new PartitionProgress(1) };

    @BeforeEach
    void setUp() {
        PartitionCopier.Clients clients = new PartitionCopier.Clients() {
            @Override
            public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> sourceConsumer(int partitions) {
                if (!consumersMade.isEmpty()) {
                    consumer = new MockConsumer<>("none");
                }
                consumersMade.add(consumer);
                return consumer;
            }

            @Override
            public long partitionFetchBytes(int partitions) {
                return fetchShare / Math.max(1, partitions);
            }

            @Override
            public Producer<byte[], byte[]> producer(CompressionType codec, int generation, long bufferMemory,
                    int partitions) {
                producerBuffers.add(bufferMemory);
                MockProducer<byte[], byte[]> p = new MockProducer<>(cluster(), false, null, new ByteArraySerializer(),
                        new ByteArraySerializer());
                producers.computeIfAbsent(codec, c -> new ArrayList<>()).add(p);
                return p;
            }

            @Override
            public long bufferMemory() {
                return bufferShare;
            }

            @Override
            public int maxBatchBytes() {
                return maxBatchBytes;
            }

            @Override
            public CompletableFuture<Map<String, String>> sourceTopicIds(Set<String> topics) {
                return CompletableFuture.completedFuture(topicIds);
            }

            @Override
            public boolean budgetFull() {
                return budgetFull;
            }
        };
        Starter starter = new Starter() {
            @Override
            public void start(List<Request> requests, Consumer<Result> resultsOf) {
                startRequests.addAll(requests);
                startBatches.add(requests.size());
                results = resultsOf;
            }

            @Override
            public CompletableFuture<Void> cancel(TopicPartition source) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };
        CopyListener listener = new CopyListener() {
            @Override
            public void failed(long mirrorId, MirrorTopicError error, String message) {
                failures.add(error + ": " + message);
            }

            @Override
            public void recordsSkipped(long mirrorId, int partition, long count, long newStart) {
            }

            @Override
            public void problem(long mirrorId, int partition, String message) {
                if (message == null) {
                    problems.remove(partition);
                } else {
                    problems.put(partition, message);
                }
            }
        };
        copier = new PartitionCopier("test", clients, starter, listener, new PartitionCopier.Settings(
                Duration.ofMillis(10), Duration.ofSeconds(1), SILENCE, Duration.ofHours(1), Duration.ofSeconds(30)),
                clock::get, throttle);
        copier.open();
    }

    static Cluster cluster() {
        Node node = new Node(1, "localhost", 9092);
        List<PartitionInfo> infos = List.of(
                new PartitionInfo(MIRROR, 0, node, new Node[] { node }, new Node[] { node }),
                new PartitionInfo(MIRROR, 1, node, new Node[] { node }, new Node[] { node }));
        return new Cluster("c", List.of(node), infos, Set.of(), Set.of());
    }

    MirrorPartition partition(int p, Long stop) {
        return new MirrorPartition(1, new TopicPartition(SOURCE, p), new TopicPartition(MIRROR, p), TOPIC_ID, 0, stop,
                progress[p]);
    }

    /** Given partitions added and started at offset 0 (uncompressed). */
    void startedAt(int... partitions) throws Exception {
        for (int p : partitions) {
            copier.add(partition(p, null));
        }
        copier.step();
        for (int p : partitions) {
            ready(p, 0, CompressionType.NONE);
        }
    }

    void ready(int p, long next, CompressionType codec) throws Exception {
        results.accept(new Starter.Ready(new TopicPartition(SOURCE, p), next, next, codec));
        copier.step();
    }

    static ConsumerRecord<byte[], byte[]> record(int p, long offset, String value, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", "x".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(SOURCE, p, offset, timestamp, TimestampType.CREATE_TIME, -1, -1,
                ("k" + offset).getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    void fetch(int p, long... offsets) throws Exception {
        for (long o : offsets) {
            consumer.addRecord(record(p, o, "v" + o, 5000 + o));
        }
        copier.step();
    }

    MockProducer<byte[], byte[]> producer() {
        List<MockProducer<byte[], byte[]>> plain = producers.get(CompressionType.NONE);
        return plain.get(plain.size() - 1);
    }

    static List<Long> offsetsSent(MockProducer<byte[], byte[]> producer, int partition) {
        List<Long> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.partition() == partition) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                var gap = r.headers().lastHeader(Fillers.GAP_HEADER);
                sent.add(gap == null ? Long.parseLong(key.substring(1)) : -Long.parseLong(key.substring(1)));
            }
        }
        return sent;
    }

    /** What a real producer does after it was closed forcefully: every write still pending fails. */
    static void abortPending(MockProducer<byte[], byte[]> producer) {
        while (producer.errorNext(new KafkaException("Producer is closed forcefully."))) {
            // each pending write gets its callback
        }
    }

}
