package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** auto.create.mirror.topics.enable with topic filters. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class AutoCreateMirrorIT {

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void mirrorsSourceTopicsThatMatchTheFiltersAndReportsNameClashes() throws Exception {
        String prefix = uniqueName("auto") + "-";
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), prefix + "before", 2, Map.of());
        KafkaClusters.createTopic(kafka.source(), prefix + "clash", 1, Map.of());
        KafkaClusters.createTopic(kafka.destination(), prefix + "clash", 1, Map.of());
        KafkaClusters.createTopic(kafka.source(), "not-" + prefix + "other", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(prefix + "before", bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
        String filters = "{\"topicFilters\":[{\"name\":\"" + prefix + "\",\"patternType\":\"PREFIXED\","
                + "\"filterType\":\"INCLUDE\"}]}";

        createLink(link, kafka.source().bootstrapServers(), Map.of("auto.create.mirror.topics.enable", "true",
                "auto.create.mirror.topics.filters", filters, "topic.config.sync.ms", "1000"));
        KafkaClusters.createTopic(kafka.source(), prefix + "after", 1, Map.of());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> given()
                .get("/links/{link}/mirrors", link).then().statusCode(200).extract().jsonPath()
                .getList("data.mirror_topic_name", String.class)
                .containsAll(List.of(prefix + "before", prefix + "after")));
        assertThat(given().get("/links/{link}/mirrors", link).then().extract().jsonPath()
                .getList("data.mirror_topic_name", String.class))
                .containsExactlyInAnyOrder(prefix + "before", prefix + "after");
        awaitCaughtUp(link, prefix + "before");
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), prefix + "before", kafka.destination(),
                prefix + "before", Duration.ofSeconds(30)).recordsCompared()).isEqualTo(10);
        JsonPath task = given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract()
                .jsonPath();
        assertThat(task.getString("tasks.find { it.task_name == 'AutoCreateMirror' }.state")).isEqualTo("IN_ERROR");
        assertThat(task.getString("tasks.find { it.task_name == 'AutoCreateMirror' }.errors[0].error_code"))
                .isEqualTo("TOPIC_EXISTS_ERROR");
        assertThat(task.getString("tasks.find { it.task_name == 'AutoCreateMirror' }.errors[0].error_message"))
                .isEqualTo("Topic '" + prefix + "clash' already exists");
    }

    @Test
    void filterChangesAndPausingApplyWithoutARestart() throws Exception {
        // Given a link that auto-creates mirrors of topics named <a>*
        String a = uniqueName("runtime-a") + "-";
        String b = uniqueName("runtime-b") + "-";
        String link = uniqueName("link");
        String configs = "/kafka/v3/clusters/" + ClusterLinkApi.clusterId() + "/links/" + link + "/configs/";
        createLink(link, kafka.source().bootstrapServers(), Map.of("auto.create.mirror.topics.enable", "true",
                "auto.create.mirror.topics.filters", prefixFilter(a), "topic.config.sync.ms", "1000"));
        KafkaClusters.createTopic(kafka.source(), a + "1", 1, Map.of());
        KafkaClusters.createTopic(kafka.source(), b + "1", 1, Map.of());
        awaitMirrors(link, List.of(a + "1"));

        // When the filter is changed to <b>*
        given().contentType(ContentType.JSON).body(Map.of("value", prefixFilter(b)))
                .put(configs + "auto.create.mirror.topics.filters").then().statusCode(204);

        // Then <b>1 is mirrored too (mirrors that exist stay)
        awaitMirrors(link, List.of(a + "1", b + "1"));

        // When the link is paused, a new matching topic waits, and the tasks say why
        given().contentType(ContentType.JSON).body(Map.of("value", "true")).put(configs + "cluster.link.paused").then()
                .statusCode(204);
        KafkaClusters.createTopic(kafka.source(), b + "2", 1, Map.of());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> mirrorNames(link).size() == 2);
        JsonPath paused = given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract()
                .jsonPath();
        assertThat(paused.getString("link_state")).isEqualTo("PAUSED");
        assertThat(paused.getList("tasks.state", String.class)).containsOnly("LINK_PAUSED", "NOT_CONFIGURED")
                .contains("LINK_PAUSED");

        // Then resetting cluster.link.paused to its default resumes auto-creation
        given().delete(configs + "cluster.link.paused").then().statusCode(204);
        awaitMirrors(link, List.of(a + "1", b + "1", b + "2"));
    }

    private static String prefixFilter(String prefix) {
        return "{\"topicFilters\":[{\"name\":\"" + prefix + "\",\"patternType\":\"PREFIXED\","
                + "\"filterType\":\"INCLUDE\"}]}";
    }

    private static List<String> mirrorNames(String link) {
        return given().get("/links/{link}/mirrors", link).then().statusCode(200).extract().jsonPath()
                .getList("data.mirror_topic_name", String.class);
    }

    private static void awaitMirrors(String link, List<String> expected) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(mirrorNames(link)).containsExactlyInAnyOrderElementsOf(expected));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
