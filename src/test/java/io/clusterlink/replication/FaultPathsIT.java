package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.SteadyLoad;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The copy path when something goes wrong or is out of the ordinary: oversized and compressed
 * records, a source re-created while it is copied, a destination that refuses writes during a
 * promote, a compacted source mirrored from its end, partitions added just before a promote, a
 * failover while offsets are still aligned.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class FaultPathsIT {

    private static final Duration READ = Duration.ofSeconds(120);
    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void aRecordThatFitsTheSourceOnlyCompressedIsMirroredIdentically() throws Exception {
        // Given a topic with the default limits, written with zstd: 1,000 small records, one of
        // 3 MB that compresses to a few KB, and 1,000 more
        String topic = uniqueName("big-record");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024))) {
            for (int i = 0; i < 1_000; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("small-" + i)));
            }
            producer.send(new ProducerRecord<>(topic, bytes("big"), bytes(json(3 * 1024 * 1024)))).get();
            for (int i = 1_000; i < 2_000; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("small-" + i)));
            }
            producer.flush();
        }
        createLink(link, kafka.source().bootstrapServers(), Map.of());

        // When it is mirrored
        createMirror(link, topic);

        // Then the mirror holds all 2,001 records at their offsets
        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.recordsCompared()).isEqualTo(2_001);
        assertThat(result.fillers()).isZero();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
    }

    @Test
    void compressedSourcesAreMirroredAtMostTenPercentLarger() throws Exception {
        for (String codec : List.of("lz4", "zstd", "gzip", "snappy")) {
            // Given 10 MB of JSON written with a codec (the topic keeps what the producer sent)
            String topic = uniqueName("compressed-" + codec);
            String link = uniqueName("link");
            KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                    Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec))) {
                for (int i = 0; i < 10_000; i++) {
                    producer.send(new ProducerRecord<>(topic, bytes("order-" + i), bytes(json(1_000 + i % 50))));
                }
                producer.flush();
            }
            createLink(link, kafka.source().bootstrapServers(), Map.of());

            // When it is mirrored
            createMirror(link, topic);
            awaitCaughtUp(link, topic);

            // Then the mirror is identical and takes at most 10% more disk than its source
            assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                    .recordsCompared()).isEqualTo(10_000);
            long sourceBytes = logSize(kafka.source(), topic);
            long mirrorBytes = logSize(kafka.destination(), topic);
            assertThat(mirrorBytes).as(codec + ": mirror " + mirrorBytes + " bytes, source " + sourceBytes + " bytes")
                    .isLessThanOrEqualTo(sourceBytes * 11 / 10);
            assertThat(sourceBytes).as(codec + " compresses").isLessThan(10_000L * 1_000 / 2);
        }
    }

    @Test
    void aSourceTopicDeletedAndRecreatedWhileItIsCopiedFailsTheMirrorWithoutCopyingTheNewTopic() throws Exception {
        // Given a mirror copying a steady load, on a link whose topic config sync is slow
        String topic = uniqueName("recreated");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "600000"));
        createMirror(link, topic);
        long copied;
        try (SteadyLoad load = SteadyLoad.start(kafka.source(), topic, 2_000)) {
            await().atMost(READ).until(() -> load.acknowledged() > 4_000);
        }
        awaitCaughtUp(link, topic);
        copied = KafkaClusters.endOffsets(kafka.destination(), topic).get(new TopicPartition(topic, 0));

        // When the source topic is deleted, re-created and filled past the mirror's end at once
        kafka.sourceAdmin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        await().atMost(READ).ignoreExceptions().until(() -> !kafka.sourceAdmin().listTopics().names()
                .get(30, TimeUnit.SECONDS).contains(topic));
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (long i = 0; i < copied + 5_000; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("new-" + i), bytes("new-topic-" + i)));
            }
            producer.flush();
        }

        // Then the mirror fails with SOURCE_TOPIC_ID_CHANGED and holds no record of the new topic
        awaitStatus(link, topic, "FAILED");
        JsonPath m = mirror(link, topic);
        assertThat(m.getString("mirror_topic_error")).isEqualTo("SOURCE_TOPIC_ID_CHANGED");
        List<ConsumerRecord<byte[], byte[]>> mirrored = KafkaClusters.readAll(kafka.destination(), topic,
                IsolationLevel.READ_UNCOMMITTED, READ);
        assertThat(mirrored).hasSize((int) copied);
        assertThat(mirrored).noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8).startsWith("new-topic-"));
    }

    @Test
    void aDestinationThatRefusesWritesNeverLetsAPromoteStopShortAndSaysWhy() throws Exception {
        // Given two caught-up mirrors of one link (one copy thread), the destination topic of the
        // first then set to refuse records older than a minute
        String topic = uniqueName("refused");
        String other = uniqueName("refused-other");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        KafkaClusters.createTopic(kafka.source(), other, 1, Map.of());
        produce(topic, 0, 100, System.currentTimeMillis());
        produce(other, 0, 100, System.currentTimeMillis());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        createMirror(link, other);
        awaitCaughtUp(link, topic);
        awaitCaughtUp(link, other);
        setMirrorConfig(topic, "message.timestamp.before.max.ms", "60000");
        produce(topic, 100, 100, System.currentTimeMillis() - 3_600_000);
        produce(other, 100, 100, System.currentTimeMillis() - 3_600_000);

        // When both are promoted
        JsonPath promoted = action(link, "promote", topic, other);
        assertThat(promoted.getList("data.error_code")).containsOnly((Object) null);

        // Then the refused one does not stop while records are missing, never shows lag 0, and says
        // why; the other one stops where its source ends
        awaitStatus(link, other, "STOPPED");
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), other, kafka.destination(), other, READ)
                .recordsCompared()).isEqualTo(200);
        await().atMost(READ).until(() -> mirror(link, topic).getString("mirror_status_message") != null);
        for (int i = 0; i < 10; i++) {
            JsonPath m = mirror(link, topic);
            assertThat(m.getString("mirror_status")).isEqualTo("PENDING_STOPPED");
            assertThat(m.getList("mirror_lags.lag", Long.class)).allMatch(lag -> lag > 0);
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        }
        assertThat(mirror(link, topic).getString("mirror_status_message"))
                .contains("The destination refuses writes to partition 0 of the mirror").contains("imestamp");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                100L);

        // When the destination takes the records again, the promote completes at its stop offsets
        setMirrorConfig(topic, "message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE));
        awaitStatus(link, topic, "STOPPED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                200L);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(200);
    }

    @Test
    void aCompactedSourceMirroredFromItsEndBecomesActiveAndCopiesWhatComesNext() throws Exception {
        // Given a compacted source with 100 keyed records and a link starting mirrors at the source end
        String topic = uniqueName("compacted-latest");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of("cleanup.policy", "compact"));
        produce(topic, 0, 100, System.currentTimeMillis());
        createLink(link, kafka.source().bootstrapServers(), Map.of("mirror.start.offset.spec", "latest"));

        // When it is mirrored
        createMirror(link, topic);

        // Then the mirror is ACTIVE, starts at 100 and copies the next records identically
        awaitStatus(link, topic, "ACTIVE");
        produce(topic, 100, 50, System.currentTimeMillis());
        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, 100L);
        assertThat(result.recordsCompared()).isEqualTo(50);
    }

    @Test
    void aPromoteCopiesPartitionsTheSourceGotJustBeforeIt() throws Exception {
        // Given a caught-up mirror of 2 partitions on a link whose topic config sync is slow
        String topic = uniqueName("grown-promote");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 0, 100, System.currentTimeMillis());
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "600000"));
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        // When the source gets two more partitions with records, and the mirror is promoted at once
        kafka.sourceAdmin().createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30,
                TimeUnit.SECONDS);
        await().atMost(READ).ignoreExceptions()
                .until(() -> KafkaClusters.endOffsets(kafka.source(), topic).size() == 4);
        produce(topic, 100, 200, System.currentTimeMillis());
        Map<TopicPartition, Long> ends = KafkaClusters.endOffsets(kafka.source(), topic);
        JsonPath promoted = action(link, "promote", topic);

        // Then the promoted topic has all four partitions, identical to the source at the request
        assertThat(promoted.getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).isEqualTo(renamed(ends, topic));
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(300);
    }

    @Test
    void aFailoverWhileOffsetsAreAlignedLeavesNoFillerVisible() throws Exception {
        // Given a source whose log starts at 40,000,000, and its mirror aligning
        String topic = uniqueName("aligning");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        long start = 40_000_000;
        try (RawFiller filler = new RawFiller(new HashMap<>(kafka.source().clientProperties()), 10 * 1024 * 1024,
                Duration.ofSeconds(30))) {
            filler.fill(tp, start, () -> false, n -> {});
        }
        kafka.sourceAdmin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(start))).all()
                .get(30, TimeUnit.SECONDS);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        // (its progress shows in the status message)
        await().atMost(READ).pollInterval(Duration.ofMillis(50)).until(() -> String.valueOf(
                mirror(link, topic).getString("mirror_status_message")).matches(
                        "Aligning offsets: \\d+ of 40000000 offsets filled \\(\\d+%\\) in 1 partition\\(s\\)"));

        // When it is failed over before the alignment is done
        JsonPath failedOver = action(link, "failover", topic);

        // Then it is STOPPED, empty (no filler visible) and writable, and its end no longer moves
        assertThat(failedOver.getString("data[0].error_code")).isNull();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        long end = KafkaClusters.endOffsets(kafka.destination(), topic).get(tp);
        assertThat(end).isLessThan(start);
        assertThat(KafkaClusters.startOffsets(kafka.destination(), topic)).containsEntry(tp, end);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaClusters.endOffsets(kafka.destination(), topic).get(tp) == end);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after"))).get().offset()).isEqualTo(end);
        }
    }

    // ---- helpers ----

    private void produce(String topic, int from, int count, long timestamp) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, null, timestamp + i, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
    }

    private void setMirrorConfig(String topic, String name, String value) throws Exception {
        kafka.destinationAdmin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all()
                .get(30, TimeUnit.SECONDS);
    }

    /** Bytes of the topic's partitions on the cluster's disk. */
    private static long logSize(LocalKafkaCluster cluster, String topic) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(cluster.clientProperties())) {
            int broker = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
            long size = 0;
            for (LogDirDescription dir : admin.describeLogDirs(List.of(broker)).allDescriptions()
                    .get(30, TimeUnit.SECONDS).get(broker).values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
                    if (e.getKey().topic().equals(topic)) {
                        size += e.getValue().size();
                    }
                }
            }
            return size;
        }
    }

    private static Map<TopicPartition, Long> renamed(Map<TopicPartition, Long> offsets, String topic) {
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.forEach((tp, o) -> result.put(new TopicPartition(topic, tp.partition()), o));
        return result;
    }

    /** A JSON-like text of about {@code size} characters that compresses well. */
    private static String json(int size) {
        StringBuilder sb = new StringBuilder(size + 100);
        int i = 0;
        while (sb.length() < size) {
            sb.append("{\"id\":").append(i).append(",\"customer\":\"customer-").append(i % 97)
                    .append("\",\"status\":\"SHIPPED\",\"items\":[1,2,3]},");
            i++;
        }
        return sb.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
