package io.clusterlink.replication;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.CompressionType;
import org.jboss.logging.Logger;

/**
 * One producer generation of a copy thread, writing mirror partitions with one compression codec.
 * It carries out the writer rule:
 * <ul>
 * <li>the producer never drops a batch on its own: it has no delivery timeout and retries for as
 * long as it takes (a watchdog reports a destination that does not acknowledge);</li>
 * <li>after the first failed write of a generation nothing more is sent by it: the failure's
 * callback closes the producer at once, from the producer's own I/O thread, so the client cannot
 * re-sequence and resend the batches queued behind the failed one (an idempotent producer closes
 * such a hole by writing the later batches where the failed one should have been);</li>
 * <li>each partition restarts on a new generation only after its tail was verified again.</li>
 * </ul>
 */
final class Writer {

    private static final Logger LOG = Logger.getLogger(Writer.class);

    private final Producer<byte[], byte[]> producer;
    private final int generation;
    private final CompressionType codec;
    private final int maxBatchBytes;
    private final long bufferMemory;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Runnable onFailure;
    private MetricName bufferAvailableMetric;

    Writer(Producer<byte[], byte[]> producer, int generation, CompressionType codec, int maxBatchBytes,
            long bufferMemory, Runnable onFailure) {
        this.producer = producer;
        this.generation = generation;
        this.codec = codec;
        this.maxBatchBytes = maxBatchBytes;
        this.bufferMemory = bufferMemory;
        this.onFailure = onFailure;
    }

    int generation() {
        return generation;
    }

    CompressionType codec() {
        return codec;
    }

    /** The producer's {@code buffer.memory}. */
    long bufferMemory() {
        return bufferMemory;
    }

    /** The largest batch the destination takes in one request. */
    int maxBatchBytes() {
        return maxBatchBytes;
    }

    /** True once a write of this generation failed: it sends nothing more. */
    boolean failed() {
        return failed.get();
    }

    /**
     * Sends one record; the tracker's callback checks where it lands.
     *
     * @throws RuntimeException when the producer refuses the record at once (it was not sent)
     */
    void send(AckTracker acks, long expectedOffset, long timestamp, byte[] key, byte[] value, Headers headers) {
        acks.sending(expectedOffset);
        try {
            producer.send(new ProducerRecord<>(acks.destination().topic(), acks.destination().partition(), timestamp,
                    key, value, headers), acks);
        } catch (RuntimeException e) {
            acks.notSent();
            throw e;
        }
    }

    /**
     * Called by a write's callback, on the producer's I/O thread, when the write failed or landed
     * at the wrong offset: the first call closes the producer without waiting, so that nothing
     * queued behind the failed write is sent.
     */
    void fail(Exception cause) {
        if (failed.compareAndSet(false, true)) {
            LOG.debugf("Producer generation %d (%s) stops after a failed write: %s", generation, codec,
                    cause == null ? "a write landed at the wrong offset" : cause.getMessage());
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("Closing producer generation %d: %s", generation, e.getMessage());
            }
            onFailure.run();
        }
    }

    /** Fraction of the producer's buffer memory that is free; 1 when the producer does not say. */
    double freeBuffer() {
        if (bufferMemory <= 0) {
            return 1;
        }
        Map<MetricName, ? extends Metric> metrics = producer.metrics();
        if (bufferAvailableMetric == null) {
            bufferAvailableMetric = metrics.keySet().stream()
                    .filter(n -> n.name().equals("buffer-available-bytes") && n.group().equals("producer-metrics"))
                    .findFirst().orElse(null);
            if (bufferAvailableMetric == null) {
                return 1;
            }
        }
        Metric metric = metrics.get(bufferAvailableMetric);
        Object value = metric == null ? null : metric.metricValue();
        return value instanceof Number n ? n.doubleValue() / bufferMemory : 1;
    }

    /** Sends what is queued and waits for it (at most {@code timeout}); then closes. */
    void close(Duration timeout) {
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            LOG.debugf("Closing producer generation %d: %s", generation, e.getMessage());
        }
    }
}
