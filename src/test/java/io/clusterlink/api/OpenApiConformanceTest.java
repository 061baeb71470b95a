package io.clusterlink.api;

import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.TestUsers;
import io.clusterlink.testing.WireContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Requests and answers of the running service checked against the committed OpenAPI document
 * ({@link WireContract}): the path and operation exist, parameters and bodies have the documented types,
 * the status is one the operation documents and the body matches its schema (names, types, required and
 * nullable fields, enums). Calls made to be refused are sent with only their answers checked. URLs go out
 * as written (no percent-encoding of the colon of {@code mirrors:promote}), as the document has them.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class OpenApiConformanceTest {

    private final KafkaClusters kafka = KafkaClusters.get();

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();

    @Test
    void clusterLinkAndConfigOperationsAnswerAsTheDocumentSays() {
        String cluster = contract().get("/kafka/v3/clusters").then().statusCode(200).extract()
                .path("data[0].cluster_id");
        String link = uniqueName("oas-conf");
        String links = "/kafka/v3/clusters/" + cluster + "/links";
        contract().get("/kafka/v3/clusters/{c}", cluster).then().statusCode(200);

        contract().queryParam("link_name", link).queryParam("validate_only", true).body(createLink())
                .post(links).then().statusCode(204);
        contract().queryParam("link_name", link).body(createLink()).post(links).then().statusCode(204);
        contract().get(links).then().statusCode(200);
        contract().get(links + "/{l}", link).then().statusCode(200).body("link_name", equalTo(link));
        contract().queryParam("include_tasks", true).get(links + "/{l}", link).then().statusCode(200);
        contract().get(links + "/{l}/configs", link).then().statusCode(200);
        contract().body(Map.of("value", "45000")).put(links + "/{l}/configs/consumer.offset.sync.ms", link).then()
                .statusCode(204);
        contract().get(links + "/{l}/configs/consumer.offset.sync.ms", link).then().statusCode(200)
                .body("value", equalTo("45000"));
        contract().delete(links + "/{l}/configs/consumer.offset.sync.ms", link).then().statusCode(204);
        contract().body(Map.of("data", List.of(Map.of("name", "acl.sync.ms", "value", "7000"),
                Map.of("name", "topic.config.sync.ms", "operation", "DELETE"))))
                .put(links + "/{l}/configs:alter", link).then().statusCode(204);
        contract().get("/links").then().statusCode(200);
        contract().get("/links/{l}", link).then().statusCode(200);
        contract().get("/fleet").then().statusCode(200);
        contract().delete(links + "/{l}", link).then().statusCode(200);
    }

    @Test
    void mirrorTopicOperationsAnswerAsTheDocumentSays() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("oas-mirrors");
        String topic = uniqueName("oas-topic");
        String other = uniqueName("oas-other");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        KafkaClusters.createTopic(kafka.source(), other, 1, Map.of());
        String mirrors = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/mirrors";
        ClusterLinkApi.createLink(link, kafka.source().bootstrapServers(), Map.of());

        contract().body(Map.of("source_topic_name", topic)).post(mirrors).then().statusCode(204);
        contract().body(Map.of("source_topic_name", other)).post("/links/{l}/mirrors", link).then().statusCode(204);
        ClusterLinkApi.awaitStatus(link, topic, "ACTIVE");
        contract().get(mirrors).then().statusCode(200);
        contract().queryParam("mirror_status", "ACTIVE").get(mirrors).then().statusCode(200);
        contract().get("/kafka/v3/clusters/{c}/links/-/mirrors", cluster).then().statusCode(200);
        contract().get(mirrors + "/{t}", topic).then().statusCode(200).body("mirror_topic_name", equalTo(topic));
        contract().get("/links/{l}/mirrors", link).then().statusCode(200);
        contract().get("/links/{l}/mirrors/{t}", link, topic).then().statusCode(200);
        contract().body(Map.of("mirror_topic_names", List.of(topic))).post(mirrors + ":pause").then()
                .statusCode(200).body("data[0].error_code", equalTo(null));
        contract().body(Map.of("mirror_topic_name_pattern", "oas-topic.*")).post(mirrors + ":resume").then()
                .statusCode(200);
        contract().post("/mirrors/{t}:pause", other).then().statusCode(200);
        contract().queryParam("validate_only", true).body(Map.of("mirror_topic_names", List.of(topic)))
                .post(mirrors + ":promote").then().statusCode(200);
        contract().body(Map.of("mirror_topic_names", List.of(topic, "not-a-mirror")))
                .post(mirrors + ":failover").then().statusCode(200)
                .body("data.find { it.mirror_topic_name == 'not-a-mirror' }.error_code", equalTo(404));
        ClusterLinkApi.awaitStatus(link, topic, "STOPPED");
        contract().get(mirrors + "/{t}", topic).then().statusCode(200).body("mirror_status", equalTo("STOPPED"));
    }

    @Test
    void topicOperationsAndTheReadsTerraformMakesAnswerAsTheDocumentSays() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("oas-topics");
        String topic = uniqueName("oas-mirror");
        String plain = uniqueName("oas-plain");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        KafkaClusters.createTopic(kafka.destination(), plain, 1, Map.of());
        String topics = "/kafka/v3/clusters/" + cluster + "/topics";
        ClusterLinkApi.createLink(link, kafka.source().bootstrapServers(), Map.of());
        ClusterLinkApi.createMirror(link, topic);
        ClusterLinkApi.awaitStatus(link, topic, "ACTIVE");

        contract().get("/kafka/v3/clusters").then().statusCode(200);
        contract().get(topics).then().statusCode(200);
        contract().get(topics + "/{t}", topic).then().statusCode(200).body("partitions_count", equalTo(2));
        contract().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .body("category_counts.find { it.state_category == 'ACTIVE' }.count", equalTo(2));
        contract().queryParam("include_state_transition_errors", true)
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then().statusCode(200)
                .body("mirror_state_transition_errors", equalTo(List.of()));
        contract().header("User-Agent", TerraformReplayTest.PROVIDER_USER_AGENT)
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then().statusCode(200);
        contract().delete(topics + "/{t}", plain).then().statusCode(204);
        contract().delete(topics + "/{t}", topic).then().statusCode(204);
        answers().get(topics + "/{t}", uniqueName("unknown")).then().statusCode(404).body("error_code", equalTo(40403));
    }

    @Test
    void refusedRequestsAnswerWithTheDocumentedErrorBody() {
        String cluster = ClusterLinkApi.clusterId();
        String link = uniqueName("oas-errors");
        String links = "/kafka/v3/clusters/" + cluster + "/links";
        ClusterLinkApi.createLink(link, kafka.source().bootstrapServers(), Map.of());

        answers().get(links + "/{l}", uniqueName("unknown")).then().statusCode(404).body("error_code", equalTo(40403));
        answers().queryParam("include_tasks", "maybe").get(links + "/{l}", link).then().statusCode(400)
                .body("error_code", equalTo(40002));
        answers().queryParam("link_name", link).body(createLink()).post(links).then().statusCode(409)
                .body("error_code", equalTo(40901));
        answers().body("{\"source_topic_name\": 5}").post(links + "/{l}/mirrors", link).then().statusCode(400);
        answers().auth().none().get(links).then().statusCode(401);
        answers().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).delete(links + "/{l}", link)
                .then().statusCode(403);
        String error = answers().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/none", cluster, link).then()
                .statusCode(404).extract().asString();

        assertThat(error).startsWith("{\"error_code\":");
    }

    private static RequestSpecification contract() {
        return given().filter(WireContract.requestsAndAnswers()).contentType(ContentType.JSON)
                .urlEncodingEnabled(false);
    }

    private static RequestSpecification answers() {
        return given().filter(WireContract.answers()).contentType(ContentType.JSON).urlEncodingEnabled(false);
    }

    private Map<String, Object> createLink() {
        return Map.of("source_cluster_id", kafka.source().clusterId(), "configs",
                List.of(Map.of("name", "bootstrap.servers", "value", kafka.source().bootstrapServers())));
    }
}
