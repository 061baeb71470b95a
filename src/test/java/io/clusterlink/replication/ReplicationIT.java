package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.PartitionLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Mirrors are record-by-record copies of their source: offset, key, value, headers, timestamp. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class ReplicationIT {

    private static final Duration READ = Duration.ofSeconds(60);
    /** Recent, so the brokers' time-based retention does not delete the test records. */
    private static final long BASE_TIMESTAMP = System.currentTimeMillis() - 3_600_000;
    private final KafkaClusters kafka = KafkaClusters.get();
    private final Random random = new Random(42);

    @Test
    void copiesAFourPartitionTopicWithKeysAndHeadersAtIdenticalOffsets() throws Exception {
        String topic = uniqueName("keyed");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 4, Map.of());
        produceKeyed(topic, 0, 100_000);
        createLink(link, kafka.source().bootstrapServers(), Map.of());

        createMirror(link, topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.recordsCompared()).isEqualTo(100_000);
        assertThat(result.fillers()).isZero();

        produceKeyed(topic, 100_000, 1_000);
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(101_000);
    }

    @Test
    void twoLinksMirrorTheSameSourceTopicAtTheSameTime() throws Exception {
        // Given one source topic and two links to it, with different prefixes
        String topic = uniqueName("shared");
        String first = uniqueName("link");
        String second = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produceKeyed(topic, 0, 5_000);
        createLink(first, kafka.source().bootstrapServers(), Map.of("cluster.link.prefix", "one."));
        createLink(second, kafka.source().bootstrapServers(), Map.of("cluster.link.prefix", "two."));

        // When both mirror it
        createMirror(first, topic);
        createMirror(second, topic);

        // Then both mirrors are complete, identical copies
        awaitCaughtUp(first, topic, "one." + topic);
        awaitCaughtUp(second, topic, "two." + topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), "one." + topic, READ)
                .recordsCompared()).isEqualTo(5_000);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), "two." + topic, READ)
                .recordsCompared()).isEqualTo(5_000);
    }

    @Test
    void startsAtTheSourceLogStartWhenRecordsBeforeItWereDeleted() throws Exception {
        String topic = uniqueName("trimmed");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produceKeyed(topic, 0, 5_000);
        kafka.sourceAdmin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(2_500)))
                .all().get(30, TimeUnit.SECONDS);
        createLink(link, kafka.source().bootstrapServers(), Map.of());

        createMirror(link, topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, 2_500L);
        assertThat(result.recordsCompared()).isEqualTo(2_500);
    }

    @Test
    void fillsTheGapsOfACompactedTopic() throws Exception {
        String topic = uniqueName("compacted");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of("cleanup.policy", "compact", "segment.ms", "100",
                "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "0", "delete.retention.ms", "100"));
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int wave = 0; wave < 5; wave++) {
                for (int i = 0; i < 200; i++) {
                    producer.send(record(topic, "key-" + (i % 20), "wave-" + wave + "-" + i));
                }
                producer.flush();
                long rolledAt = System.currentTimeMillis() + 150;
                await().pollDelay(Duration.ofMillis(150)).until(() -> System.currentTimeMillis() >= rolledAt);
            }
            producer.send(record(topic, "key-0", "last")).get();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            PartitionLog log = KafkaClusters.readLogs(kafka.source(), topic, IsolationLevel.READ_COMMITTED, READ)
                    .get(0);
            return log.records().size() < (log.endOffset() - log.startOffset()) / 2;
        });
        // Freeze compaction on the source (and so on the mirror, which takes these configs) while comparing.
        kafka.sourceAdmin().incrementalAlterConfigs(Map.of(
                new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic),
                List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("min.cleanable.dirty.ratio", "0.99"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                        new org.apache.kafka.clients.admin.AlterConfigOp(
                                new org.apache.kafka.clients.admin.ConfigEntry("segment.ms", "604800000"),
                                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        createLink(link, kafka.source().bootstrapServers(), Map.of());

        createMirror(link, topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.fillers()).isPositive();
        assertThat(result.recordsCompared()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void copiesOnlyCommittedTransactionsAndKeepsOffsetsAcrossMarkersAndAbortedRecords() throws Exception {
        String topic = uniqueName("transactional");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, uniqueName("tx")))) {
            producer.initTransactions();
            transaction(producer, topic, "committed-a", 10, true);
            transaction(producer, topic, "aborted", 10, false);
            transaction(producer, topic, "committed-b", 10, true);
        }
        createLink(link, kafka.source().bootstrapServers(), Map.of());

        createMirror(link, topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.recordsCompared()).isEqualTo(20);
        // the commit marker after the first batch and the ten aborted records plus their marker
        assertThat(result.fillers()).isEqualTo(12);

        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            producer.send(record(topic, "plain", "after-transactions")).get();
        }
        awaitCaughtUp(link, topic);
        MirrorVerifier.Result after = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(after.recordsCompared()).isEqualTo(21);
        assertThat(after.fillers()).isEqualTo(13);
    }

    @Test
    void startsAtTheSourceEndWithLatestStartOffsetSpec() throws Exception {
        String topic = uniqueName("latest");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produceKeyed(topic, 0, 1_000);
        Map<TopicPartition, Long> ends = KafkaClusters.endOffsets(kafka.source(), topic);
        createLink(link, kafka.source().bootstrapServers(), Map.of("mirror.start.offset.spec", "latest"));

        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        produceKeyed(topic, 1_000, 500);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.recordsCompared()).isEqualTo(500);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, ends.get(new TopicPartition(topic, 0)))
                .containsEntry(1, ends.get(new TopicPartition(topic, 1)));
    }

    @Test
    void startsAtTheFirstRecordAtOrAfterATimestampSpec() throws Exception {
        String topic = uniqueName("timestamp");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        long t0 = System.currentTimeMillis() - 3_600_000;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < 1_000; i++) {
                producer.send(new ProducerRecord<>(topic, 0, t0 + i * 1_000L, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
        String spec = Instant.ofEpochMilli(t0 + 600 * 1_000L).toString();
        createLink(link, kafka.source().bootstrapServers(), Map.of("mirror.start.offset.spec", spec));

        createMirror(link, topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, 600L);
        assertThat(result.recordsCompared()).isEqualTo(400);
    }

    private void produceKeyed(String topic, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024))) {
            for (int i = from; i < from + count; i++) {
                byte[] value = new byte[64 + random.nextInt(64)];
                random.nextBytes(value);
                RecordHeaders headers = new RecordHeaders();
                headers.add("seq", bytes(Integer.toString(i)));
                headers.add("origin", i % 7 == 0 ? null : bytes("test"));
                long timestamp = BASE_TIMESTAMP + i;
                producer.send(new ProducerRecord<>(topic, null, timestamp, bytes("key-" + (i % 977)), value, headers));
            }
            producer.flush();
        }
    }

    private static void transaction(KafkaProducer<byte[], byte[]> producer, String topic, String prefix, int count,
            boolean commit) throws Exception {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(record(topic, prefix + "-" + i, prefix + "-value-" + i));
        }
        producer.flush();
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, bytes(key), bytes(value));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
