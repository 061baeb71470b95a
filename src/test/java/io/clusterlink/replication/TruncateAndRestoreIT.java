package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.WAIT;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.FailbackApi.awaitCaughtUpOnA;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.FailbackApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.PartitionLog;
import io.clusterlink.testing.WithTheSourceAsDestination;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * {@code mirrors:truncate-and-restore} on mirror T of link L on B after a failover, when the old
 * source (T on A) got records after the stop: A's records past the stop offsets are set aside in a
 * recovery topic on A, and T on A becomes a mirror of T on B from scratch, offset for offset, on
 * the reverse link (L on A). Both clusters are destination clusters here.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithTheSourceAsDestination.class)
class TruncateAndRestoreIT {

    private static final Duration READ = Duration.ofSeconds(60);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    /** Record timestamps of the test: their own, so the recovery copy can be shown to keep them. */
    private static final long BASE_TIME = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

    private final KafkaClusters kafka = KafkaClusters.get();
    private final String a = kafka.source().clusterId();
    private final String b = kafka.destination().clusterId();
    private final List<String[]> links = new ArrayList<>();

    @AfterEach
    void deleteLinks() {
        for (String[] link : links) {
            given().queryParam("force", true).delete("/kafka/v3/clusters/{c}/links/{link}", link[0], link[1]);
        }
    }

    @Test
    void divergedOldSourceIsSetAsideAndRestoredAsAMirrorWithTheSameOffsets() throws Exception {
        String topic = uniqueName("restore");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        grantTestUserWrite(topic);
        List<PartitionLog> diverged = divergedRecords(topic);
        String recovery = recoveryTopic(link, topic);

        JsonPath result = restore(link, topic, Map.of("include_partition_level_truncation_data", true));

        assertThat(result.getString("data[0].mirror_topic_name")).isEqualTo(topic);
        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(result.getLong("data[0].messages_truncated")).isEqualTo(8);
        assertSetAsideOfTheFailover(result);
        assertThat(KafkaClusters.endOffsets(kafka.source(), recovery)).isEqualTo(Map.of(
                new TopicPartition(recovery, 0), 5L, new TopicPartition(recovery, 1), 3L));
        assertRecoveryHolds(recovery, diverged);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(20 + 4 + 30 + 2);
        produce(kafka.destination(), topic, 0, 100, 6);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(62);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, 0, bytes("k"), bytes("on-the-old")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        JsonPath again = restore(link, topic, Map.of());
        assertThat(again.getInt("data[0].error_code")).isEqualTo(409);
        assertThat(again.getString("data[0].error_message")).isEqualTo("Topic '" + topic + "' on cluster " + a
                + " is already a mirror topic of cluster link '" + link + "'");
    }

    @Test
    void severalMirrorsRestoredInOneRequestAreEachRestoredAndAnsweredInTheOrderAsked() throws Exception {
        // Given four mirrors of one link failed over, three of them with writes on both sides after
        // the stop, the fourth with writes on B only
        String link = uniqueName("link");
        List<String> topics = IntStream.range(0, 4).mapToObj(i -> uniqueName("restore-many-" + i)).toList();
        for (String t : topics) {
            sourceTopic(t);
        }
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });
        topics.forEach(t -> createMirror(link, t));
        topics.forEach(t -> awaitCaughtUp(link, t));
        reverseLink(link);
        JsonPath failover = FailbackApi.action(b, link, "failover", Map.of(), topics);
        assertThat(failover.getList("data.error_code")).containsOnlyNulls();
        topics.forEach(t -> awaitStatus(link, t, "STOPPED"));
        List<String> diverging = topics.subList(0, 3);
        Map<String, List<PartitionLog>> diverged = new HashMap<>();
        Map<String, String> recoveries = new HashMap<>();
        for (String t : topics) {
            if (diverging.contains(t)) {
                writeOnAAfterTheStop(t);
            }
            writeOnBAfterTheStop(t);
        }
        for (String t : diverging) {
            diverged.put(t, divergedRecords(t));
            recoveries.put(t, recoveryTopic(link, t));
        }

        // When all four and a topic that is no mirror are restored in one request
        List<String> asked = List.of(topics.get(0), "not-a-mirror", topics.get(1), topics.get(2), topics.get(3));
        JsonPath result = FailbackApi.action(b, link, "truncate-and-restore",
                Map.of("include_partition_level_truncation_data", true), asked);

        // Then the answers come in the order asked, each with what its restore set aside, and every
        // restored mirror on A is B's topic offset for offset
        assertThat(result.getList("data.mirror_topic_name")).containsExactlyElementsOf(asked);
        assertThat(result.getInt("data[1].error_code")).isEqualTo(404);
        for (int i : new int[] { 0, 2, 3, 4 }) {
            assertThat(result.getString("data[" + i + "].error_code")).as(asked.get(i)).isNull();
        }
        for (int i : new int[] { 0, 2, 3 }) {
            assertSetAsideOfTheFailover(result, i);
            assertRecoveryHolds(recoveries.get(asked.get(i)), diverged.get(asked.get(i)));
        }
        assertThat(result.getLong("data[4].messages_truncated")).isZero();
        for (String t : topics) {
            awaitCaughtUpOnA(link, t);
            assertThat(MirrorVerifier.assertIdentical(kafka.destination(), t, kafka.source(), t, READ)
                    .recordsCompared()).as(t).isEqualTo(20 + 4 + 30 + 2);
        }
    }

    @Test
    void partitionsAddedToTheNewPrimaryAfterTheFailoverAreInTheRestoredMirror() throws Exception {
        String topic = uniqueName("restore-grown");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        kafka.destinationAdmin().createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        produce(kafka.destination(), topic, 2, 0, 7);
        List<PartitionLog> diverged = divergedRecords(topic);
        String recovery = recoveryTopic(link, topic);

        JsonPath result = restore(link, topic, Map.of("include_partition_level_truncation_data", true));

        assertThat(result.getString("data[0].error_code")).isNull();
        assertSetAsideOfTheFailover(result);
        assertRecoveryHolds(recovery, diverged);
        awaitCaughtUpOnA(link, topic);
        assertThat(KafkaClusters.endOffsets(kafka.source(), topic)).hasSize(3);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(24 + 32 + 7);
    }

    @Test
    void askedOnTheOldSourceAsConfluentsClientsAskItTheRestoreIsTheSame() throws Exception {
        String topic = uniqueName("restore-on-a");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        List<PartitionLog> diverged = divergedRecords(topic);
        String recovery = recoveryTopic(link, topic);

        JsonPath checked = action(a, link, "truncate-and-restore", Map.of("validate_only", true,
                "include_partition_level_truncation_data", true), topic, "not-a-topic-here");
        JsonPath result = action(a, link, "truncate-and-restore",
                Map.of("include_partition_level_truncation_data", true), topic);

        for (JsonPath answer : List.of(checked, result)) {
            assertThat(answer.getString("data[0].mirror_topic_name")).isEqualTo(topic);
            assertThat(answer.getString("data[0].error_code")).isNull();
            assertThat(answer.getLong("data[0].messages_truncated")).isEqualTo(8);
            assertSetAsideOfTheFailover(answer);
        }
        assertThat(checked.getInt("data[1].error_code")).isEqualTo(404);
        assertRecoveryHolds(recovery, diverged);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(20 + 4 + 30 + 2);
        JsonPath again = action(a, link, "truncate-and-restore", Map.of(), topic);
        assertThat(again.getInt("data[0].error_code")).isEqualTo(400);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
    }

    @Test
    void validateOnlyReportsTheCountsOfTheRestoreAndChangesNothing() throws Exception {
        String topic = uniqueName("restore-validate");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        Map<TopicPartition, Long> endsOnA = KafkaClusters.endOffsets(kafka.source(), topic);

        JsonPath checked = restore(link, topic, Map.of("validate_only", true,
                "include_partition_level_truncation_data", true));

        assertThat(checked.getString("data[0].error_code")).isNull();
        assertThat(checked.getLong("data[0].messages_truncated")).isEqualTo(8);
        assertThat(KafkaClusters.endOffsets(kafka.source(), topic)).isEqualTo(endsOnA);
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
        assertThat(kafka.sourceAdmin().listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .noneMatch(t -> t.startsWith(topic + ".truncated-"));
        JsonPath done = restore(link, topic, Map.of("include_partition_level_truncation_data", true));
        assertThat(done.getString("data[0].error_code")).isNull();
        assertThat(done.getLong("data[0].messages_truncated")).isEqualTo(8);
        assertThat(checked.getList("data[0].partition_level_truncation_data")).containsExactly(
                Map.of("partition_id", 0, "offset_truncated_to", 20, "messages_truncated", 5),
                Map.of("partition_id", 1, "offset_truncated_to", 30, "messages_truncated", 3))
                .isEqualTo(done.getList("data[0].partition_level_truncation_data"));
    }

    @Test
    void aRestoreCutShortContinuesTheRecoveryCopyWithoutWritingAnyRecordTwice() throws Exception {
        String topic = uniqueName("restore-resumed");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        List<PartitionLog> diverged = divergedRecords(topic);
        String recovery = recoveryTopic(link, topic);
        KafkaClusters.createTopic(kafka.source(), recovery, 2, Map.of());
        writeTo(recovery, 0, diverged.get(0).records().subList(0, 2));

        JsonPath result = restore(link, topic, Map.of("include_partition_level_truncation_data", true));

        assertThat(result.getString("data[0].error_code")).isNull();
        assertSetAsideOfTheFailover(result);
        assertRecoveryHolds(recovery, diverged);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(56);
    }

    @Test
    void aRestoreCutShortAfterTheOldTopicWasDeletedMakesTheMirrorAndReportsWhatWasSetAside() throws Exception {
        String topic = uniqueName("restore-deleted");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        List<PartitionLog> diverged = divergedRecords(topic);
        String recovery = recoveryTopic(link, topic);
        KafkaClusters.createTopic(kafka.source(), recovery, 2, Map.of());
        writeTo(recovery, 0, diverged.get(0).records());
        writeTo(recovery, 1, diverged.get(1).records());
        kafka.sourceAdmin().deleteTopics(List.of(topic)).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> !kafka.sourceAdmin().listTopics()
                .names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic));

        JsonPath result = restore(link, topic, Map.of("include_partition_level_truncation_data", true));

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(result.getLong("data[0].messages_truncated")).isEqualTo(8);
        assertSetAsideOfTheFailover(result);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(56);
        assertThat(KafkaClusters.endOffsets(kafka.source(), recovery)).isEqualTo(Map.of(
                new TopicPartition(recovery, 0), 5L, new TopicPartition(recovery, 1), 3L));
    }

    @Test
    void theRestoredMirrorStartsAtTheLogStartOfTheNewSource() throws Exception {
        String topic = uniqueName("restore-log-start");
        String link = uniqueName("link");
        failedOverWithWritesOnBothSides(link, topic);
        kafka.destinationAdmin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(10)))
                .all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        JsonPath result = restore(link, topic, Map.of());

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(result.getLong("data[0].messages_truncated")).isEqualTo(8);
        awaitCaughtUpOnA(link, topic);
        assertThat(KafkaClusters.startOffsets(kafka.source(), topic)).isEqualTo(Map.of(
                new TopicPartition(topic, 0), 10L, new TopicPartition(topic, 1), 0L));
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(46);
    }

    @Test
    void anOldSourceThatDidNotDivergeIsReversedWithNothingTruncated() throws Exception {
        String topic = uniqueName("restore-same");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);
        reverseLink(link);
        action(b, link, "failover", Map.of(), topic);
        awaitStatus(link, topic, "STOPPED");
        produce(kafka.destination(), topic, 0, 20, 3);

        JsonPath result = restore(link, topic, Map.of());

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(result.getLong("data[0].messages_truncated")).isZero();
        assertThat(result.getMap("data[0]")).doesNotContainKey("partition_level_truncation_data");
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(53);
        assertThat(kafka.sourceAdmin().listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .noneMatch(t -> t.startsWith(topic + ".truncated-"));
    }

    @Test
    void restoresThatCannotBeDoneArePerTopicErrorsAndChangeNothing() throws Exception {
        String topic = uniqueName("restore-refused");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);

        JsonPath notStopped = restore(link, topic, Map.of());
        action(b, link, "failover", Map.of(), topic);
        awaitStatus(link, topic, "STOPPED");
        JsonPath noReverseLink = restore(link, topic, Map.of());
        reverseLink(link);
        produce(kafka.source(), topic, 0, 20, 2);
        kafka.sourceAdmin().createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        JsonPath morePartitions = given().contentType(ContentType.JSON)
                .body(Map.of("mirror_topic_names", List.of(topic, "not-a-mirror")))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:truncate-and-restore", b, link)
                .then().statusCode(200).extract().jsonPath();

        assertThat(noReverseLink.getInt("data[0].error_code")).isEqualTo(404);
        assertThat(noReverseLink.getString("data[0].error_message")).startsWith("No reverse link: cluster " + a
                + " has no cluster link '" + link + "'");
        assertThat(notStopped.getInt("data[0].error_code")).isEqualTo(400);
        assertThat(notStopped.getString("data[0].error_message")).isEqualTo("Topic '" + topic
                + "' is ACTIVE: truncate-and-restore needs a STOPPED mirror (promote or fail it over first)");
        assertThat(morePartitions.getInt("data[0].error_code")).isEqualTo(400);
        assertThat(morePartitions.getString("data[0].error_message")).isEqualTo("Topic '" + topic
                + "' has 3 partitions on cluster " + a + ", but its mirror on cluster " + b
                + " stopped with 2: it cannot be restored; nothing was changed");
        assertThat(morePartitions.getInt("data[1].error_code")).isEqualTo(404);
        assertThat(KafkaClusters.endOffsets(kafka.source(), topic).get(new TopicPartition(topic, 0))).isEqualTo(22);
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
    }

    @Test
    void aRestoreWhoseReverseLinkCannotReachTheNewSourceIsAPerTopicErrorAndChangesNothing() throws Exception {
        // Given a failover with writes to A afterwards, and a reverse link to a port nothing listens on
        String topic = uniqueName("restore-unreachable");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);
        assertThat(action(b, link, "failover", Map.of(), topic).getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        produce(kafka.source(), topic, 0, 20, 5);
        String nowhere = FailbackApi.nowhere();
        FailbackApi.createReverseLinkUnchecked(link, nowhere);
        links.add(0, new String[] { a, link });
        Map<TopicPartition, Long> endsOnA = KafkaClusters.endOffsets(kafka.source(), topic);

        // When it is checked, then restored
        long started = System.nanoTime();
        JsonPath checked = restore(link, topic, Map.of("validate_only", true));
        JsonPath restored = restore(link, topic, Map.of("include_partition_level_truncation_data", true));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // Then both are refused for that topic, saying which cluster could not be read through which link,
        // within the source timeout, and nothing changed: B's mirror stopped, A's topic as it was, writable
        for (JsonPath result : List.of(checked, restored)) {
            assertThat(result.getList("data.mirror_topic_name", String.class)).containsExactly(topic);
            assertThat(result.getInt("data[0].error_code")).isEqualTo(400);
            assertThat(result.getString("data[0].error_message")).startsWith("Cannot read topic '" + topic
                    + "' on cluster " + b + " through the reverse link '" + link + "' on cluster " + a
                    + " (bootstrap.servers " + nowhere + "): ")
                    .endsWith("; nothing was changed");
            assertThat(result.getMap("data[0]")).doesNotContainKey("partition_level_truncation_data");
        }
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
        assertThat(KafkaClusters.endOffsets(kafka.source(), topic)).isEqualTo(endsOnA);
        assertThat(kafka.sourceAdmin().listTopics().names().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .noneMatch(t -> t.startsWith(topic + ".truncated-"));
        AclBindingFilter topicAcls = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL),
                AccessControlEntryFilter.ANY);
        assertThat(kafka.sourceAdmin().describeAcls(topicAcls).values()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEmpty();
    }

    @Test
    void badInputIsAV3Error() {
        String link = uniqueName("link");
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });
        String path = "/kafka/v3/clusters/{c}/links/{link}/mirrors:truncate-and-restore";

        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("t"),
                "mirror_topic_name_pattern", "t.*")).post(path, b, link)
                .then().statusCode(400).body("error_code", equalTo(40002)).body("message", containsString("not both"));
        given().contentType(ContentType.JSON).queryParam("include_partition_level_truncation_data", "maybe")
                .body(Map.of("mirror_topic_names", List.of("t"))).post(path, b, link)
                .then().statusCode(400).body("error_code", equalTo(40002))
                .body("message", containsString("include_partition_level_truncation_data"));
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("bad/name")))
                .post(path, b, link).then().statusCode(400).body("error_code", equalTo(40002));
        given().contentType(ContentType.JSON).post(path, b, link).then().statusCode(400)
                .body("error_code", equalTo(40002));
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("t")))
                .post(path, b, "no-such-link").then().statusCode(404).body("error_code", equalTo(40403));
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("t")))
                .post("/mirrors/{topic}:truncate-and-restore", "t").then().statusCode(404);
    }

    /**
     * T with 2 partitions (20 and 30 records) mirrored by L on B, the reverse link L on A, a failover
     * (stop offsets 20 and 30), then 5 and 3 records written to A and 4 and 2 to B.
     */
    private void failedOverWithWritesOnBothSides(String link, String topic) throws Exception {
        mirrorCaughtUp(link, topic);
        reverseLink(link);
        assertThat(action(b, link, "failover", Map.of(), topic).getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        writeOnAAfterTheStop(topic);
        writeOnBAfterTheStop(topic);
    }

    /** Topic T on A, 2 partitions of 20 and 30 records. */
    private void sourceTopic(String topic) throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(kafka.source(), topic, 0, 0, 20);
        produce(kafka.source(), topic, 1, 0, 30);
    }

    /** 5 and 3 records on A past the stop offsets (20 and 30) of T's mirror on B. */
    private static void writeOnAAfterTheStop(String topic) throws Exception {
        produce(KafkaClusters.get().source(), topic, 0, 20, 5);
        produce(KafkaClusters.get().source(), topic, 1, 30, 3);
    }

    /** 4 and 2 records on B after its mirror of T stopped (at 20 and 30). */
    private static void writeOnBAfterTheStop(String topic) throws Exception {
        produce(KafkaClusters.get().destination(), topic, 0, 20, 4);
        produce(KafkaClusters.get().destination(), topic, 1, 30, 2);
    }

    private void mirrorCaughtUp(String link, String topic) throws Exception {
        sourceTopic(topic);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
    }

    /** The recovery topic of mirror T on B: named after its stop time. */
    private static String recoveryTopic(String link, String topic) {
        return topic + ".truncated-" + mirror(link, topic).getLong("state_time_ms");
    }

    /** Writes copies of {@code records} to a partition of A's {@code topic}, as a restore copies them. */
    private void writeTo(String topic, int partition, List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, partition, r.timestamp(), r.key(), r.value(), r.headers()))
                        .get();
            }
        }
    }

    /** A's records of each partition at and past the stop offsets (20 and 30). */
    private List<PartitionLog> divergedRecords(String topic) {
        List<PartitionLog> logs = KafkaClusters.readLogs(kafka.source(), topic, IsolationLevel.READ_COMMITTED, READ);
        long[] stops = { 20, 30 };
        return logs.stream().map(log -> new PartitionLog(log.partition(), stops[log.partition()], log.endOffset(),
                log.records().stream().filter(r -> r.offset() >= stops[r.partition()]).toList())).toList();
    }

    /** The records a restore answered it set aside after {@link #failedOverWithWritesOnBothSides}: 5 and 3. */
    private static void assertSetAsideOfTheFailover(JsonPath answer) {
        assertSetAsideOfTheFailover(answer, 0);
    }

    /** {@link #assertSetAsideOfTheFailover(JsonPath)} of the answer's {@code index}-th topic. */
    private static void assertSetAsideOfTheFailover(JsonPath answer, int index) {
        assertThat(answer.getLong("data[" + index + "].messages_truncated")).isEqualTo(8);
        assertThat(answer.getList("data[" + index + "].partition_level_truncation_data")).containsExactly(
                Map.of("partition_id", 0, "offset_truncated_to", 20, "messages_truncated", 5),
                Map.of("partition_id", 1, "offset_truncated_to", 30, "messages_truncated", 3));
    }

    /** The recovery topic holds exactly A's records past the stop offsets, partition for partition. */
    private void assertRecoveryHolds(String recovery, List<PartitionLog> diverged) {
        List<PartitionLog> setAside = KafkaClusters.readLogs(kafka.source(), recovery, IsolationLevel.READ_COMMITTED,
                READ);
        assertThat(setAside).hasSameSizeAs(diverged);
        for (int p = 0; p < diverged.size(); p++) {
            assertSameRecords(setAside.get(p).records(), diverged.get(p).records());
        }
    }

    private static void assertSameRecords(List<ConsumerRecord<byte[], byte[]>> copied,
            List<ConsumerRecord<byte[], byte[]>> original) {
        assertThat(copied).hasSameSizeAs(original);
        for (int i = 0; i < original.size(); i++) {
            ConsumerRecord<byte[], byte[]> c = copied.get(i);
            ConsumerRecord<byte[], byte[]> o = original.get(i);
            assertThat(c.key()).as("key of record %d", i).isEqualTo(o.key());
            assertThat(c.value()).as("value of record %d", i).isEqualTo(o.value());
            assertThat(c.timestamp()).as("timestamp of record %d", i).isEqualTo(o.timestamp());
            assertThat(c.headers().toArray()).as("headers of record %d", i).containsExactly(o.headers().toArray());
        }
    }

    /** The link of the same name on A, whose source is B; deleted after the test, before the link on B. */
    private void reverseLink(String link) {
        FailbackApi.createReverseLink(link, Map.of());
        links.add(0, new String[] { a, link });
    }

    private JsonPath restore(String link, String topic, Map<String, Object> query) {
        return action(b, link, "truncate-and-restore", query, topic);
    }

    private static JsonPath action(String cluster, String link, String action, Map<String, Object> query,
            String... topics) {
        return FailbackApi.action(cluster, link, action, query, List.of(topics));
    }

    private void grantTestUserWrite(String topic) throws Exception {
        AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + KafkaClusters.TEST_USER, "*", AclOperation.WRITE,
                        AclPermissionType.ALLOW));
        kafka.sourceAdmin().createAcls(List.of(binding)).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A producer to A as {@code test-user}: no idempotence (it needs no cluster rights), failing fast. */
    private KafkaProducer<byte[], byte[]> testUserProducer() {
        Map<String, Object> overrides = new HashMap<>(kafka.source().saslClientProperties(KafkaClusters.TEST_USER));
        overrides.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        overrides.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        return KafkaClusters.producer(kafka.source(), overrides);
    }

    /** Records {@code from..from+count-1} to one partition: key, value, a header and a timestamp of their own. */
    private static void produce(LocalKafkaCluster cluster, String topic, int partition, int from, int count)
            throws Exception {
        String side = cluster == KafkaClusters.get().source() ? "a" : "b";
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
            for (int i = from; i < from + count; i++) {
                List<Header> headers = List.of(new RecordHeader("written-on", bytes(side)),
                        new RecordHeader("n", bytes(Integer.toString(i))));
                producer.send(new ProducerRecord<>(topic, partition, BASE_TIME + partition * 1000L + i,
                        bytes(side + "-k" + i), bytes(side + "-v" + i), headers)).get();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
