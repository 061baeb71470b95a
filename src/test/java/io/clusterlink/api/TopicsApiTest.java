package io.clusterlink.api;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.ClusterLinkApi.setLinkConfig;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * The v3 topics of a destination cluster (list, get, delete; a mirror topic's delete removes its
 * mirror), a link's {@code category_counts} and a mirror's state transition errors.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class TopicsApiTest {

    private static final String TOPICS = "/kafka/v3/clusters/{c}/topics";
    private static final String TOPIC = "/kafka/v3/clusters/{c}/topics/{t}";
    private final KafkaClusters kafka = KafkaClusters.get();

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();

    @Test
    void listsAndGetsDestinationTopicsInConfluentsTopicShape() throws Exception {
        // Given a plain topic of 3 partitions on the destination, and a group's offsets (so that
        // the internal offsets topic exists)
        String cluster = ClusterLinkApi.clusterId();
        String topic = uniqueName("plain");
        KafkaClusters.createTopic(kafka.destination(), topic, 3, Map.of());
        kafka.destinationAdmin().alterConsumerGroupOffsets(uniqueName("group"),
                Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0))).all().get(30, TimeUnit.SECONDS);

        // When it is read, alone and in the list
        ValidatableResponse one = given().get(TOPIC, cluster, topic).then();
        ValidatableResponse all = given().get(TOPICS, cluster).then();

        // Then both show Confluent's TopicData with its related links
        String self = one.extract().path("metadata.self");
        assertThat(self).endsWith("/kafka/v3/clusters/" + cluster + "/topics/" + topic);
        one.statusCode(200).body("kind", equalTo("KafkaTopic"))
                .body("cluster_id", equalTo(cluster))
                .body("topic_name", equalTo(topic))
                .body("is_internal", equalTo(false))
                .body("replication_factor", equalTo(1))
                .body("partitions_count", equalTo(3))
                .body("partitions.related", equalTo(self + "/partitions"))
                .body("configs.related", equalTo(self + "/configs"))
                .body("partition_reassignments.related", equalTo(self + "/partitions/-/reassignments"));
        all.statusCode(200).body("kind", equalTo("KafkaTopicList"))
                .body("data.topic_name", hasItem(topic))
                .body("data.find { it.topic_name == '" + topic + "' }.partitions_count", equalTo(3))
                .body("data.find { it.topic_name == '__consumer_offsets' }.is_internal", equalTo(true));
    }

    @Test
    void unknownAndIllegalTopicNamesAreV3Errors() {
        String cluster = ClusterLinkApi.clusterId();
        String missing = uniqueName("missing");

        v3Error(given().get(TOPIC, cluster, missing).then(), 404, 40403, missing);
        v3Error(given().delete(TOPIC, cluster, missing).then(), 404, 40403, missing);
        v3Error(given().get(TOPIC, cluster, "bad*name").then(), 400, 40002, "topic_name 'bad*name' is illegal");
        v3Error(given().delete(TOPIC, cluster, "a".repeat(250)).then(), 400, 40002, "is illegal");
        v3Error(given().get(TOPICS, "no-such-cluster").then(), 404, 40403, "");
    }

    @Test
    void deletesAPlainTopicAsKafkaDoes() throws Exception {
        String cluster = ClusterLinkApi.clusterId();
        String topic = uniqueName("doomed");
        KafkaClusters.createTopic(kafka.destination(), topic, 2, Map.of());

        given().delete(TOPIC, cluster, topic).then().statusCode(204);

        awaitTopicGone(topic);
        v3Error(given().get(TOPIC, cluster, topic).then(), 404, 40403, topic);
    }

    @Test
    void aViewerCannotDeleteATopic() throws Exception {
        String cluster = ClusterLinkApi.clusterId();
        String topic = uniqueName("kept");
        KafkaClusters.createTopic(kafka.destination(), topic, 1, Map.of());

        ValidatableResponse refused = given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD)
                .delete(TOPIC, cluster, topic).then();

        v3Error(refused, 403, 403, "Forbidden");
        given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).get(TOPIC, cluster, topic)
                .then().statusCode(200).body("topic_name", equalTo(topic));
        assertThat(destinationTopics()).contains(topic);
    }

    @Test
    void deletingAMirrorTopicDeletesItsMirror() throws Exception {
        // Given an active, caught-up mirror
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String topic = uniqueName("mirrored");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 20);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        // When its topic is deleted
        given().delete(TOPIC, cluster, topic).then().statusCode(204);

        // Then the mirror is gone from the link and the API, and the topic from the destination
        v3Error(given().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then(), 404, 40403,
                "Mirror topic '" + topic + "' not found");
        given().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .body("topic_names", not(hasItem(topic)));
        given().get("/kafka/v3/clusters/{c}/links/-/mirrors", cluster).then().statusCode(200)
                .body("data.mirror_topic_name", not(hasItem(topic)));
        awaitTopicGone(topic);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> !destinationTopics().contains(topic));
    }

    @Test
    void deletesMirrorTopicsInAnyState() throws Exception {
        // Given a mirror just created, a paused one and a failed-over one on a link
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String fresh = uniqueName("fresh");
        String paused = uniqueName("paused");
        String stopped = uniqueName("stopped");
        for (String topic : List.of(fresh, paused, stopped)) {
            KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
            produce(topic, 10);
        }
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, paused);
        createMirror(link, stopped);
        awaitCaughtUp(link, paused);
        action(link, "pause", paused);
        awaitStatus(link, paused, "PAUSED");
        action(link, "failover", stopped);
        awaitStatus(link, stopped, "STOPPED");
        createMirror(link, fresh);

        // When their topics are deleted
        for (String topic : List.of(fresh, paused, stopped)) {
            given().delete(TOPIC, cluster, topic).then().statusCode(204);
        }

        // Then the link has no mirror left, and the destination none of the topics
        given().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .body("topic_names", equalTo(List.of()));
        for (String topic : List.of(fresh, paused, stopped)) {
            given().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then().statusCode(404);
            awaitTopicGone(topic);
        }
    }

    @Test
    void categoryCountsCountMirrorPartitionsByWhatTheirMirrorDoes() {
        // Given a link with an active mirror of 3 partitions and a paused one of 2
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String active = uniqueName("active");
        String paused = uniqueName("paused");
        KafkaClusters.createTopic(kafka.source(), active, 3, Map.of());
        KafkaClusters.createTopic(kafka.source(), paused, 2, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, active);
        createMirror(link, paused);
        awaitCaughtUp(link, active);
        awaitCaughtUp(link, paused);
        action(link, "pause", paused);
        awaitStatus(link, paused, "PAUSED");

        // When the link is read; then its mirror partitions are counted in every category
        given().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .body("category_counts.state_category",
                        contains("ACTIVE", "PAUSED", "IN_ERROR", "PENDING", "NOT_APPLICABLE"))
                .body("category_counts.count", contains(3, 2, 0, 0, 0));

        // And when the link is paused, the active mirror's partitions count as paused too
        setLinkConfig(link, "cluster.link.paused", "true");
        given().get("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(200)
                .body("data.find { it.link_name == '" + link + "' }.category_counts.count", contains(0, 5, 0, 0, 0));
    }

    @Test
    void aFailedMirrorShowsItsTransitionErrorOnlyWhenAskedFor() throws Exception {
        // Given a mirror that failed because another client wrote to it
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String topic = uniqueName("failing");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 5);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        try (KafkaProducer<byte[], byte[]> intruder = KafkaClusters.producer(kafka.destination(), Map.of())) {
            intruder.send(new ProducerRecord<>(topic, bytes("intruder"))).get(30, TimeUnit.SECONDS);
        }
        produce(topic, 1);
        awaitStatus(link, topic, "FAILED");
        String path = "/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}";

        // When it is read with and without include_state_transition_errors
        JsonPath asked = given().queryParam("include_state_transition_errors", true).get(path, cluster, link, topic)
                .then().statusCode(200).extract().jsonPath();
        ValidatableResponse plain = given().get(path, cluster, link, topic).then().statusCode(200);

        // Then only the asked-for read lists the transition into FAILED with its error
        assertThat(asked.getList("mirror_state_transition_errors.error_code")).containsExactly("ILLEGAL_STATE");
        assertThat(asked.getString("mirror_state_transition_errors[0].error_message"))
                .isEqualTo(asked.getString("mirror_status_message")).contains("was written at offset");
        plain.body("$", not(hasKey("mirror_state_transition_errors")));
        given().queryParam("include_state_transition_errors", false).get(path, cluster, link, topic).then()
                .body("$", not(hasKey("mirror_state_transition_errors")));
        v3Error(given().queryParam("include_state_transition_errors", "maybe").get(path, cluster, link, topic).then(),
                400, 40002, "include_state_transition_errors");
        given().queryParam("include_state_transition_errors", true).get(path, cluster, link, topic).then()
                .body("mirror_status", equalTo("FAILED"));
    }

    @Test
    void aMirrorWithoutTransitionErrorsShowsAnEmptyListWhenAsked() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String topic = uniqueName("healthy");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        given().queryParam("include_state_transition_errors", true)
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then().statusCode(200)
                .body("mirror_state_transition_errors", equalTo(List.of()));
        assertThat(mirror(link, topic).getMap("$")).doesNotContainKey("mirror_state_transition_errors");
    }

    private void produce(String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
    }

    private Set<String> destinationTopics() throws Exception {
        return kafka.destinationAdmin().listTopics().names().get(30, TimeUnit.SECONDS);
    }

    private void awaitTopicGone(String topic) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !destinationTopics().contains(topic));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void v3Error(ValidatableResponse response, int status, int errorCode, String messagePart) {
        response.statusCode(status).body("error_code", equalTo(errorCode)).body("message", containsString(messagePart));
    }
}
