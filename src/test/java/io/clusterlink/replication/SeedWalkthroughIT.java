package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The seed walkthrough: mirror test-topic with 1..5, promote it, write to it on the destination. */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class SeedWalkthroughIT {

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void mirrorsTestTopicThenPromotesItToAWritableTopic() throws Exception {
        // Given test-topic with records 1..5 on the source
        KafkaClusters.createTopic(kafka.source(), "test-topic", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 1; i <= 5; i++) {
                producer.send(new ProducerRecord<>("test-topic", bytes(String.valueOf(i)))).get();
            }
        }
        createLink("test-cluster-link", kafka.source().bootstrapServers(), Map.of());
        createMirror("test-cluster-link", "test-topic");
        awaitCaughtUp("test-cluster-link", "test-topic");

        List<ConsumerRecord<byte[], byte[]>> mirrored = KafkaClusters.readAll(kafka.destination(), "test-topic",
                IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(30));
        assertThat(mirrored).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(mirrored).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("1", "2", "3", "4", "5");
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), "test-topic", kafka.destination(), "test-topic",
                Duration.ofSeconds(30)).recordsCompared()).isEqualTo(5);

        // When it is promoted
        given().post("/mirrors/test-topic:promote").then().statusCode(200)
                .body("data[0].mirror_topic_name", org.hamcrest.Matchers.equalTo("test-topic"))
                .body("data[0].error_code", org.hamcrest.Matchers.nullValue());

        // Then it is STOPPED and writable, and a new record lands at offset 5
        awaitStatus("test-cluster-link", "test-topic", "STOPPED");
        assertThat(mirror("test-cluster-link", "test-topic").getList("mirror_lags.lag", Integer.class)).containsOnly(0);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.destination(), Map.of())) {
            long offset = producer.send(new ProducerRecord<>("test-topic", bytes("6"))).get().offset();
            assertThat(offset).isEqualTo(5);
        }
        List<ConsumerRecord<byte[], byte[]>> after = KafkaClusters.readAll(kafka.destination(), "test-topic",
                IsolationLevel.READ_UNCOMMITTED, Duration.ofSeconds(30));
        assertThat(after).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("1", "2", "3", "4", "5", "6");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
