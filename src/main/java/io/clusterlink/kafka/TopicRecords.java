package io.clusterlink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Reads the records of a range of offsets of one partition of a destination cluster, to count them
 * or to copy them, record for record (key, value, headers, timestamp), to a partition of another
 * topic of the same cluster. Committed records only: aborted ones and transaction markers are not
 * records. Failures are {@link KafkaCallException}s.
 */
@ApplicationScoped
public class TopicRecords {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Duration timeout;

    TopicRecords(ClusterlinkConfig config) {
        this.timeout = config.destinationTimeout();
    }

    /** The committed records of {@code from} at offsets {@code [start, end)}. */
    public long count(DestinationCluster cluster, TopicPartition from, long start, long end) {
        return read(cluster, from, start, end, null, 0, 0);
    }

    /**
     * Copies the committed records of {@code from} at offsets {@code [start, end)} to the end of
     * {@code to}, in order, leaving out the first {@code skip} of them (copied before). Every write is
     * acknowledged by all in-sync replicas before this returns.
     *
     * @return the records in the range, those skipped included
     */
    public long copy(DestinationCluster cluster, TopicPartition from, long start, long end, TopicPartition to,
            long skip, int maxBatchBytes) {
        return read(cluster, from, start, end, to, skip, maxBatchBytes);
    }

    private long read(DestinationCluster cluster, TopicPartition from, long start, long end, TopicPartition to,
            long skip, int maxBatchBytes) {
        if (start >= end) {
            return 0;
        }
        long records = 0;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.probeConsumer(cluster.clientProperties(),
                "clusterlink-restore-read", IsolationLevel.READ_COMMITTED);
                KafkaProducer<byte[], byte[]> producer = to == null ? null
                        : new KafkaProducer<>(producerConfigs(cluster, maxBatchBytes), new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            consumer.assign(List.of(from));
            consumer.seek(from, start);
            long lastProgress = System.nanoTime();
            long position = start;
            while (position < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL).records(from)) {
                    if (r.offset() >= end) {
                        break;
                    }
                    records++;
                    if (producer != null && records > skip) {
                        sent.add(producer.send(new ProducerRecord<>(to.topic(), to.partition(), r.timestamp(), r.key(),
                                r.value(), r.headers())));
                    }
                }
                long now = consumer.position(from, timeout);
                if (now > position) {
                    position = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                    throw new KafkaCallException(new TimeoutException("reading "
                            + from + " stopped at offset " + position + " before offset " + end));
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
