package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Each link's sync tasks run apart from the others': a source that never answers delays only its own link. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class SyncIsolationIT {

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void linksToASourceThatNeverAnswersDoNotDelayAnotherLinksSync() throws Exception {
        // Given two links to a "source" that takes connections and never answers (every call
        // waits the source timeout), with their sync tasks due every second
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            List<String> slow = List.of(uniqueName("silent"), uniqueName("silent"));
            for (String link : slow) {
                given().contentType(ContentType.JSON).queryParam("link_name", link).queryParam("validate_link", false)
                        .body(Map.of("configs", List.of(
                                Map.of("name", "bootstrap.servers", "value", "127.0.0.1:" + silent.getLocalPort()),
                                Map.of("name", "topic.config.sync.ms", "value", "1000"),
                                Map.of("name", "availability.check.ms", "value", "1000"))))
                        .post("/links").then().statusCode(204);
            }
            String prefix = uniqueName("isolated") + "-";
            String link = uniqueName("link");
            createLink(link, kafka.source().bootstrapServers(), Map.of("auto.create.mirror.topics.enable", "true",
                    "auto.create.mirror.topics.filters", "{\"topicFilters\":[{\"name\":\"" + prefix
                            + "\",\"patternType\":\"PREFIXED\",\"filterType\":\"INCLUDE\"}]}",
                    "topic.config.sync.ms", "1000"));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> held.size() >= 2);

                // When a topic to mirror appears on the healthy link's source
                KafkaClusters.createTopic(kafka.source(), prefix + "orders", 1, Map.of());
                long created = System.nanoTime();

                // Then the healthy link mirrors it within a few of its intervals, while the silent
                // links' calls are still waiting out their timeouts
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                        .get("/links/{link}/mirrors", link).then().statusCode(200).extract().jsonPath()
                        .getList("data.mirror_topic_name", String.class).contains(prefix + "orders"));
                double seconds = (System.nanoTime() - created) / 1e9;
                assertThat(seconds).as("seconds until the healthy link auto-created its mirror").isLessThan(4.0);
            } finally {
                for (String l : slow) {
                    given().queryParam("force", true).delete("/links/{link}", l);
                }
                given().queryParam("force", true).delete("/links/{link}", link);
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
