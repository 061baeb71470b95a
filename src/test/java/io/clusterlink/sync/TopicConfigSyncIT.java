package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Topic config sync, partition increases, and sources that are deleted, re-created or shrunk. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class TopicConfigSyncIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void sourceConfigChangesAppearOnTheMirrorAndOnlyTheIncludedOnes() throws Exception {
        // Given a mirror of a topic with retention.ms set, on a link that syncs every second
        String link = uniqueName("configs");
        String topic = uniqueName("configs");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of("retention.ms", "86400000"));
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        assertThat(config(kafka.destination(), topic, "retention.ms").value()).isEqualTo("86400000");

        // When the source changes retention.ms and sets segment.ms and max.message.bytes
        alter(kafka.source(), topic, set("retention.ms", "3600000"), set("segment.ms", "7200000"),
                set("max.message.bytes", "2000000"));

        // Then the mirror follows; while it mirrors it takes any batch one request may hold, so that no
        // record that fit the source is too large for the mirror
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(config(kafka.destination(), topic, "retention.ms").value()).isEqualTo("3600000");
            assertThat(config(kafka.destination(), topic, "segment.ms").value()).isEqualTo("7200000");
        });
        assertThat(Long.parseLong(config(kafka.destination(), topic, "max.message.bytes").value()))
                .isGreaterThan(2_000_000L);

        // When the source drops its retention.ms override
        alter(kafka.source(), topic,
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE));

        // Then the mirror drops it too
        await().atMost(WAIT).untilAsserted(() -> assertThat(config(kafka.destination(), topic, "retention.ms").source())
                .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG));

        // When the link syncs only retention.ms from now on (a runtime config change)
        given().contentType(ContentType.JSON).body(Map.of("value", "retention.ms"))
                .put("/kafka/v3/clusters/{c}/links/{l}/configs/topic.config.sync.include", ClusterLinkApi.clusterId(),
                        link)
                .then().statusCode(204);
        alter(kafka.source(), topic, set("segment.ms", "9000000"), set("retention.ms", "1800000"));

        // Then retention.ms follows, segment.ms no longer does, and the task is ACTIVE
        await().atMost(WAIT).untilAsserted(
                () -> assertThat(config(kafka.destination(), topic, "retention.ms").value()).isEqualTo("1800000"));
        assertThat(config(kafka.destination(), topic, "segment.ms").value()).isEqualTo("7200000");
        assertThat(task(link, "TopicConfigsSync")).isEqualTo("ACTIVE");

        // When the mirror is promoted, it gets the source's max.message.bytes and loses its timestamp bounds
        action(link, "promote", topic);
        awaitStatus(link, topic, "STOPPED");
        assertThat(config(kafka.destination(), topic, "max.message.bytes").value()).isEqualTo("2000000");
        assertThat(config(kafka.destination(), topic, "message.timestamp.after.max.ms").source())
                .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void aSourcePartitionIncreaseAppearsOnTheMirrorAndItsNewPartitionsReplicate() throws Exception {
        // Given a caught-up mirror of a 2-partition topic
        String link = uniqueName("grow");
        String topic = uniqueName("grow");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 200, 2);
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        // When the source grows to 5 partitions and records go to all of them
        kafka.sourceAdmin().createPartitions(Map.of(topic, NewPartitions.increaseTo(5))).all().get(30,
                TimeUnit.SECONDS);
        // Producing before the leaders serve the new partitions can lose records (KAFKA-15591)
        await().atMost(WAIT).ignoreExceptions()
                .until(() -> KafkaClusters.endOffsets(kafka.source(), topic).size() == 5);
        produce(topic, 500, 5);

        // Then the mirror has 5 partitions holding exactly the source's records
        await().atMost(WAIT).until(() -> mirror(link, topic).getInt("num_partitions") == 5);
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).hasSize(5);
        awaitCaughtUp(link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                WAIT);
        assertThat(result.recordsCompared()).isEqualTo(700);
    }

    @Test
    void aDeletedSourceTopicFailsTheMirror() throws Exception {
        String link = uniqueName("deleted");
        String topic = uniqueName("deleted");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 10, 1);
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        kafka.sourceAdmin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);

        awaitStatus(link, topic, "FAILED");
        JsonPath m = mirror(link, topic);
        assertThat(m.getString("mirror_topic_error")).isEqualTo("SOURCE_TOPIC_MAY_BE_DELETED");
        // The mirror keeps what it had, and can still be made writable
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic).values()).containsExactly(10L);
        assertThat(action(link, "failover", topic).getString("data[0].error_code")).isNull();
        awaitStatus(link, topic, "STOPPED");
    }

    @Test
    void aReCreatedSourceTopicFailsTheMirrorWithoutCopyingTheNewTopic() throws Exception {
        // Given a paused mirror, so only the metadata sync looks at the source
        String link = uniqueName("recreated");
        String topic = uniqueName("recreated");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 10, 1);
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");

        // When the source topic is deleted and re-created with the same name and more records
        recreate(topic, 1);
        produce(topic, 30, 1);

        // Then the mirror is FAILED with SOURCE_TOPIC_ID_CHANGED (possibly SOURCE_TOPIC_MAY_BE_DELETED
        // first, if a sync ran between the delete and the create) and holds only the old records
        awaitError(link, topic, "SOURCE_TOPIC_ID_CHANGED");
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic).values()).containsExactly(10L);
    }

    @Test
    void aSourceWithFewerPartitionsFailsTheMirror() throws Exception {
        String link = uniqueName("shrunk");
        String topic = uniqueName("shrunk");
        KafkaClusters.createTopic(kafka.source(), topic, 3, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of("topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");

        recreate(topic, 2);

        awaitError(link, topic, "SOURCE_PARTITIONS_DECREASED");
        assertThat(mirror(link, topic).getInt("num_partitions")).isEqualTo(3);
    }

    private static void awaitError(String link, String topic, String error) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonPath m = mirror(link, topic);
            assertThat(m.getString("mirror_status")).isEqualTo("FAILED");
            assertThat(m.getString("mirror_topic_error")).isEqualTo(error);
        });
    }

    private void recreate(String topic, int partitions) throws Exception {
        Admin admin = kafka.sourceAdmin();
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            KafkaClusters.createTopic(kafka.source(), topic, partitions, Map.of());
            return true;
        });
    }

    private void produce(String topic, int count, int partitions) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, System.currentTimeMillis(), bytes("k" + i),
                        bytes("v" + i)));
            }
            producer.flush();
        }
    }

    private static String task(String link, String name) {
        return given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract().jsonPath()
                .getString("tasks.find { it.task_name == '" + name + "' }.state");
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static void alter(LocalKafkaCluster cluster, String topic, AlterConfigOp... ops) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(ops)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static ConfigEntry config(LocalKafkaCluster cluster, String topic, String name) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            return config.get(name);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
