package io.clusterlink.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.clusterlink.kafka.local.LocalKafkaCluster;

/**
 * Produces keyed records with a header to a topic at a steady rate from its own thread, until
 * stopped; the producer rides out a source broker that is down (it retries for minutes). Every
 * record that was acknowledged is counted; a send that failed for good is kept as the failure.
 */
public final class SteadyLoad implements AutoCloseable {

    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private SteadyLoad(LocalKafkaCluster cluster, String topic, int perSecond) {
        thread = new Thread(() -> run(cluster, topic, perSecond), "steady-load-" + topic);
        thread.setDaemon(true);
    }

    /** Starts producing {@code perSecond} records a second to {@code topic}. */
    public static SteadyLoad start(LocalKafkaCluster cluster, String topic, int perSecond) {
        SteadyLoad load = new SteadyLoad(cluster, topic, perSecond);
        load.thread.start();
        return load;
    }

    private void run(LocalKafkaCluster cluster, String topic, int perSecond) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            long started = System.nanoTime();
            long sent = 0;
            while (running.get()) {
                long due = (System.nanoTime() - started) * perSecond / 1_000_000_000L;
                for (; sent < due && running.get(); sent++) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add("n", Long.toString(sent).getBytes(StandardCharsets.UTF_8));
                    producer.send(
                            new ProducerRecord<>(topic, null, ("key-" + sent % 1000).getBytes(StandardCharsets.UTF_8),
                                    ("value-" + sent).getBytes(StandardCharsets.UTF_8), headers),
                            (metadata, e) -> {
                                if (e == null) {
                                    acknowledged.incrementAndGet();
                                } else {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
            producer.flush();
        }
    }

    /** Records the source acknowledged so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Stops producing and waits until everything sent is acknowledged; fails if a send failed. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(120_000);
        if (failure.get() != null) {
            throw new AssertionError("the load producer failed: " + failure.get(), failure.get());
        }
    }
}
