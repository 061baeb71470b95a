package io.clusterlink.api;

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

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.service.LagHistory;
import io.clusterlink.testing.HeadlessChromium;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The status page on real brokers, as a browser shows it: headless Chromium loads it as the viewer,
 * and its DOM shows a paused mirror's state and the exact lag of each partition; a screenshot of it
 * is kept under {@code target/status-page/}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class StatusPageIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path OUT = Path.of("target", "status-page");
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 900;

    private final KafkaClusters kafka = KafkaClusters.get();
    private String link;

    @Inject
    LagHistory history;

    @TestHTTPResource("/status")
    URL page;

    @AfterEach
    void deleteLink() {
        if (link != null) {
            given().delete("/links/" + link + "?force=true").then().statusCode(200);
        }
    }

    @Test
    void chromiumShowsAPausedMirrorWithTheExactLagOfEachPartition() throws Exception {
        // Given a mirror of two partitions that caught up, then paused while partition 0 got 50 records
        HeadlessChromium chromium = HeadlessChromium.get(OUT);
        String topic = uniqueName("status");
        link = uniqueName("link");
        long base = System.currentTimeMillis() - 3_600_000;
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 0, 100, base);
        produce(topic, 1, 100, base);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT);
        history.sample();
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");
        produce(topic, 0, 50, base + 60_000);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(
                () -> mirror(link, topic).getList("mirror_lags.lag", Integer.class).equals(List.of(50, 0)));
        history.sample();

        // When Chromium loads the page as the viewer and takes its picture
        // (the link's own page: other test classes' links may be on the service, and a headless
        // screenshot of a page scrolled to an anchor far down is blank)
        String url = page.getProtocol() + "://" + TestUsers.VIEWER + ":" + TestUsers.VIEWER_PASSWORD + "@"
                + page.getHost() + ":" + page.getPort() + page.getPath() + "?link=" + link;
        Document dom = Jsoup.parse(chromium.dumpDom(url));
        Path png = OUT.resolve("status-page.png");
        chromium.screenshot(url, png, WIDTH, HEIGHT);

        // Then the page shows the link, the paused mirror and its lags exactly
        assertThat(dom.select("article.link")).as("the links on the link's page").hasSize(1);
        Element linkArticle = dom.selectFirst("article.link[data-link=" + link + "]");
        assertThat(linkArticle).as("the link on the page").isNotNull();
        assertThat(linkArticle.selectFirst(".link-state").text()).isEqualTo("ACTIVE");
        assertThat(linkArticle.selectFirst(".availability").text()).isEqualTo("the source answers");
        assertThat(linkArticle.selectFirst("[data-task=TopicConfigsSync] .task-state").text()).isEqualTo("ACTIVE");
        Element mirror = linkArticle.selectFirst("section.mirror[data-mirror=" + topic + "]");
        assertThat(mirror).as("the mirror on the page").isNotNull();
        assertThat(mirror.selectFirst(".mirror-state").text()).isEqualTo("PAUSED");
        assertThat(mirror.selectFirst("tr[data-partition=0] .records-lag").text()).isEqualTo("50");
        assertThat(mirror.selectFirst("tr[data-partition=1] .records-lag").text()).isEqualTo("0");
        assertThat(mirror.selectFirst("tr[data-partition=0] .time-lag").attr("data-ms")).isEqualTo("59950");
        assertThat(mirror.selectFirst("tr[data-partition=0] .time-lag").text()).isEqualTo("59.9 s");
        assertThat(mirror.selectFirst("tr[data-partition=1] .time-lag").text()).isEqualTo("0 ms");
        assertThat(mirror.selectFirst("tr[data-partition=0] .source-end").text()).isEqualTo("150");
        assertThat(mirror.selectFirst("tfoot .records-lag").text()).isEqualTo("50");
        Element plot = mirror.selectFirst("svg.lag-plot");
        assertThat(Long.parseLong(plot.attr("data-max"))).isGreaterThanOrEqualTo(50);
        assertThat(Integer.parseInt(plot.attr("data-points"))).isGreaterThanOrEqualTo(2);
        assertThat(plot.select("path.lag")).hasSize(1);

        // And the screenshot is a real picture of it, not an empty page
        byte[] bytes = Files.readAllBytes(png);
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        assertThat(bytes.length).isGreaterThan(10_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        assertThat(colours(image)).as("distinct colours in the screenshot").isGreaterThan(50);
    }

    @Test
    void thePageNeedsTheRolesOfTheApi() {
        assertThat(given().auth().none().get("/status").then().statusCode(401).extract().headers()
                .getValues("WWW-Authenticate")).contains("Basic realm=\"clusterlink\"");
        given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).get("/status").then()
                .statusCode(200).contentType("text/html")
                .header("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY)
                .header("Cache-Control", "no-store");
        given().get("/status").then().statusCode(200);
        given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).post("/status").then()
                .statusCode(403);
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }

    private void produce(String topic, int partition, int count, long firstTimestamp) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, firstTimestamp + i,
                        ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }
}
