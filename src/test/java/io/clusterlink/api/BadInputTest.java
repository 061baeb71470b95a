package io.clusterlink.api;

import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createLinkResponse;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Bad input gets a v3 error body with the right status, never a 500, and leaves stored state alone. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class BadInputTest {

    private final KafkaClusters kafka = KafkaClusters.get();
    private static String cluster;
    private static String link;
    private static String topic;

    /** One link with one mirror, shared by the tests of this class. */
    @BeforeEach
    void linkWithAMirror() {
        if (link != null) {
            return;
        }
        cluster = ClusterLinkApi.clusterId();
        topic = uniqueName("topic");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        String name = uniqueName("link");
        createLink(name, kafka.source().bootstrapServers(), Map.of());
        createMirror(name, topic);
        link = name;
    }

    private static ValidatableResponse postLink(String name, String body) {
        return given().contentType(ContentType.JSON).queryParam("link_name", name).body(body).post("/links").then();
    }

    private static void error(ValidatableResponse response, int status, int code, String message) {
        response.statusCode(status).contentType(ContentType.JSON)
                .body("error_code", equalTo(code))
                .body("message", containsString(message));
    }

    @Test
    void malformedJsonIsA400() {
        String name = uniqueName("bad");
        error(postLink(name, "{\"configs\":["), 400, 400, "Malformed request body: invalid JSON");
        error(postLink(name, "{\"configs\":\"bootstrap\"}"), 400, 400, "field 'configs' has the wrong type");
        error(postLink(name, "[1,2]"), 400, 400, "Malformed request body");
        assertNoLink(name);
    }

    @Test
    void unknownAndInvalidLinkConfigsAreNamed() {
        String name = uniqueName("bad");
        error(createLinkResponse(name, kafka.source().bootstrapServers(), Map.of("foo.bar", "1")).then(), 400, 40002,
                "Unknown link config: foo.bar");
        error(createLinkResponse(name, kafka.source().bootstrapServers(), Map.of("consumer.offset.sync.ms", "soon"))
                .then(), 400, 40002, "Invalid value 'soon' for link config 'consumer.offset.sync.ms'");
        error(createLinkResponse(name, kafka.source().bootstrapServers(), Map.of("acl.sync.enable", "true")).then(),
                400, 40002, "'acl.sync.enable=true' needs 'acl.filters'");
        error(createLinkResponse(name, kafka.source().bootstrapServers(), Map.of("acl.sync.enable", "true",
                "acl.filters", "{\"aclFilters\":[]}")).then(), 400, 40002,
                "link config 'acl.filters': aclFilters field cannot be empty");
        error(createLinkResponse(name, kafka.source().bootstrapServers(), Map.of("auto.create.mirror.topics.filters",
                "{\"topicFilters\":[{\"name\":\"t\",\"patternType\":\"REGEX\",\"filterType\":\"INCLUDE\"}]}"))
                .then(), 400, 40002, "topicFilters[0].patternType 'REGEX' is not one of [LITERAL, PREFIXED]");
        error(postLink(name, "{\"configs\":[]}"), 400, 40002, "Link config 'bootstrap.servers' is required");
        error(postLink(name, "{\"configs\":[{\"name\":\"bootstrap.servers\",\"value\":null}]}"), 400, 40002,
                "Link config 'bootstrap.servers' has no value");
        assertNoLink(name);
    }

    @Test
    void invalidSyncFilterAndPrefixCombinationsAreNamed() {
        String name = uniqueName("bad");
        String bootstrap = kafka.source().bootstrapServers();
        String groups = "{\"groupFilters\":[{\"name\":\"*\",\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\"}]}";
        error(createLinkResponse(name, bootstrap, Map.of("auto.create.mirror.topics.enable", "true")).then(), 400,
                40002, "'auto.create.mirror.topics.enable=true' needs 'auto.create.mirror.topics.filters'");
        error(createLinkResponse(name, bootstrap, Map.of("consumer.offset.sync.enable", "true")).then(), 400, 40002,
                "'consumer.offset.sync.enable=true' needs 'consumer.offset.group.filters'");
        error(createLinkResponse(name, bootstrap, Map.of("consumer.offset.group.filters",
                "{\"groupFilters\":[{\"name\":\"g\",\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\",\"x\":1}]}"))
                .then(), 400, 40002, "groupFilters[0] has an unknown field 'x'");
        error(createLinkResponse(name, bootstrap, Map.of("consumer.offset.group.filters",
                "{\"topicFilters\":[]}")).then(), 400, 40002, "unknown field 'topicFilters'");
        error(createLinkResponse(name, bootstrap, Map.of("acl.filters", "{\"aclFilters\":[{\"resourceFilter\":"
                + "{\"resourceType\":\"table\",\"patternType\":\"any\"},\"accessFilter\":{\"operation\":\"any\","
                + "\"permissionType\":\"any\"}}]}")).then(), 400, 40002,
                "aclFilters[0].resourceFilter.resourceType 'table' is not one of");
        error(createLinkResponse(name, bootstrap, Map.of("acl.filters", "not json")).then(), 400, 40002,
                "Invalid value 'not json' for link config 'acl.filters'");
        error(createLinkResponse(name, bootstrap, Map.of("cluster.link.prefix", "dr.", "acl.sync.enable", "true",
                "acl.filters", "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":"
                        + "\"any\"},\"accessFilter\":{\"operation\":\"any\",\"permissionType\":\"any\"}}]}"))
                .then(), 400,
                40002, "'cluster.link.prefix' and 'acl.sync.enable=true' cannot be used together on one link");
        error(createLinkResponse(name, bootstrap, Map.of("consumer.group.prefix.enable", "true")).then(), 400, 40002,
                "'consumer.group.prefix.enable=true' needs 'cluster.link.prefix'");
        error(createLinkResponse(name, bootstrap, Map.of("cluster.link.prefix", "dr/")).then(), 400, 40002,
                "Invalid value 'dr/' for link config 'cluster.link.prefix'");
        error(createLinkResponse(name, bootstrap, Map.of("cluster.link.prefix", "thirteen-char")).then(), 400, 40002,
                "'cluster.link.prefix': must be at most 12 characters");
        error(createLinkResponse(name, bootstrap, Map.of("topic.config.sync.include",
                "retention.ms,unclean.leader.election.enable")).then(), 400, 40002,
                "unclean.leader.election.enable is not a topic config that can be synced");
        error(createLinkResponse(name, bootstrap, Map.of("acl.sync.ms", "500")).then(), 400, 40002,
                "Invalid value '500' for link config 'acl.sync.ms': must be at least 1000");
        error(createLinkResponse(name, bootstrap, Map.of("availability.check.consecutive.failure.threshold", "0"))
                .then(), 400, 40002, "must be between 1 and 1000");
        assertNoLink(name);

        // The same rules hold when configs change later, and a refused change leaves the link as it was
        createLink(name, bootstrap, Map.of("cluster.link.prefix", "dr.", "consumer.offset.sync.enable", "true",
                "consumer.offset.group.filters", groups));
        String configs = "/kafka/v3/clusters/" + cluster + "/links/" + name + "/configs";
        error(given().contentType(ContentType.JSON).body(Map.of("value", "true")).put(configs + "/acl.sync.enable")
                .then(), 400, 40002, "'acl.sync.enable=true' needs 'acl.filters'");
        error(given().delete(configs + "/consumer.offset.group.filters").then(), 400, 40002,
                "'consumer.offset.sync.enable=true' needs 'consumer.offset.group.filters'");
        error(given().contentType(ContentType.JSON).body(Map.of("data", List.of(
                Map.of("name", "acl.sync.enable", "value", "true"),
                Map.of("name", "acl.filters", "value", "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":"
                        + "\"any\",\"patternType\":\"any\"},\"accessFilter\":{\"operation\":\"any\","
                        + "\"permissionType\":\"any\"}}]}"))))
                .put(configs + ":alter").then(), 400, 40002,
                "cannot be used together on one link");
        given().get(configs + "/acl.sync.enable").then().statusCode(200).body("value", equalTo("false"));
        given().get(configs + "/consumer.offset.group.filters").then().statusCode(200).body("value", equalTo(groups));
        given().delete("/links/" + name).then().statusCode(200);
    }

    @Test
    void invalidLinkNamesAreRejected() {
        error(createLinkResponse("bad name!", kafka.source().bootstrapServers(), Map.of()).then(), 400, 40002,
                "Link name 'bad name!' is illegal");
        error(createLinkResponse("a".repeat(201), kafka.source().bootstrapServers(), Map.of()).then(), 400, 40002,
                "is illegal");
        error(given().contentType(ContentType.JSON).body("{}").post("/links").then(), 400, 40002,
                "link_name is required");
    }

    @Test
    void aDuplicateLinkIsAConflict() {
        error(createLinkResponse(link, kafka.source().bootstrapServers(), Map.of()).then(), 409, 40901,
                "Cluster link '" + link + "' already exists");
    }

    @Test
    void anUnreachableSourceIsA400WithTheReason() {
        String name = uniqueName("bad");
        error(createLinkResponse(name, "127.0.0.1:1", Map.of()).then(), 400, 40003,
                "Cannot use the source cluster at 127.0.0.1:1: timed out");
        error(createLinkResponse(name, "no-such-host.invalid:9092", Map.of()).then(), 400, 40003,
                "Cannot use the source cluster at no-such-host.invalid:9092");
        assertNoLink(name);
    }

    @Test
    void aWrongSourceClusterIdIsA400() {
        String name = uniqueName("bad");
        String body = "{\"source_cluster_id\":\"not-the-id\",\"configs\":[{\"name\":\"bootstrap.servers\",\"value\":\""
                + kafka.source().bootstrapServers() + "\"}]}";
        error(postLink(name, body), 400, 40002, "not the expected source_cluster_id 'not-the-id'");
        assertNoLink(name);
    }

    @Test
    void validateOnlyAndValidateLinkFalse() {
        String name = uniqueName("dry");
        given().contentType(ContentType.JSON).queryParam("link_name", name).queryParam("validate_only", "true")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value",
                        kafka.source().bootstrapServers()))))
                .post("/links").then().statusCode(204);
        assertNoLink(name);
        given().contentType(ContentType.JSON).queryParam("link_name", name).queryParam("validate_link", "false")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"))))
                .post("/links").then().statusCode(204);
        given().get("/links/{link}", name).then().statusCode(200).body("link_name", equalTo(name));
        error(given().queryParam("validate_only", "maybe").delete("/links/{link}", name).then(), 400, 40002,
                "Query parameter 'validate_only' must be true or false");
        given().delete("/links/{link}", name).then().statusCode(200);
    }

    @Test
    void unknownClusterLinkAndMirrorAre404() {
        error(given().get("/kafka/v3/clusters/no-such-cluster").then(), 404, 40403,
                "Cluster 'no-such-cluster' not found");
        error(given().get("/kafka/v3/clusters/no-such-cluster/links").then(), 404, 40403, "not found");
        error(given().get("/links/no-such-link").then(), 404, 40403, "Cluster link 'no-such-link' not found");
        error(given().get("/links/no-such-link/mirrors").then(), 404, 40403, "Cluster link 'no-such-link' not found");
        error(given().get("/links/{link}/mirrors/no-such-mirror", link).then(), 404, 40403,
                "Mirror topic 'no-such-mirror' not found");
        error(given().get("/kafka/v3/clusters/{c}/links/{link}/configs/no.such.config", cluster, link).then(), 404,
                40403, "Link config 'no.such.config' not found");
        error(given().post("/mirrors/no-such-mirror:promote").then(), 404, 40403, "is not a mirror topic");
        error(given().post("/mirrors/" + topic + ":explode").then(), 404, 40403, "Use /mirrors/<topic>:promote");
        error(given().get("/no/such/path").then(), 404, 404, "Not found");
    }

    @Test
    void badMirrorRequests() {
        error(given().contentType(ContentType.JSON).body("{}").post("/links/{link}/mirrors", link).then(), 400, 40002,
                "source_topic_name is required");
        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", "bad topic"))
                .post("/links/{link}/mirrors", link).then(), 400, 40002, "source_topic_name 'bad topic' is illegal");
        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic, "mirror_topic_name", "x"))
                .post("/links/{link}/mirrors", link).then(), 400, 40002,
                "Topic renaming for mirroring is not supported");
        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", "no-such-source-topic"))
                .post("/links/{link}/mirrors", link).then(), 404, 40403,
                "Source topic 'no-such-source-topic' not found");
        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/links/{link}/mirrors", link).then(), 409, 40901, "Topic '" + topic + "' already exists");
        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/links/no-such-link/mirrors").then(), 404, 40403, "Cluster link 'no-such-link' not found");
        error(given().queryParam("mirror_status", "SLEEPING").get("/links/{link}/mirrors", link).then(), 400, 40002,
                "Unknown mirror_status 'SLEEPING'");
        // A state of Confluent's list that no mirror here is ever in is a valid filter that finds nothing
        assertThat(given().get("/links/{link}/mirrors", link).then().statusCode(200).extract().jsonPath()
                .getList("data.mirror_topic_name", String.class)).contains(topic);
        for (String confluentOnly : List.of("PENDING_SYNCHRONIZE", "pending_setup_for_restore", "PENDING_RESTORE")) {
            assertThat(given().queryParam("mirror_status", confluentOnly).get("/links/{link}/mirrors", link).then()
                    .statusCode(200).extract().jsonPath().getList("data")).as(confluentOnly).isEmpty();
        }
    }

    @Test
    void anExistingDestinationTopicIsAConflict() {
        String existing = uniqueName("existing");
        KafkaClusters.createTopic(kafka.source(), existing, 1, Map.of());
        KafkaClusters.createTopic(kafka.destination(), existing, 1, Map.of());

        error(given().contentType(ContentType.JSON).body(Map.of("source_topic_name", existing))
                .post("/links/{link}/mirrors", link).then(), 409, 40901, "Topic '" + existing + "' already exists");
        given().get("/links/{link}/mirrors", link).then().statusCode(200)
                .body("data.mirror_topic_name", not(hasItem(existing)));
    }

    @Test
    void badActionRequests() {
        String path = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/mirrors:pause";
        error(given().contentType(ContentType.JSON).body("{}").post(path).then(), 400, 40002,
                "Give either 'mirror_topic_names' (non-empty) or 'mirror_topic_name_pattern'");
        error(given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of(topic),
                "mirror_topic_name_pattern", ".*")).post(path).then(), 400, 40002, "not both");
        error(given().contentType(ContentType.JSON).body(Map.of("mirror_topic_name_pattern", "(unclosed"))
                .post(path).then(), 400, 40002, "mirror_topic_name_pattern is not a valid regular expression");
        given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of("not-a-mirror")))
                .post(path).then().statusCode(200)
                .body("data[0].error_code", equalTo(404))
                .body("data[0].error_message", startsWith("Topic 'not-a-mirror' is not a mirror topic"));
    }

    @Test
    void actionPathsWorkWithAPlainOrAPercentEncodedColon() {
        String plain = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/mirrors:pause";
        given().urlEncodingEnabled(false).contentType(ContentType.JSON)
                .body(Map.of("mirror_topic_names", List.of("not-a-mirror"))).post(plain).then().statusCode(200)
                .body("data[0].error_code", equalTo(404));
        given().urlEncodingEnabled(false).contentType(ContentType.JSON)
                .body(Map.of("mirror_topic_names", List.of("not-a-mirror"))).post(plain.replace(":", "%3A")).then()
                .statusCode(200).body("data[0].error_code", equalTo(404));
        error(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{}")
                .post(plain.replace("mirrors:pause", "mirrors%3Aexplode")).then(), 404, 40403, "Use mirrors:promote");
    }

    @Test
    void badConfigUpdatesLeaveTheLinkUnchanged() {
        String configs = "/kafka/v3/clusters/" + cluster + "/links/" + link + "/configs";
        error(given().contentType(ContentType.JSON).body(Map.of("value", "x")).put(configs + "/acl.sync.ms").then(),
                400, 40002, "Invalid value 'x' for link config 'acl.sync.ms'");
        error(given().contentType(ContentType.JSON).body(Map.of("value", "1")).put(configs + "/no.such").then(), 400,
                40002, "Unknown link config: no.such");
        error(given().contentType(ContentType.JSON).body(Map.of("value", "p.")).put(configs + "/cluster.link.prefix")
                .then(), 400, 40002, "cannot be changed after the link is created");
        error(given().contentType(ContentType.JSON).body(Map.of("data", List.of(Map.of("name", "acl.sync.ms",
                "value", "9000", "operation", "EXPLODE")))).put(configs + ":alter").then(), 400, 40002,
                "Config operation must be SET or DELETE");
        error(given().delete(configs + "/bootstrap.servers").then(), 400, 40002, "cannot be deleted");
        given().get(configs + "/acl.sync.ms").then().statusCode(200).body("value", equalTo("5000"))
                .body("is_default", equalTo(true));

        given().contentType(ContentType.JSON).body(Map.of("value", "9000")).put(configs + "/acl.sync.ms").then()
                .statusCode(204);
        given().get(configs + "/acl.sync.ms").then().statusCode(200).body("value", equalTo("9000"))
                .body("is_default", equalTo(false)).body("source", equalTo("DYNAMIC_CLUSTER_LINK_CONFIG"));
        given().delete(configs + "/acl.sync.ms").then().statusCode(204);
        given().get(configs + "/acl.sync.ms").then().statusCode(200).body("value", equalTo("5000"));
    }

    private static void assertNoLink(String name) {
        given().get("/links").then().statusCode(200).body("data.link_name", not(hasItem(name)));
    }
}
