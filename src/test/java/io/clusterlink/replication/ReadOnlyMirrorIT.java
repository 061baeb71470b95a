package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.clusterId;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.NoAuthorizerClusterResource;
import io.clusterlink.testing.WithAClusterWithoutAuthorizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Mirror topics are read-only for every client but the service while they mirror, and writable
 * after promote or failover. The shared destination cluster runs an authorizer and the service
 * connects as a super user; a second destination cluster without an authorizer shows the link
 * saying that read-only is not enforced.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithAClusterWithoutAuthorizer.class)
class ReadOnlyMirrorIT {

    private static final Duration READ = Duration.ofSeconds(60);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final String TEST_USER = "User:" + KafkaClusters.TEST_USER;

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void aNormalClientCannotProduceToAMirrorButCanReadIt() throws Exception {
        String topic = uniqueName("read-only");
        String link = uniqueName("link");
        grantTestUser(topic, AclOperation.WRITE, AclOperation.READ);
        mirrorCaughtUp(link, topic, Map.of(), 10);

        try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, bytes("intruder")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        assertThat(acls(topic)).contains(denyWrite(topic));
        given().get("/links/{link}", link).then().statusCode(200)
                .body("read_only_enforced", equalTo(true))
                .body("read_only_message", nullValue());
        produce(topic, 10, 10);
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(20);
        assertThat(consumeAsTestUser(topic, 20)).extracting(ConsumerRecord::offset).hasSize(20).startsWith(0L)
                .endsWith(19L);
    }

    @Test
    void promoteMakesTheMirrorWritableAndKeepsOtherAcls() throws Exception {
        String topic = uniqueName("read-only-promote");
        String link = uniqueName("link");
        grantTestUser(topic, AclOperation.WRITE);
        mirrorCaughtUp(link, topic, Map.of(), 10);

        JsonPath promoted = action(link, "promote", topic);

        assertThat(promoted.getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after-promote")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset()).isEqualTo(10);
        }
        assertThat(acls(topic)).containsExactly(allow(topic, AclOperation.WRITE));
    }

    @Test
    void failoverMakesTheMirrorWritableAndKeepsOtherAcls() throws Exception {
        String topic = uniqueName("read-only-failover");
        String link = uniqueName("link");
        grantTestUser(topic, AclOperation.WRITE);
        mirrorCaughtUp(link, topic, Map.of(), 10);

        JsonPath failedOver = action(link, "failover", topic);

        assertThat(failedOver.getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
        try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
            assertThat(producer.send(new ProducerRecord<>(topic, bytes("after-failover")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset()).isEqualTo(10);
        }
        assertThat(acls(topic)).containsExactly(allow(topic, AclOperation.WRITE));
    }

    @Test
    void aMirrorThatLostItsReadOnlyAclGetsItBack() throws Exception {
        String topic = uniqueName("read-only-lost");
        String link = uniqueName("link");
        grantTestUser(topic, AclOperation.WRITE);
        mirrorCaughtUp(link, topic, Map.of("topic.config.sync.ms", "1000"), 5);

        kafka.destinationAdmin().deleteAcls(List.of(denyWrite(topic).toFilter())).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> acls(topic).contains(denyWrite(topic)));
        assertThat(acls(topic)).containsExactlyInAnyOrder(denyWrite(topic), allow(topic, AclOperation.WRITE));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .untilAsserted(() -> {
                    try (KafkaProducer<byte[], byte[]> producer = testUserProducer()) {
                        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, bytes("intruder")))
                                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                                .hasCauseInstanceOf(TopicAuthorizationException.class);
                    }
                });
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                5L);
    }

    @Test
    void withoutAnAuthorizerTheLinkSaysReadOnlyIsNotEnforcedAndAForeignWriteFailsTheMirror() throws Exception {
        String plain = plainClusterId();
        String bootstrap = System.getProperty(NoAuthorizerClusterResource.BOOTSTRAP_PROPERTY);
        String topic = uniqueName("not-read-only");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 0, 10);
        given().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers",
                        "value", kafka.source().bootstrapServers()))))
                .post("/kafka/v3/clusters/{c}/links", plain).then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors", plain, link).then().statusCode(204);
        await().atMost(READ).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonPath m = plainMirror(plain, link, topic);
            return "ACTIVE".equals(m.getString("mirror_status"))
                    && m.getList("mirror_lags.lag", Long.class).equals(List.of(0L))
                    && m.getList("mirror_lags.last_source_fetch_offset", Long.class).equals(List.of(10L));
        });

        given().get("/kafka/v3/clusters/{c}/links/{link}", plain, link).then().statusCode(200)
                .body("read_only_enforced", equalTo(false))
                .body("read_only_message", allOf(containsString("Mirror topics are not read-only"),
                        containsString("no authorizer"), containsString("FAILED (ILLEGAL_STATE)")));
        try (KafkaProducer<byte[], byte[]> intruder = producer(bootstrap)) {
            assertThat(intruder.send(new ProducerRecord<>(topic, bytes("intruder")))
                    .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset()).isEqualTo(10);
        }
        produce(topic, 10, 1);

        await().atMost(READ).pollInterval(Duration.ofMillis(200))
                .until(() -> "FAILED".equals(plainMirror(plain, link, topic).getString("mirror_status")));
        assertThat(plainMirror(plain, link, topic).getString("mirror_topic_error")).isEqualTo("ILLEGAL_STATE");
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of(topic)))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:failover", plain, link).then().statusCode(200)
                .body("data[0].error_code", nullValue());
        assertThat(plainMirror(plain, link, topic).getString("mirror_status")).isEqualTo("STOPPED");
    }

    /** Given: a source topic with {@code records} records, a link with {@code configs}, and its mirror caught up. */
    private void mirrorCaughtUp(String link, String topic, Map<String, String> configs, int records) throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 0, records);
        createLink(link, kafka.source().bootstrapServers(), configs);
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
    }

    private static String plainClusterId() {
        String destination = clusterId();
        List<String> ids = given().get("/kafka/v3/clusters").then().statusCode(200).extract().jsonPath()
                .getList("data.cluster_id", String.class);
        assertThat(ids).hasSize(2).contains(destination);
        return ids.stream().filter(id -> !id.equals(destination)).findFirst().orElseThrow();
    }

    private static JsonPath plainMirror(String cluster, String link, String topic) {
        return given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", cluster, link, topic).then()
                .statusCode(200).extract().jsonPath();
    }

    /** An ordinary producer's rights for {@code test-user} on the destination topic {@code topic}. */
    private void grantTestUser(String topic, AclOperation... operations) throws Exception {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(allow(topic, operation));
        }
        kafka.destinationAdmin().createAcls(bindings).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static AclBinding allow(String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(TEST_USER, "*", operation, AclPermissionType.ALLOW));
    }

    private static AclBinding denyWrite(String topic) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:*", "*", AclOperation.WRITE, AclPermissionType.DENY));
    }

    /** The destination's ACL bindings on exactly the topic {@code topic}. */
    private Set<AclBinding> acls(String topic) throws Exception {
        Admin admin = kafka.destinationAdmin();
        return new HashSet<>(admin.describeAcls(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL),
                AccessControlEntryFilter.ANY))
                .values().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A producer as {@code test-user}: no idempotence (it needs no cluster rights), failing fast. */
    private KafkaProducer<byte[], byte[]> testUserProducer() {
        Map<String, Object> overrides = new HashMap<>(
                kafka.destination().saslClientProperties(KafkaClusters.TEST_USER));
        overrides.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        overrides.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        return KafkaClusters.producer(kafka.destination(), overrides);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(properties);
    }

    /** Reads {@code count} records of partition 0 from the start as {@code test-user}, without a group. */
    private List<ConsumerRecord<byte[], byte[]>> consumeAsTestUser(String topic, int count) {
        Map<String, Object> overrides = new HashMap<>(
                kafka.destination().saslClientProperties(KafkaClusters.TEST_USER));
        overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.destination(), overrides)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(READ).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    private void produce(String topic, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
