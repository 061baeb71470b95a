package io.clusterlink.api;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Links, their configs and tasks, and listing mirrors, through the v3 API. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class LinksApiTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"u\" password=\"do-not-show-me\";";
    private final KafkaClusters kafka = KafkaClusters.get();

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();

    @Test
    void showsALinkWithItsTopicsTasksAndMaskedSecrets() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("link");
        String topic = uniqueName("topic");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of("consumer.offset.sync.ms", "10000"));
        createMirror(link, topic);

        given().get("/kafka/v3/clusters/{c}/links/{link}?include_tasks=true", cluster, link).then().statusCode(200)
                .body("kind", equalTo("KafkaLinkData"))
                .body("link_name", equalTo(link))
                .body("source_cluster_id", equalTo(kafka.source().clusterId()))
                .body("topic_names", contains(topic))
                .body("link_state", equalTo("ACTIVE"))
                .body("link_error", equalTo("NO_ERROR"))
                .body("tasks.task_name",
                        contains("ConsumerOffsetSync", "AclSync", "TopicConfigsSync", "AutoCreateMirror"))
                .body("tasks.state", contains("NOT_CONFIGURED", "NOT_CONFIGURED", "ACTIVE", "NOT_CONFIGURED"));
        given().get("/kafka/v3/clusters/{c}/links/{link}", cluster, link).then().statusCode(200)
                .body("$", not(org.hamcrest.Matchers.hasKey("tasks")));
        given().get("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(200)
                .body("kind", equalTo("KafkaLinkDataList"))
                .body("data.link_name", hasItem(link));
        given().get("/kafka/v3/clusters/{c}/links/{link}/configs/consumer.offset.sync.ms", cluster, link).then()
                .statusCode(200).body("value", equalTo("10000")).body("is_default", equalTo(false));
    }

    @Test
    void sensitiveConfigsAreNeverShown() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("secret");
        given().contentType(ContentType.JSON).queryParam("link_name", link).queryParam("validate_link", "false")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"),
                        Map.of("name", "sasl.jaas.config", "value", JAAS))))
                .post("/links").then().statusCode(204);

        String configs = given().get("/kafka/v3/clusters/{c}/links/{link}/configs", cluster, link).then()
                .statusCode(200).body("data.find { it.name == 'sasl.jaas.config' }.value", nullValue())
                .body("data.find { it.name == 'sasl.jaas.config' }.is_sensitive", equalTo(true))
                .extract().asString();
        assertThat(configs).doesNotContain("do-not-show-me");
        assertThat(given().get("/links/{link}", link).then().extract().asString()).doesNotContain("do-not-show-me");
        given().delete("/links/{link}", link).then().statusCode(200);
    }

    @Test
    void alterSetsAndResetsConfigsTogether() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("alter");
        createLink(link, kafka.source().bootstrapServers(), Map.of("acl.sync.ms", "7000"));
        String path = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/configs";

        given().contentType(ContentType.JSON).body(Map.of("data", List.of(
                Map.of("name", "consumer.offset.sync.ms", "value", "45000"),
                Map.of("name", "acl.sync.ms", "operation", "DELETE")))).put(path + ":alter").then().statusCode(204);

        given().get(path + "/consumer.offset.sync.ms").then().body("value", equalTo("45000"));
        given().get(path + "/acl.sync.ms").then().body("value", equalTo("5000")).body("is_default", equalTo(true));
        given().contentType(ContentType.JSON).queryParam("validate_only", "true")
                .body(Map.of("data", List.of(Map.of("name", "consumer.offset.sync.ms", "value", "60000"))))
                .put(path + ":alter").then().statusCode(204);
        given().get(path + "/consumer.offset.sync.ms").then().body("value", equalTo("45000"));
    }

    @Test
    void alterAcceptsFixedConfigsSentBackUnchangedAndRefusesAChangeOfOne() {
        // Given a link with a prefix (fixed after create)
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("resend");
        createLink(link, kafka.source().bootstrapServers(), Map.of("cluster.link.prefix", "dc1."));
        String path = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/configs";

        // When every config comes back, fixed ones unchanged (as Terraform's update sends them), with one change
        given().contentType(ContentType.JSON).body(Map.of("data", List.of(
                Map.of("name", "bootstrap.servers", "value", kafka.source().bootstrapServers()),
                Map.of("name", "cluster.link.prefix", "value", "dc1."),
                Map.of("name", "link.mode", "value", "DESTINATION"),
                Map.of("name", "connection.mode", "value", "OUTBOUND"),
                Map.of("name", "acl.sync.ms", "value", "9000")))).put(path + ":alter").then().statusCode(204);

        // Then the change is made and the fixed ones are as they were
        given().get(path + "/acl.sync.ms").then().body("value", equalTo("9000"));
        given().get(path + "/cluster.link.prefix").then().body("value", equalTo("dc1."));

        // When a fixed one is changed alongside another change, then both are refused
        given().contentType(ContentType.JSON).body(Map.of("data", List.of(
                Map.of("name", "cluster.link.prefix", "value", "dc2."),
                Map.of("name", "acl.sync.ms", "value", "11000")))).put(path + ":alter").then().statusCode(400)
                .body("message", equalTo("Link config 'cluster.link.prefix' cannot be changed after the link is "
                        + "created (it is 'dc1.')"));
        given().contentType(ContentType.JSON).body(Map.of("data", List.of(
                Map.of("name", "cluster.link.prefix", "operation", "DELETE")))).put(path + ":alter").then()
                .statusCode(400);
        given().get(path + "/acl.sync.ms").then().body("value", equalTo("9000"));
        given().get(path + "/cluster.link.prefix").then().body("value", equalTo("dc1."));
    }

    @Test
    void listsMirrorsAcrossLinksFilteredByStatus() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("list");
        String active = uniqueName("active");
        String stopped = uniqueName("stopped");
        KafkaClusters.createTopic(kafka.source(), active, 1, Map.of());
        KafkaClusters.createTopic(kafka.source(), stopped, 2, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, active);
        createMirror(link, stopped);
        awaitStatus(link, stopped, "ACTIVE");
        ClusterLinkApi.action(link, "failover", stopped);

        given().get("/kafka/v3/clusters/{c}/links/-/mirrors?mirror_status=STOPPED", cluster).then().statusCode(200)
                .body("kind", equalTo("KafkaMirrorDataList"))
                .body("data.mirror_topic_name", hasItem(stopped))
                .body("data.mirror_topic_name", not(hasItem(active)))
                .body("data.find { it.mirror_topic_name == '" + stopped + "' }.num_partitions", equalTo(2));
        given().get("/links/{link}/mirrors?mirror_status=active", link).then().statusCode(200)
                .body("data.mirror_topic_name", contains(active));
    }

    @Test
    void pausingTheLinkStopsItsMirrorsUntilItIsResumed() throws Exception {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("paused");
        String topic = uniqueName("topic");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");
        String config = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/configs/cluster.link.paused";

        given().contentType(ContentType.JSON).body(Map.of("value", "true")).put(config).then().statusCode(204);

        given().get("/links/{link}", link).then().body("link_state", equalTo("PAUSED"));
        awaitStatus(link, topic, "LINK_PAUSED");
        Map<TopicPartition, Long> ends = KafkaClusters.endOffsets(kafka.destination(), topic);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            producer.send(new ProducerRecord<>(topic, "while-paused".getBytes(StandardCharsets.UTF_8))).get();
        }
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaClusters.endOffsets(kafka.destination(), topic).equals(ends));

        given().delete(config).then().statusCode(204);

        awaitCaughtUp(link, topic);
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(new TopicPartition(topic, 0),
                1L);
    }
}
