package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.setLinkConfig;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** cluster.link.io.max.bytes.per.second bounds a link's replication rate, and can be changed while it copies. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class ThrottleIT {

    private static final int RECORD_BYTES = 1000;
    /** About 20 MB (values of 1,000 bytes, plus keys and headers). */
    private static final int RECORDS = 20_000;
    private static final long LIMIT = 1024 * 1024;

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void aLinkLimitedTo1MBPerSecondCopies20MBInAbout20SecondsAndGoesFullSpeedOnceTheLimitIsLifted()
            throws Exception {
        // Given a 20 MB backlog and a link limited to 1 MB/s
        String topic = uniqueName("throttled");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 0, RECORDS);
        createLink(link, kafka.source().bootstrapServers(),
                Map.of("cluster.link.io.max.bytes.per.second", Long.toString(LIMIT)));

        // When a mirror copies the backlog
        long started = System.nanoTime();
        createMirror(link, topic);
        awaitCopied(topic, RECORDS, Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - started) / 1e9;

        // Then it took the limit's time: no less than 18 s, no more than 30 s
        assertThat(seconds).as("seconds to copy 20 MB at 1 MB/s").isBetween(18.0, 30.0);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                Duration.ofSeconds(60)).recordsCompared()).isEqualTo(RECORDS);

        // When another 20 MB arrive, and the limit is lifted a few seconds into them
        produce(topic, RECORDS, RECORDS);
        long second = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> copied(topic) > RECORDS + RECORDS / 20);
        double throttledPart = (System.nanoTime() - second) / 1e9;
        setLinkConfig(link, "cluster.link.io.max.bytes.per.second", Long.toString(Long.MAX_VALUE));
        long lifted = System.nanoTime();
        awaitCopied(topic, 2 * RECORDS, Duration.ofSeconds(60));
        double rest = (System.nanoTime() - lifted) / 1e9;

        // Then the rest (about 19 MB) goes at full speed, far faster than the limit allowed
        assertThat(throttledPart).as("seconds for the first 5%% under the limit").isGreaterThan(0.5);
        assertThat(rest).as("seconds for the rest without the limit").isLessThan(8.0);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                Duration.ofSeconds(60)).recordsCompared()).isEqualTo(2 * RECORDS);
    }

    private long copied(String topic) {
        return KafkaClusters.endOffsets(kafka.destination(), topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private void awaitCopied(String topic, long records, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> copied(topic) >= records);
    }

    private void produce(String topic, int from, int count) {
        Random random = new Random(from);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024))) {
            for (int i = from; i < from + count; i++) {
                byte[] value = new byte[RECORD_BYTES];
                random.nextBytes(value);
                RecordHeaders headers = new RecordHeaders();
                headers.add("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        ("key-" + i).getBytes(StandardCharsets.UTF_8), value, headers));
            }
            producer.flush();
        }
    }
}
