package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.TempDirectories;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The availability check: a source that stops answering makes its link UNAVAILABLE and its
 * mirrors SOURCE_UNAVAILABLE; when it answers again, both are ACTIVE and copying resumes. Runs
 * against a source cluster of its own, which it stops and starts.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class LinkAvailabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static LocalKafkaCluster source;
    private static Path dir;

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();

    @BeforeAll
    static void startSource() throws Exception {
        dir = Files.createTempDirectory("clusterlink-availability-");
        source = LocalKafkaCluster.builder("availability-source").dataDir(dir).heap("256m").build().start();
    }

    @AfterAll
    static void stopSource() throws Exception {
        if (source != null) {
            source.stop();
        }
        if (dir != null) {
            TempDirectories.deleteRecursively(dir);
        }
    }

    @Test
    void aSourceThatStopsAnsweringMakesTheLinkUnavailableUntilItReturns() throws Exception {
        // Given a caught-up mirror on a link that checks its source every second, 2 failures in a row
        String link = uniqueName("availability");
        String topic = uniqueName("availability");
        KafkaClusters.createTopic(source, topic, 2, Map.of());
        produce(topic, 0, 100);
        createLink(link, source.bootstrapServers(), Map.of("availability.check.ms", "1000",
                "availability.check.consecutive.failure.threshold", "2", "topic.config.sync.ms", "1000"));
        createMirror(link, topic);
        awaitCaughtUp(source, link, topic, topic);

        // When the source stops
        source.stop();

        // Then the link is UNAVAILABLE with the reason, its mirror SOURCE_UNAVAILABLE, its tasks LINK_UNAVAILABLE
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> "UNAVAILABLE".equals(link(link).getString("link_state")));
        JsonPath unavailable = link(link);
        assertThat(unavailable.getString("link_error")).isEqualTo("TIMEOUT_ERROR");
        assertThat(unavailable.getString("link_error_message"))
                .startsWith("The source cluster at " + source.bootstrapServers() + " did not answer");
        assertThat(unavailable.getString("tasks.find { it.task_name == 'TopicConfigsSync' }.state"))
                .isEqualTo("LINK_UNAVAILABLE");
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("SOURCE_UNAVAILABLE");
        assertThat(given().get("/links/{link}/mirrors?mirror_status=SOURCE_UNAVAILABLE", link).then().statusCode(200)
                .extract().jsonPath().getList("data.mirror_topic_name", String.class)).containsExactly(topic);

        // When it is back, with more records
        source.start();
        produce(topic, 100, 100);

        // Then link and mirror are ACTIVE again and the mirror holds exactly the source's records
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> "ACTIVE".equals(link(link).getString("link_state")));
        assertThat(link(link).getString("link_error")).isEqualTo("NO_ERROR");
        awaitCaughtUp(source, link, topic, topic);
        assertThat(MirrorVerifier.assertIdentical(source, topic, KafkaClusters.get().destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(200);
    }

    @Test
    void aLinkWhoseSourceIsGoneDoesNotHoldUpTheMirrorsOfOtherLinks() throws Exception {
        // Given a link whose source has stopped answering, with a mirror of two partitions
        String deadLink = uniqueName("availability");
        String deadTopic = uniqueName("availability");
        KafkaClusters.createTopic(source, deadTopic, 2, Map.of());
        produce(deadTopic, 0, 10);
        createLink(deadLink, source.bootstrapServers(), Map.of("availability.check.ms", "1000",
                "availability.check.consecutive.failure.threshold", "2"));
        createMirror(deadLink, deadTopic);
        awaitCaughtUp(source, deadLink, deadTopic, deadTopic);
        source.stop();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .until(() -> "UNAVAILABLE".equals(link(deadLink).getString("link_state")));

            // When a mirror is created on another link, to the shared source
            KafkaClusters kafka = KafkaClusters.get();
            String link = uniqueName("alive");
            String topic = uniqueName("alive");
            KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2, bytes("k" + i), bytes("v" + i)));
                }
            }
            createLink(link, kafka.source().bootstrapServers(), Map.of());
            long created = System.nanoTime();
            createMirror(link, topic);

            // Then it is ACTIVE and caught up as soon as on a service without the stopped source
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "ACTIVE".equals(mirror(link, topic).getString("mirror_status"))
                            && mirror(link, topic).getList("mirror_lags.lag", Long.class).equals(List.of(0L, 0L)));
            assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(Duration.ofSeconds(20));
            assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT)
                    .recordsCompared()).isEqualTo(20);
        } finally {
            source.start();
        }
    }

    private static JsonPath link(String link) {
        return given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract().jsonPath();
    }

    private static void produce(String topic, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(source, Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, System.currentTimeMillis(), bytes("k" + i),
                        bytes("v" + i)));
            }
            producer.flush();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
