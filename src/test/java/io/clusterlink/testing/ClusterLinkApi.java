package io.clusterlink.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The service's REST API as tests use it (short forms on the default cluster). */
public final class ClusterLinkApi {

    public static final Duration WAIT = Duration.ofSeconds(120);

    private ClusterLinkApi() {
    }

    public static String clusterId() {
        return given().get("/kafka/v3/clusters").then().statusCode(200).extract().path("data[0].cluster_id");
    }

    /** The names of the default cluster's links now. */
    public static Set<String> linkNames() {
        return new HashSet<>(given().get("/links").then().statusCode(200).extract().jsonPath()
                .getList("data.link_name", String.class));
    }

    /**
     * Deletes (with their mirrors) the default cluster's links that are not in {@code kept}: a test
     * class that reads the links before each test leaves the service as it found it.
     */
    public static void deleteLinksOtherThan(Set<String> kept) {
        for (String link : linkNames()) {
            if (!kept.contains(link)) {
                given().queryParam("force", true).delete("/links/{link}", link).then().statusCode(200);
            }
        }
    }

    public static void createLink(String link, String bootstrap, Map<String, String> configs) {
        createLinkResponse(link, bootstrap, configs).then().statusCode(204);
    }

    public static Response createLinkResponse(String link, String bootstrap, Map<String, String> configs) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("bootstrap.servers", bootstrap);
        all.putAll(configs);
        List<Map<String, String>> items = new ArrayList<>();
        all.forEach((k, v) -> items.add(Map.of("name", k, "value", v)));
        return given().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("configs", items)).post("/links");
    }

    public static void createMirror(String link, String sourceTopic) {
        given().contentType(ContentType.JSON).body(Map.of("source_topic_name", sourceTopic))
                .post("/links/{link}/mirrors", link).then().statusCode(204);
    }

    public static JsonPath mirror(String link, String topic) {
        return given().get("/links/{link}/mirrors/{topic}", link, topic).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath action(String link, String action, String... topics) {
        return given().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of(topics)))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:" + action, clusterId(), link)
                .then().statusCode(200).extract().jsonPath();
    }

    /** Sets one config of a link. */
    public static void setLinkConfig(String link, String name, String value) {
        given().contentType(ContentType.JSON).body(Map.of("value", value))
                .put("/kafka/v3/clusters/{c}/links/{link}/configs/{name}", clusterId(), link, name)
                .then().statusCode(204);
    }

    public static void awaitStatus(String link, String topic, String status) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> status.equals(mirror(link, topic).getString("mirror_status")));
    }

    /**
     * Waits until the mirror is ACTIVE with lag 0 on every partition, measured against source end
     * offsets (last stable offsets) at least as high as the ones taken now. The mirror topic has
     * the source topic's name.
     */
    public static void awaitCaughtUp(String link, String topic) {
        awaitCaughtUp(KafkaClusters.get().source(), link, topic, topic);
    }

    /** {@link #awaitCaughtUp(String, String)} for a mirror named differently, e.g. with the link prefix. */
    public static void awaitCaughtUp(String link, String sourceTopic, String mirrorTopic) {
        awaitCaughtUp(KafkaClusters.get().source(), link, sourceTopic, mirrorTopic);
    }

    /** {@link #awaitCaughtUp(String, String)} for any source cluster and a mirror topic of any name. */
    public static void awaitCaughtUp(LocalKafkaCluster source, String link, String sourceTopic, String mirrorTopic) {
        Map<TopicPartition, Long> sourceEnds = KafkaClusters.endOffsets(source, sourceTopic,
                IsolationLevel.READ_COMMITTED);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonPath m = mirror(link, mirrorTopic);
            List<Integer> lags = m.getList("mirror_lags.lag", Integer.class);
            List<Long> fetched = m.getList("mirror_lags.last_source_fetch_offset", Long.class);
            if (!"ACTIVE".equals(m.getString("mirror_status")) || lags.stream().anyMatch(l -> l != 0)) {
                return false;
            }
            if (fetched.size() != sourceEnds.size()) {
                return false;
            }
            for (int p = 0; p < fetched.size(); p++) {
                if (fetched.get(p) < sourceEnds.get(new TopicPartition(sourceTopic, p))) {
                    return false;
                }
            }
            return true;
        });
    }
}
