package io.clusterlink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * Reads the records of ranges of offsets of partitions of a destination cluster, to count them or
 * to copy them, record for record (key, value, headers, timestamp), each to a partition of another
 * topic of the same cluster. All the ranges of one call are read by one consumer (and copied by
 * one producer). Committed records only: aborted ones and transaction markers are not records.
 * Failures are {@link KafkaCallException}s.
 */
@ApplicationScoped
public class TopicRecords {

    private static final Duration POLL = Duration.ofMillis(200);

    /** The offsets {@code [start, end)} of a partition. */
    public record Range(TopicPartition partition, long start, long end) {
    }

    /** A range copied to the end of {@code to}, leaving out its first {@code skip} records (copied before). */
    public record Copy(Range range, TopicPartition to, long skip) {
    }

    private final Duration timeout;

    TopicRecords(ClusterlinkConfig config) {
        this.timeout = config.destinationTimeout();
    }

    /** The committed records in each range, by its partition. */
    public Map<TopicPartition, Long> count(DestinationCluster cluster, List<Range> ranges) {
        return read(cluster, ranges.stream().map(r -> new Copy(r, null, 0)).toList(), 0);
    }

    /**
     * Copies the committed records of each range to the end of its {@code to}, in order, leaving out
     * the first {@code skip} of them. Every write is acknowledged by all in-sync replicas before this
     * returns.
     *
     * @return the records in each range (those skipped included), by its partition
     */
    public Map<TopicPartition, Long> copy(DestinationCluster cluster, List<Copy> copies, int maxBatchBytes) {
        return read(cluster, copies, maxBatchBytes);
    }

    private Map<TopicPartition, Long> read(DestinationCluster cluster, List<Copy> work, int maxBatchBytes) {
        Map<TopicPartition, Long> records = new HashMap<>();
        Map<TopicPartition, Copy> left = new HashMap<>();
        for (Copy c : work) {
            records.put(c.range().partition(), 0L);
            if (c.range().start() < c.range().end()) {
                left.put(c.range().partition(), c);
            }
        }
        if (left.isEmpty()) {
            return records;
        }
        boolean copying = work.stream().anyMatch(c -> c.to() != null);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.probeConsumer(cluster.clientProperties(),
                "clusterlink-restore-read", IsolationLevel.READ_COMMITTED);
                KafkaProducer<byte[], byte[]> producer = copying
                        ? new KafkaProducer<>(producerConfigs(cluster, maxBatchBytes), new ByteArraySerializer(),
                                new ByteArraySerializer())
                        : null) {
            consumer.assign(left.keySet());
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (Copy c : left.values()) {
                consumer.seek(c.range().partition(), c.range().start());
                positions.put(c.range().partition(), c.range().start());
            }
            long lastProgress = System.nanoTime();
            while (!left.isEmpty()) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
                for (TopicPartition tp : polled.partitions()) {
                    Copy c = left.get(tp);
                    if (c == null) {
                        continue;
                    }
                    long n = records.get(tp);
                    for (ConsumerRecord<byte[], byte[]> r : polled.records(tp)) {
                        if (r.offset() >= c.range().end()) {
                            break;
                        }
                        n++;
                        if (c.to() != null && n > c.skip()) {
                            sent.add(producer.send(new ProducerRecord<>(c.to().topic(), c.to().partition(),
                                    r.timestamp(), r.key(), r.value(), r.headers())));
                        }
                    }
                    records.put(tp, n);
                }
                Set<TopicPartition> done = new HashSet<>();
                boolean progressed = false;
                for (Copy c : left.values()) {
                    TopicPartition tp = c.range().partition();
                    long now = consumer.position(tp, timeout);
                    if (now > positions.get(tp)) {
                        positions.put(tp, now);
                        progressed = true;
                    }
                    if (now >= c.range().end()) {
                        done.add(tp);
                    }
                }
                if (!done.isEmpty()) {
                    done.forEach(left::remove);
                    consumer.pause(done);
                }
                if (progressed) {
                    lastProgress = System.nanoTime();
                } else if (!left.isEmpty() && System.nanoTime() - lastProgress > timeout.toNanos()) {
                    Copy stuck = left.values().iterator().next();
                    throw new KafkaCallException(new TimeoutException("reading " + stuck.range().partition()
                            + " stopped at offset " + positions.get(stuck.range().partition()) + " before offset "
                            + stuck.range().end()));
                }
            }
            if (producer != null) {
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    KafkaFutures.await(f, timeout);
                }
            }
        } catch (KafkaException e) {
            throw new KafkaCallException(e);
        }
        return records;
    }

    /** Idempotent, acks=all, in order: a record is written once and the copy keeps the order. */
    private static Map<String, Object> producerConfigs(DestinationCluster cluster, int maxBatchBytes) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.keySet().retainAll(ProducerConfig.configNames());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "clusterlink-restore-copy");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxBatchBytes);
        return props;
    }
}
