package io.clusterlink.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Fail back as tests drive it, with the clusters of {@link WithTheSourceAsDestination}: A is the shared
 * source cluster (also the service's destination cluster {@code origin}), B the shared destination (the
 * default cluster). Mirror T of link L on B turns around onto the reverse link, the link L on A whose
 * source is B.
 */
public final class FailbackApi {

    private FailbackApi() {
    }

    /** The id of A, the old source. */
    public static String a() {
        return KafkaClusters.get().source().clusterId();
    }

    /** The id of B, the cluster of the mirror that is turned around. */
    public static String b() {
        return KafkaClusters.get().destination().clusterId();
    }

    /**
     * Creates the reverse link of {@code link}: the link of the same name on A, with B as its source and
     * {@code configs} besides. The caller deletes it.
     */
    public static void createReverseLink(String link, Map<String, String> configs) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("bootstrap.servers", KafkaClusters.get().destination().bootstrapServers());
        all.putAll(configs);
        List<Map<String, String>> items = new ArrayList<>();
        all.forEach((k, v) -> items.add(Map.of("name", k, "value", v)));
        given().contentType(ContentType.JSON).queryParam("link_name", link).body(Map.of("configs", items))
                .post("/kafka/v3/clusters/{c}/links", a()).then().statusCode(204);
    }

    /**
     * Creates a reverse link of {@code link} to {@code servers}, naming B as its source without checking
     * it ({@code validate_link=false}): with {@link #nowhere()}, a reverse link that cannot reach B. The
     * caller deletes it.
     */
    public static void createReverseLinkUnchecked(String link, String servers) {
        given().contentType(ContentType.JSON).queryParam("link_name", link).queryParam("validate_link", false)
                .body(Map.of("source_cluster_id", b(), "configs",
                        List.of(Map.of("name", "bootstrap.servers", "value", servers))))
                .post("/kafka/v3/clusters/{c}/links", a()).then().statusCode(204);
    }

    /** An address of this host where nothing listens. */
    public static String nowhere() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A mirror action on named mirror topics of a link on a cluster, checked against the committed
     * OpenAPI document; the answer's per-topic results.
     */
    public static JsonPath action(String cluster, String link, String action, Map<String, Object> query,
            List<String> topics) {
        return given().filter(WireContract.requestsAndAnswers()).urlEncodingEnabled(false)
                .contentType(ContentType.JSON).queryParams(query).body(Map.of("mirror_topic_names", topics))
                .post("/kafka/v3/clusters/{c}/links/{link}/mirrors:" + action, cluster, link)
                .then().statusCode(200).extract().jsonPath();
    }

    /** Mirror topic {@code topic} of the reverse link {@code link} on A: the reversed or restored mirror. */
    public static JsonPath mirrorOnA(String link, String topic) {
        return given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a(), link, topic).then()
                .statusCode(200).extract().jsonPath();
    }

    /**
     * Waits until the mirror of {@code topic} on A is ACTIVE without lag, and T on A ends where T on B
     * ends, partition for partition.
     */
    public static void awaitCaughtUpOnA(String link, String topic) {
        KafkaClusters kafka = KafkaClusters.get();
        await().atMost(ClusterLinkApi.WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonPath m = mirrorOnA(link, topic);
            return "ACTIVE".equals(m.getString("mirror_status"))
                    && m.getList("mirror_lags.lag", Integer.class).stream().allMatch(l -> l == 0)
                    && KafkaClusters.endOffsets(kafka.source(), topic)
                            .equals(KafkaClusters.endOffsets(kafka.destination(), topic));
        });
    }
}
