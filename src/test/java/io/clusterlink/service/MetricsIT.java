package io.clusterlink.service;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The metrics at /q/metrics for a real mirror: records lag and time lag per partition (growing while
 * paused, back to 0 after resume), copied records, mirrors by state, link availability and state.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final KafkaClusters kafka = KafkaClusters.get();
    private String link;

    @Inject
    MirrorMetrics metrics;

    @AfterEach
    void deleteLink() {
        if (link != null) {
            given().delete("/links/" + link + "?force=true");
        }
    }

    @Test
    void lagsGrowWhilePausedAndReturnToZeroAfterResume() throws Exception {
        String topic = uniqueName("metrics");
        link = uniqueName("link");
        long base = System.currentTimeMillis() - 3_600_000;
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        // 100 records per partition, timestamps base .. base + 99
        produce(topic, 0, 100, base);
        produce(topic, 1, 100, base);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        Map<String, String> p0 = Map.of("link", link, "mirror_topic", topic, "partition", "0");
        Map<String, String> p1 = Map.of("link", link, "mirror_topic", topic, "partition", "1");
        Map<String, String> ofLink = Map.of("link", link);

        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 0);
        assertThat(metric("clusterlink_mirror_partition_lag_records", p1)).isZero();
        assertThat(metric("clusterlink_mirror_partition_time_lag_ms", p0)).isZero();
        assertThat(metric("clusterlink_mirror_records_copied_total", Map.of("link", link, "mirror_topic", topic)))
                .isEqualTo(200);
        assertThat(metric("clusterlink_mirrors", Map.of("link", link, "state", "ACTIVE"))).isEqualTo(1);
        assertThat(metric("clusterlink_mirrors", Map.of("link", link, "state", "PAUSED"))).isZero();
        assertThat(metric("clusterlink_link_available", ofLink)).isEqualTo(1);
        assertThat(metric("clusterlink_link_state", Map.of("link", link, "state", "ACTIVE"))).isEqualTo(1);

        // Paused: 50 records on partition 0, a minute newer than the mirror's newest
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");
        produce(topic, 0, 50, base + 60_000);

        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 50);
        awaitMetric("clusterlink_mirror_partition_time_lag_ms", p0, 60_049 - 99);
        assertThat(metric("clusterlink_mirror_partition_lag_records", p1)).isZero();
        assertThat(metric("clusterlink_mirror_partition_time_lag_ms", p1)).isZero();
        assertThat(metric("clusterlink_mirrors", Map.of("link", link, "state", "PAUSED"))).isEqualTo(1);
        assertThat(metric("clusterlink_mirrors", Map.of("link", link, "state", "ACTIVE"))).isZero();

        action(link, "resume", topic);
        awaitCaughtUp(link, topic);
        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 0);
        awaitMetric("clusterlink_mirror_partition_time_lag_ms", p0, 0);
        awaitMetric("clusterlink_mirror_records_copied_total", Map.of("link", link, "mirror_topic", topic), 250);
        MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT);
    }

    @Test
    void theApiRequestsAreCountedByPathAndStatus() {
        given().get("/links").then().statusCode(200);

        metrics.refresh();
        assertThat(metric("http_server_requests_seconds_count", Map.of("method", "GET", "uri", "/links",
                "status", "200"))).isGreaterThanOrEqualTo(1);
    }

    private void awaitMetric(String name, Map<String, String> labels, double value) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            metrics.refresh();
            assertThat(metric(name, labels)).as(name + labels).isEqualTo(value);
        });
    }

    /** The value of the series of {@code name} that has all {@code labels}; NaN when there is none. */
    private static double metric(String name, Map<String, String> labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(text);
        while (m.find()) {
            String series = m.group(1);
            if (labels.entrySet().stream().allMatch(e -> series.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    private void produce(String topic, int partition, int count, long firstTimestamp) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, firstTimestamp + i, bytes("k" + i),
                        bytes("v" + i))).get();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
