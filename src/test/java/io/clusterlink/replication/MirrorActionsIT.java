package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.WAIT;
import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.clusterId;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.PartitionLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** promote, failover, pause and resume, and deleting a link that still has mirrors. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class MirrorActionsIT {

    private static final Duration READ = Duration.ofSeconds(60);
    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void promoteWaitsUntilTheMirrorHasCaughtUpWithTheSourceEndOffsetsOfTheRequest() throws Exception {
        String topic = uniqueName("promote");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 2, 1_000);
        action(link, "pause", topic);
        produce(topic, 1_000, 20_000);
        Map<TopicPartition, Long> endsAtRequest = KafkaClusters.endOffsets(kafka.source(), topic);

        JsonPath promoted = action(link, "promote", topic);
        produce(topic, 21_000, 100);

        assertThat(promoted.getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).isEqualTo(endsAtRequest);
        MirrorVerifier.Result result = MirrorVerifier.compare(topic,
                cut(KafkaClusters.readLogs(kafka.source(), topic, IsolationLevel.READ_COMMITTED, READ), topic,
                        endsAtRequest),
                KafkaClusters.readLogs(kafka.destination(), topic, IsolationLevel.READ_UNCOMMITTED, READ));
        assertThat(result.recordsCompared()).isEqualTo(21_000);
    }

    @Test
    void failoverStopsAtOnceWithoutCatchingUp() throws Exception {
        String topic = uniqueName("failover");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 100);
        action(link, "pause", topic);
        produce(topic, 100, 500);

        JsonPath result = action(link, "failover", topic);

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                100L);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after-failover"))).get().offset())
                    .isEqualTo(100);
        }
    }

    @Test
    void aFailoverByPatternStopsEveryMatchingMirrorWhereItEndsWhileTheSourcesTakeWrites() throws Exception {
        // Given four mirrors of a link copying under load, a fifth one failed over before, and a
        // destination group the link syncs whose offsets lie beyond the mirrors' ends
        String prefix = uniqueName("many");
        String link = uniqueName("link");
        String group = uniqueName("many-group");
        createLink(link, kafka.source().bootstrapServers(), Map.of("consumer.offset.sync.enable", "true",
                "consumer.offset.group.filters", "{\"groupFilters\":[{\"name\":\"" + group
                        + "\",\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\"}]}"));
        List<String> topics = mirrorsCaughtUp(link, prefix, 5, 50);
        List<String> live = topics.subList(0, 4);
        String stoppedBefore = topics.get(4);
        assertThat(action(link, "failover", stoppedBefore).getString("data[0].error_code")).isNull();
        Map<TopicPartition, OffsetAndMetadata> beyond = new HashMap<>();
        live.forEach(t -> IntStream.range(0, 2).forEach(p -> beyond.put(new TopicPartition(t, p),
                new OffsetAndMetadata(1_000_000))));
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.destination(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.assign(beyond.keySet());
            consumer.commitSync(beyond);
        }
        String sourceMaxMessageBytes = topicConfig(kafka.sourceAdmin(), live.get(0), "max.message.bytes");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
                for (int i = 50; writing.get(); i++) {
                    for (String t : live) {
                        producer.send(new ProducerRecord<>(t, bytes("k" + i), bytes("v" + i)));
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        load.start();
        try {
            await().atMost(WAIT).until(() -> live.stream().allMatch(t -> KafkaClusters.endOffsets(kafka.destination(),
                    t).values().stream().allMatch(end -> end > 100)));

            // When
            JsonPath result = given().contentType(ContentType.JSON)
                    .body(Map.of("mirror_topic_name_pattern", prefix + "-.*"))
                    .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:failover", clusterId(), link)
                    .then().statusCode(200).extract().jsonPath();

            // Then every live mirror is STOPPED, and nothing is copied to it any more
            Map<String, Integer> errors = new HashMap<>();
            List<Map<String, Object>> items = result.getList("data");
            items.forEach(item -> errors.put((String) item.get("mirror_topic_name"), (Integer) item.get("error_code")));
            assertThat(errors).containsOnlyKeys(topics);
            live.forEach(t -> assertThat(errors.get(t)).as(t).isNull());
            assertThat(errors.get(stoppedBefore)).isEqualTo(400);
            Map<String, Map<TopicPartition, Long>> ends = new HashMap<>();
            for (String t : live) {
                assertThat(mirror(link, t).getString("mirror_status")).isEqualTo("STOPPED");
                ends.put(t, KafkaClusters.endOffsets(kafka.destination(), t));
            }
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> live.stream()
                    .allMatch(t -> KafkaClusters.endOffsets(kafka.destination(), t).equals(ends.get(t))));
        } finally {
            writing.set(false);
            load.join(30_000);
        }
        Map<TopicPartition, OffsetAndMetadata> clamped = kafka.destinationAdmin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        for (String t : live) {
            Map<TopicPartition, Long> stop = KafkaClusters.endOffsets(kafka.destination(), t);
            assertThat(KafkaClusters.endOffsets(kafka.source(), t)).as(t).allSatisfy(
                    (tp, sourceEnd) -> assertThat(sourceEnd).isGreaterThan(stop.get(tp)));
            MirrorVerifier.compare(t, cut(KafkaClusters.readLogs(kafka.source(), t, IsolationLevel.READ_COMMITTED,
                    READ), t, stop), KafkaClusters.readLogs(kafka.destination(), t, IsolationLevel.READ_UNCOMMITTED,
                            READ));
            stop.forEach((tp, end) -> assertThat(clamped.get(tp).offset()).as(tp.toString()).isEqualTo(end));
            assertThat(kafka.destinationAdmin().describeAcls(new AclBindingFilter(new ResourcePatternFilter(
                    ResourceType.TOPIC, t, PatternType.LITERAL), AccessControlEntryFilter.ANY)).values()
                    .get(30, TimeUnit.SECONDS)).as(t).isEmpty();
            assertThat(topicConfig(kafka.destinationAdmin(), t, "max.message.bytes")).isEqualTo(sourceMaxMessageBytes);
            try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
                TopicPartition p0 = new TopicPartition(t, 0);
                assertThat(producer.send(new ProducerRecord<>(t, 0, bytes("after"), bytes("after"))).get().offset())
                        .isEqualTo(stop.get(p0));
            }
        }
    }

    @Test
    void pauseStopsProgressAndResumeContinuesWhereItStopped() throws Exception {
        String topic = uniqueName("pause");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 3, 3_000);

        JsonPath paused = action(link, "pause", topic);
        assertThat(paused.getString("data[0].error_code")).isNull();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("PAUSED");
        Map<TopicPartition, Long> endsWhenPaused = KafkaClusters.endOffsets(kafka.destination(), topic);
        produce(topic, 3_000, 3_000);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaClusters.endOffsets(kafka.destination(), topic).equals(endsWhenPaused));

        action(link, "resume", topic);

        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(6_000);
        List<Integer> lags = mirror(link, topic).getList("mirror_lags.lag", Integer.class);
        assertThat(lags).containsExactly(0, 0, 0);
    }

    @Test
    void actionsReportPerTopicErrorsForTopicsThatAreNotMirrorsOfTheLink() {
        String topic = uniqueName("actions");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");

        JsonPath result = action(link, "pause", topic, "no-such-mirror");

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(result.getInt("data[1].error_code")).isEqualTo(404);
        assertThat(result.getString("data[1].error_message"))
                .isEqualTo("Topic 'no-such-mirror' is not a mirror topic of cluster link '" + link + "'");
        JsonPath again = action(link, "pause", topic);
        assertThat(again.getInt("data[0].error_code")).isEqualTo(400);
        assertThat(again.getString("data[0].error_message")).contains("is PAUSED and can only be paused when ACTIVE");
    }

    @Test
    void deletingALinkWithLiveMirrorsIsAConflictUnlessForced() throws Exception {
        String topic = uniqueName("delete");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);

        given().delete("/links/{link}", link).then().statusCode(409)
                .body("error_code", equalTo(40901))
                .body("message", containsString("has mirror topics that are not stopped: " + topic));
        given().delete("/links/{link}?force=true", link).then().statusCode(200);

        given().get("/links/{link}", link).then().statusCode(404);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after-delete"))).get().offset()).isEqualTo(10);
        }
    }

    @Test
    void aForcedDeleteStopsEveryLiveMirrorOfTheLinkWhereItEnds() throws Exception {
        // Given a link with three mirrors caught up and a fourth one paused behind its source
        String prefix = uniqueName("forced");
        String link = uniqueName("link");
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        List<String> topics = mirrorsCaughtUp(link, prefix, 4, 40);
        String paused = topics.get(3);
        assertThat(action(link, "pause", paused).getString("data[0].error_code")).isNull();
        produce(paused, 40, 10);

        // When the link is deleted with force=true
        given().delete("/links/{link}?force=true", link).then().statusCode(200);

        // Then the link is gone, and each mirror is a plain topic holding the source's records up to
        // where it ended, which takes writes after them
        given().get("/links/{link}", link).then().statusCode(404);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            for (String t : topics) {
                Map<TopicPartition, Long> stop = KafkaClusters.endOffsets(kafka.destination(), t);
                assertThat(stop.values().stream().mapToLong(Long::longValue).sum()).as(t).isEqualTo(40);
                MirrorVerifier.compare(t, cut(KafkaClusters.readLogs(kafka.source(), t, IsolationLevel.READ_COMMITTED,
                        READ), t, stop), KafkaClusters.readLogs(kafka.destination(), t,
                                IsolationLevel.READ_UNCOMMITTED, READ));
                for (Map.Entry<TopicPartition, Long> end : stop.entrySet()) {
                    assertThat(producer.send(new ProducerRecord<>(t, end.getKey().partition(), bytes("after"),
                            bytes("after"))).get(30, TimeUnit.SECONDS).offset()).as(end.getKey().toString())
                            .isEqualTo(end.getValue());
                }
            }
        }
    }

    @Test
    void skipsRecordsTheSourceDeletedBeforeTheyWereCopiedAndSaysSo() throws Exception {
        String topic = uniqueName("retention");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 100);
        action(link, "pause", topic);
        produce(topic, 100, 100);
        kafka.sourceAdmin().deleteRecords(Map.of(new TopicPartition(topic, 0),
                org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(150))).all()
                .get(30, java.util.concurrent.TimeUnit.SECONDS);

        action(link, "resume", topic);

        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                READ);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, 150L);
        assertThat(result.recordsCompared()).isEqualTo(50);
        assertThat(mirror(link, topic).getString("mirror_status_message"))
                .contains("Source retention deleted 50 record(s) of partition 0");
    }

    @Test
    void aForeignWriteToTheMirrorFailsItInsteadOfShiftingOffsets() throws Exception {
        String topic = uniqueName("foreign");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);
        try (KafkaProducer<byte[], byte[]> intruder = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(intruder.send(new ProducerRecord<>(topic, bytes("intruder"))).get().offset()).isEqualTo(10);
        }

        produce(topic, 10, 1);

        awaitStatus(link, topic, "FAILED");
        JsonPath failed = mirror(link, topic);
        assertThat(failed.getString("mirror_topic_error")).isEqualTo("ILLEGAL_STATE");
        assertThat(failed.getString("mirror_status_message"))
                .contains("source offset 10 of partition 0 was written at offset 11");
        Map<TopicPartition, Long> endsWhenFailed = KafkaClusters.endOffsets(kafka.destination(), topic);
        produce(topic, 11, 10);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaClusters.endOffsets(kafka.destination(), topic).equals(endsWhenFailed));
    }

    @Test
    void aForeignRecordWrittenWhileTheMirrorWasPausedFailsItOnResumeInsteadOfBeingKept() throws Exception {
        // Given a paused mirror of 10 records; the source gets its 11th record, and another client
        // writes a record of its own at that offset of the mirror
        String topic = uniqueName("paused-foreign");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");
        produce(topic, 10, 1);
        try (KafkaProducer<byte[], byte[]> intruder = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(intruder.send(new ProducerRecord<>(topic, bytes("k10"), bytes("intruder"))).get().offset())
                    .isEqualTo(10);
        }

        // When it is resumed
        action(link, "resume", topic);

        // Then the restart finds the mirror's last record is not the source's, and fails the mirror
        awaitStatus(link, topic, "FAILED");
        JsonPath failed = mirror(link, topic);
        assertThat(failed.getString("mirror_topic_error")).isEqualTo("ILLEGAL_STATE");
        assertThat(failed.getString("mirror_status_message")).contains("offset 10").contains("differs from the source");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                11L);
    }

    @Test
    void aMirrorWrittenPastItsSourceWhilePausedFailsOnResume() throws Exception {
        // Given a paused mirror of 10 records, and two records another client appended to it
        String topic = uniqueName("paused-overshoot");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");
        try (KafkaProducer<byte[], byte[]> intruder = KafkaClusters.producer(kafka.destination(), Map.of())) {
            intruder.send(new ProducerRecord<>(topic, bytes("a"))).get();
            intruder.send(new ProducerRecord<>(topic, bytes("b"))).get();
        }

        // When it is resumed
        action(link, "resume", topic);

        // Then it fails: it ends beyond the source, and nothing more is written to it
        awaitStatus(link, topic, "FAILED");
        JsonPath failed = mirror(link, topic);
        assertThat(failed.getString("mirror_topic_error")).isEqualTo("UNEXPECTED_TRUNCATION");
        assertThat(failed.getString("mirror_status_message")).contains("ends at offset 10, below the mirror's end "
                + "offset 12").contains("another client wrote to the mirror topic");
        produce(topic, 10, 5);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(
                () -> KafkaClusters.endOffsets(kafka.destination(), topic).get(new TopicPartition(topic, 0)) == 12L);
    }

    @Test
    void aPromoteAfterATrailingTransactionMarkerEndsExactlyAtTheStopOffsets() throws Exception {
        // Given a source whose last offset is a commit marker (10 records at 0..9, the marker at 10)
        String topic = uniqueName("trailing-marker");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, uniqueName("tx")))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i)));
            }
            producer.commitTransaction();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        // (the coordinator writes the marker after commitTransaction returns)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> KafkaClusters.endOffsets(kafka.source(), topic).get(tp) == 11L);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        // When it is promoted
        action(link, "promote", topic);

        // Then the promoted topic ends at the stop offset 11, offset 10 holding an empty filler, so
        // consumer offsets synced from the source stay valid and the next record lands at 11
        awaitStatus(link, topic, "STOPPED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(tp, 11L);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                Duration.ofSeconds(60));
        assertThat(result.recordsCompared()).isEqualTo(10);
        assertThat(result.fillers()).isEqualTo(1);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after"))).get().offset()).isEqualTo(11L);
        }
    }

    /** Given: a source topic with {@code records} records, a link, and its mirror caught up. */
    private void mirrorCaughtUp(String link, String topic, int partitions, int records) throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, partitions, Map.of());
        produce(topic, 0, records);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
    }

    /** Topics {@code <prefix>-0..count-1} of 2 partitions with {@code records} records each, mirrored by the link and caught up. */
    private List<String> mirrorsCaughtUp(String link, String prefix, int count, int records) throws Exception {
        List<String> topics = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
        for (String t : topics) {
            KafkaClusters.createTopic(kafka.source(), t, 2, Map.of());
            produce(t, 0, records);
            createMirror(link, t);
        }
        topics.forEach(t -> awaitCaughtUp(link, t));
        return topics;
    }

    private void produce(String topic, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
    }

    /** The source as it was at the stop offsets: records before them only. */
    private static List<PartitionLog> cut(List<PartitionLog> logs, String topic, Map<TopicPartition, Long> stop) {
        return logs.stream().map(log -> {
            long end = stop.get(new TopicPartition(topic, log.partition()));
            return new PartitionLog(log.partition(), log.startOffset(), end,
                    log.records().stream().filter(r -> r.offset() < end).toList());
        }).toList();
    }

    private static String topicConfig(Admin admin, String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name)
                .value();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
