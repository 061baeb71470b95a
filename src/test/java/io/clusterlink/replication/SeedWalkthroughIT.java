package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The migration walkthrough of the seed documents, step by step, on two clusters with the standard
 * authorizer: what {@code kafka-topics}, {@code kafka-console-*}, {@code kafka-acls},
 * {@code kafka-cluster-links} and {@code kafka-mirrors} do there is done here with Kafka clients
 * (as the super user {@code admin}, over SASL_SSL with PLAIN and a verified certificate, like the
 * seed's {@code source.config} and {@code destination.config}) and with clusterlink's REST API, which
 * itself reaches the destination over SASL_SSL.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class SeedWalkthroughIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The seed's three filter files, verbatim. */
    private static final String TOPIC_FILTER = """
            {
              "topicFilters": [
                {
                  "name": "test-topic",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    private static final String GROUP_FILTER = """
            {
              "groupFilters": [
                {
                  "name": "test-group",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    private static final String ACL_FILTER = """
            {
              "aclFilters": [
                {
                  "resourceFilter": {
                    "resourceType": "any",
                    "patternType": "any"
                  },
                  "accessFilter": {
                    "operation": "any",
                    "permissionType": "any"
                  }
                }
              ]
            }""";
    private static final AclBinding TEST_USER_READ = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "test-topic", PatternType.LITERAL),
            new AccessControlEntry("User:test-user", "*", AclOperation.READ, AclPermissionType.ALLOW));

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void migratesTopicConsumerOffsetsAndAclsThenPromotesTheTopic() throws Exception {
        LocalKafkaCluster source = kafka.source();
        LocalKafkaCluster destination = kafka.destination();
        // source.config and destination.config of the seed: SASL_SSL, PLAIN, verified certificates
        Map<String, Object> sourceConfig = kafka.saslSslClientProperties(source, KafkaClusters.ADMIN,
                KafkaClusters.ADMIN_PASSWORD, "PLAIN");
        Map<String, Object> destinationConfig = kafka.saslSslClientProperties(destination, KafkaClusters.ADMIN,
                KafkaClusters.ADMIN_PASSWORD, "PLAIN");

        // Step 2: test-topic with one partition; seq 1 5 | kafka-console-producer
        try (Admin admin = Admin.create(sourceConfig)) {
            admin.createTopics(List.of(new NewTopic("test-topic", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> KafkaClusters.endOffsets(source, "test-topic").size() == 1);
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(source, sourceConfig)) {
            for (int i = 1; i <= 5; i++) {
                producer.send(new ProducerRecord<>("test-topic", bytes(String.valueOf(i)))).get();
            }
        }
        // kafka-console-consumer --from-beginning --group test-group prints 1..5 and commits
        assertThat(consumeAsGroup(source, sourceConfig, "test-group", 5)).containsExactly("1", "2", "3", "4", "5");
        // kafka-acls --add --allow-principal User:test-user --operation READ --topic test-topic
        try (Admin admin = Admin.create(sourceConfig)) {
            admin.createAcls(List.of(TEST_USER_READ)).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS))
                    .contains(TEST_USER_READ);
        }

        // Steps 3 and 4: kafka-cluster-links --create --link test-cluster-link --config-file source.config
        // --topic-filters-json-file --consumer-group-filters-json-file --acl-filters-json-file
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("security.protocol", "SASL_SSL");
        configs.put("sasl.mechanism", "PLAIN");
        configs.put("sasl.jaas.config", LocalKafkaCluster.plainJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD));
        // The CA that signed the source's certificate, inline, as a PEM link config
        configs.put("ssl.truststore.type", "PEM");
        configs.put("ssl.truststore.certificates", kafka.certificates().caPem());
        configs.put("auto.create.mirror.topics.enable", "true");
        configs.put("consumer.offset.sync.enable", "true");
        configs.put("acl.sync.enable", "true");
        configs.put("auto.create.mirror.topics.filters", TOPIC_FILTER);
        configs.put("consumer.offset.group.filters", GROUP_FILTER);
        configs.put("acl.filters", ACL_FILTER);
        // The seed keeps Cluster Linking's 30 s offset sync interval; one second keeps this test short.
        configs.put("consumer.offset.sync.ms", "1000");
        createLink("test-cluster-link", "127.0.0.1:" + source.saslSslPort(), configs);

        // kafka-cluster-links --list; kafka-configs --describe --cluster-link test-cluster-link
        given().get("/links").then().statusCode(200)
                .body("data.find { it.link_name == 'test-cluster-link' }.link_state", equalTo("ACTIVE"))
                .body("data.find { it.link_name == 'test-cluster-link' }.source_cluster_id",
                        equalTo(source.clusterId()));
        given().get("/kafka/v3/clusters/{c}/links/test-cluster-link/configs", destination.clusterId()).then()
                .statusCode(200)
                .body("data.find { it.name == 'sasl.jaas.config' }.value", nullValue())
                .body("data.find { it.name == 'sasl.jaas.config' }.is_sensitive", equalTo(true))
                .body("data.find { it.name == 'acl.sync.enable' }.value", equalTo("true"));

        // Step 5: on the destination, test-topic is a mirror holding 1..5 at offsets 0..4 ...
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> given().get("/links/test-cluster-link/mirrors")
                        .then().statusCode(200).extract().jsonPath().getList("data.mirror_topic_name")
                        .contains("test-topic"));
        awaitCaughtUp("test-cluster-link", "test-topic");
        List<ConsumerRecord<byte[], byte[]>> mirrored = KafkaClusters.readAll(destination, "test-topic",
                IsolationLevel.READ_UNCOMMITTED, WAIT);
        assertThat(mirrored).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(mirrored).extracting(r -> string(r.value())).containsExactly("1", "2", "3", "4", "5");
        assertThat(MirrorVerifier.assertIdentical(source, "test-topic", destination, "test-topic", WAIT)
                .recordsCompared()).isEqualTo(5);
        // ... test-group has committed offset 5 on partition 0 ...
        TopicPartition partition0 = new TopicPartition("test-topic", 0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<TopicPartition, OffsetAndMetadata> offsets = kafka.destinationAdmin()
                    .listConsumerGroupOffsets("test-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(offsets.get(partition0)).isNotNull();
            assertThat(offsets.get(partition0).offset()).isEqualTo(5);
        });
        // ... and the ACL entry for User:test-user exists
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(kafka.destinationAdmin().describeAcls(new AclBindingFilter(
                        new ResourcePatternFilter(ResourceType.TOPIC, "test-topic", PatternType.LITERAL),
                        AccessControlEntryFilter.ANY)).values().get(30, TimeUnit.SECONDS)).contains(TEST_USER_READ));
        given().get("/links/test-cluster-link?include_tasks=true").then().statusCode(200)
                .body("tasks.findAll { it.state == 'ACTIVE' }.task_name",
                        hasItem("ConsumerOffsetSync"))
                .body("tasks.find { it.task_name == 'AclSync' }.state", equalTo("ACTIVE"))
                .body("tasks.find { it.task_name == 'AutoCreateMirror' }.state", equalTo("ACTIVE"));

        // kafka-mirrors --promote --topics test-topic
        given().post("/mirrors/test-topic:promote").then().statusCode(200)
                .body("data[0].mirror_topic_name", equalTo("test-topic"))
                .body("data[0].error_code", nullValue());
        awaitStatus("test-cluster-link", "test-topic", "STOPPED");
        assertThat(mirror("test-cluster-link", "test-topic").getList("mirror_lags.lag", Integer.class)).containsOnly(0);

        // Produce a message on the destination: it lands at offset 5
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(destination, destinationConfig)) {
            assertThat(producer.send(new ProducerRecord<>("test-topic", bytes("6"))).get().offset()).isEqualTo(5);
        }
        // test-group resumes on the destination exactly after what it consumed on the source
        assertThat(consumeAsGroup(destination, destinationConfig, "test-group", 1)).containsExactly("6");
        // and User:test-user, no super user, may read the topic thanks to the synced ACL
        Map<String, Object> testUser = kafka.saslSslClientProperties(destination, KafkaClusters.TEST_USER,
                KafkaClusters.TEST_USER_PASSWORD, "PLAIN");
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(destination, testUser)) {
            consumer.assign(List.of(partition0));
            consumer.seekToBeginning(List.of(partition0));
            List<String> read = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read.size() < 6 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(string(r.value())));
            }
            assertThat(read).containsExactly("1", "2", "3", "4", "5", "6");
        }

        // kafka-cluster-links --delete --link test-cluster-link
        given().delete("/links/test-cluster-link").then().statusCode(200);
        given().get("/links/test-cluster-link").then().statusCode(404);
    }

    /** Subscribes as {@code group}, reads {@code count} records, commits, and leaves the group. */
    private static List<String> consumeAsGroup(LocalKafkaCluster cluster, Map<String, Object> config, String group,
            int count) {
        Map<String, Object> overrides = new HashMap<>(config);
        overrides.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(cluster, overrides)) {
            consumer.subscribe(List.of("test-topic"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(string(r.value())));
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return values;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
