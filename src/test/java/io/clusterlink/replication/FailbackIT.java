package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.WAIT;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.FailbackApi.awaitCaughtUpOnA;
import static io.clusterlink.testing.FailbackApi.mirrorOnA;
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

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.FailbackApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.WithTheSourceAsDestination;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Failing back: {@code mirrors:reverse-and-start-mirror} and {@code :reverse-and-pause-mirror} turn
 * a mirror on the destination (B) of link L around, so that its source topic on A mirrors it on the
 * link of the same name on A, without copying again. Both clusters are destination clusters here.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithTheSourceAsDestination.class)
class FailbackIT {

    private static final Duration READ = Duration.ofSeconds(60);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusters kafka = KafkaClusters.get();
    private final String a = kafka.source().clusterId();
    private final String b = kafka.destination().clusterId();
    private final List<String[]> links = new ArrayList<>();
    /** The topic of the test: actions name it unless they name others. */
    private String topic;

    @AfterEach
    void deleteLinks() {
        for (String[] link : links) {
            given().queryParam("force", true).delete("/kafka/v3/clusters/{c}/links/{link}", link[0], link[1]);
        }
    }

    @Test
    void reverseAndStartAfterAPromoteMakesTheOldSourceAReadOnlyMirrorAtTheSameOffsets() throws Exception {
        String topic = uniqueName("failback");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 2, 100);
        grantTestUserWrite(topic);
        assertThat(action(b, link, "promote", Map.of()).getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        reverseLink(link);

        JsonPath result = action(b, link, "reverse-and-start-mirror", Map.of());

        assertThat(result.getString("data[0].mirror_topic_name")).isEqualTo(topic);
        assertThat(result.getString("data[0].error_code")).isNull();
        JsonPath reversed = mirrorOnA(link, topic);
        assertThat(reversed.getString("source_topic_name")).isEqualTo(topic);
        assertThat(reversed.getString("mirror_status")).isEqualTo("ACTIVE");
        try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, bytes("on-the-old-source")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        produce(kafka.destination(), topic, 100, 50);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(150);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        assertThat(mirrorOnA(link, topic).getList("mirror_lags.lag", Integer.class)).containsExactly(0, 0);
        assertThat(topicConfig(kafka.sourceAdmin(), topic, "message.timestamp.type").value()).isEqualTo("CreateTime");
        alterTopicConfig(kafka.destinationAdmin(), topic, "retention.ms", "3600000");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> "3600000".equals(topicConfig(kafka.sourceAdmin(), topic, "retention.ms").value()));
    }

    @Test
    void partitionsAddedToTheNewPrimaryAfterThePromoteGrowTheReversedMirror() throws Exception {
        String topic = uniqueName("failback-grown");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 2, 40);
        assertThat(action(b, link, "promote", Map.of()).getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        kafka.destinationAdmin().createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            for (int i = 0; i < 9; i++) {
                producer.send(new ProducerRecord<>(topic, 2, bytes("new-k" + i), bytes("new-v" + i))).get();
            }
        }
        reverseLink(link);

        JsonPath result = action(b, link, "reverse-and-start-mirror", Map.of());

        assertThat(result.getString("data[0].error_code")).isNull();
        produce(kafka.destination(), topic, 40, 20);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> mirrorOnA(link, topic).getList("mirror_lags.lag", Integer.class).size() == 3);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(40 + 9 + 20);
    }

    @Test
    void aReversedMirrorCanBeReversedBackOntoTheFirstLink() throws Exception {
        String topic = uniqueName("failback-twice");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 2, 30);
        reverseLink(link);
        assertThat(action(b, link, "reverse-and-start-mirror", Map.of()).getString("data[0].error_code")).isNull();
        produce(kafka.destination(), topic, 30, 10);
        awaitCaughtUpOnA(link, topic);

        JsonPath result = action(a, link, "reverse-and-start-mirror", Map.of());

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(mirrorOnA(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        produce(kafka.source(), topic, 40, 10);
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(50);
    }

    @Test
    void reverseAndStartOnAnActiveMirrorPromotesItFirst() throws Exception {
        String topic = uniqueName("failback-active");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 40);
        reverseLink(link);

        JsonPath result = given().contentType(ContentType.JSON).body(Map.of("mirror_topic_name_pattern", topic))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:reverse-and-start-mirror", b, link)
                .then().statusCode(200).extract().jsonPath();

        assertThat(result.getList("data.mirror_topic_name", String.class)).containsExactly(topic);
        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        assertThat(mirrorOnA(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        produce(kafka.destination(), topic, 40, 10);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(50);
    }

    @Test
    void theReverseLinksOffsetSyncBringsConsumerOffsetsBackToTheOldSource() throws Exception {
        String topic = uniqueName("failback-groups");
        String link = uniqueName("link");
        String group = uniqueName("failback-group");
        mirrorCaughtUp(link, topic, 1, 40);
        reverseLink(link, Map.of("consumer.offset.sync.enable", "true", "consumer.offset.group.filters",
                "{\"groupFilters\":[{\"name\":\"" + group + "\",\"patternType\":\"LITERAL\","
                        + "\"filterType\":\"INCLUDE\"}]}",
                "consumer.offset.sync.ms", "1000"));
        assertThat(action(b, link, "reverse-and-start-mirror", Map.of()).getString("data[0].error_code")).isNull();
        produce(kafka.destination(), topic, 40, 20);
        TopicPartition p0 = new TopicPartition(topic, 0);

        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.destination(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.assign(List.of(p0));
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(55)));
        }

        awaitCaughtUpOnA(link, topic);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            OffsetAndMetadata synced = kafka.sourceAdmin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(p0);
            return synced != null && synced.offset() == 55;
        });
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(60);
    }

    @Test
    void reverseAndPauseLeavesTheReversedMirrorPausedUntilItIsResumed() throws Exception {
        String topic = uniqueName("failback-paused");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 2, 60);
        reverseLink(link);

        JsonPath result = action(b, link, "reverse-and-pause-mirror", Map.of());

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(mirrorOnA(link, topic).getString("mirror_status")).isEqualTo("PAUSED");
        Map<TopicPartition, Long> endsWhenPaused = KafkaClusters.endOffsets(kafka.source(), topic);
        produce(kafka.destination(), topic, 60, 30);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaClusters.endOffsets(kafka.source(), topic).equals(endsWhenPaused));
        assertThat(action(a, link, "resume", Map.of(), topic).getString("data[0].error_code")).isNull();
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(90);
    }

    @Test
    void writesToTheOldSourceAfterAFailoverRefuseTheReverseAndChangeNothing() throws Exception {
        String topic = uniqueName("failback-diverged");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 20);
        reverseLink(link);
        action(b, link, "failover", Map.of());
        produce(kafka.source(), topic, 20, 5);

        JsonPath result = action(b, link, "reverse-and-start-mirror", Map.of());

        assertThat(result.getInt("data[0].error_code")).isEqualTo(409);
        assertThat(result.getString("data[0].error_message")).isEqualTo("Partition 0 of topic '" + topic
                + "' on cluster " + a + " ends at offset 25, but its mirror on cluster " + b + " stopped at offset 20: "
                + "records were written to it after the mirror stopped, so the topics diverged and it cannot continue "
                + "the mirror; nothing was changed");
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("still-writable"))).get().offset())
                    .isEqualTo(25);
        }
    }

    @Test
    void withoutAReverseLinkTheReverseIsAPerTopicErrorAndTheMirrorStaysActive() throws Exception {
        String topic = uniqueName("failback-nolink");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);

        JsonPath result = action(b, link, "reverse-and-start-mirror", Map.of(), topic, "not-a-mirror");

        assertThat(result.getInt("data[0].error_code")).isEqualTo(404);
        assertThat(result.getString("data[0].error_message")).startsWith("No reverse link: cluster " + a
                + " has no cluster link '" + link + "'");
        assertThat(result.getInt("data[1].error_code")).isEqualTo(404);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
    }

    @Test
    void aReverseLinkThatCannotReachTheNewSourceRefusesTheReverseBeforeTheMirrorIsPromoted() throws Exception {
        // Given an active mirror, and a reverse link to a port nothing listens on
        String topic = uniqueName("failback-unreachable");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);
        String nowhere = FailbackApi.nowhere();
        FailbackApi.createReverseLinkUnchecked(link, nowhere);
        links.add(0, new String[] { a, link });

        // When it is reversed
        long started = System.nanoTime();
        JsonPath result = action(b, link, "reverse-and-start-mirror", Map.of());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // Then the topic's error says which cluster could not be read through which link, within the source
        // timeout, and the mirror was not promoted
        assertThat(result.getInt("data[0].error_code")).isEqualTo(400);
        assertThat(result.getString("data[0].error_message")).startsWith("Cannot read topic '" + topic + "' on cluster "
                + b + " through the reverse link '" + link + "' on cluster " + a + " (bootstrap.servers " + nowhere
                + "): ").endsWith("; nothing was changed");
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
    }

    @Test
    void validateOnlyChecksTheReverseAndChangesNothing() throws Exception {
        String topic = uniqueName("failback-validate");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic, 1, 10);
        reverseLink(link);

        JsonPath result = action(b, link, "reverse-and-pause-mirror", Map.of("validate_only", true));

        assertThat(result.getString("data[0].error_code")).isNull();
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic).then().statusCode(404);
    }

    @Test
    void badInputIsAV3Error() {
        String link = uniqueName("link");
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });

        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("t"),
                "mirror_topic_name_pattern", "t.*"))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:reverse-and-start-mirror", b, link)
                .then().statusCode(400).body("error_code", equalTo(40002))
                .body("message", containsString("not both"));
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("bad/name")))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:reverse-and-pause-mirror", b, link)
                .then().statusCode(400).body("error_code", equalTo(40002));
        given().contentType(ContentType.JSON)
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:reverse-and-start-mirror", b, link)
                .then().statusCode(400).body("error_code", equalTo(40002));
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("t")))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:reverse-and-start-mirror", b, "no-such-link")
                .then().statusCode(404).body("error_code", equalTo(40403));
    }

    private void mirrorCaughtUp(String link, String topic, int partitions, int records) throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, partitions, Map.of());
        produce(kafka.source(), topic, 0, records);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        this.topic = topic;
    }

    /** The link of the same name on A, whose source is B; deleted after the test, before the link on B. */
    private void reverseLink(String link) {
        reverseLink(link, Map.of());
    }

    private void reverseLink(String link, Map<String, String> linkConfigs) {
        FailbackApi.createReverseLink(link, linkConfigs);
        links.add(0, new String[] { a, link });
    }

    /** An action on the named topics, or on the topic of the test. */
    private JsonPath action(String cluster, String link, String action, Map<String, Object> query, String... topics) {
        return FailbackApi.action(cluster, link, action, query, topics.length == 0 ? List.of(topic) : List.of(topics));
    }

    private static ConfigEntry topicConfig(Admin admin, String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(resource).get(name);
    }

    private static void alterTopicConfig(Admin admin, String topic, String name, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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

    private static void produce(LocalKafkaCluster cluster, String topic, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i))).get();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
