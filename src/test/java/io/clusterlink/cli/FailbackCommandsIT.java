package io.clusterlink.cli;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.FailbackApi.awaitCaughtUpOnA;
import static io.clusterlink.testing.FailbackApi.mirrorOnA;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.FailbackApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.TestUsers;
import io.clusterlink.testing.WithTheSourceAsDestination;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Failing back from the command line, as with Confluent Platform's {@code kafka-mirrors}: {@code --reverse-and-start}
 * and {@code --reverse-and-pause} on the cluster of the mirror (B), {@code --truncate-and-restore} on the old source
 * (A) with its link to B. Both clusters are destination clusters of the service under test; the commands run in
 * this JVM, their output compared line by line, and what they did read from the service and the clusters.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithTheSourceAsDestination.class)
class FailbackCommandsIT {

    private static final Duration READ = Duration.ofSeconds(60);
    /** The describe's state time: Confluent's layout, in this JVM's time zone as the tool's. */
    private static final DateTimeFormatter STATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final KafkaClusters kafka = KafkaClusters.get();
    private final String a = FailbackApi.a();
    private final String b = FailbackApi.b();
    /** Links to delete after the test, reverse links first: cluster id and link name. */
    private final List<String[]> links = new ArrayList<>();

    @TestHTTPResource("/")
    URL service;

    private Map<String, String> env;
    /** {@code --bootstrap-server} of A and of B, as the service has them. */
    private String onA;
    private String onB;

    @BeforeEach
    void connectThroughTheEnvironment() {
        env = Map.of("CLUSTERLINK_URL", service.toString(), "CLUSTERLINK_API_USER", TestUsers.OPERATOR,
                "CLUSTERLINK_API_PASSWORD", TestUsers.OPERATOR_PASSWORD);
        onA = " --bootstrap-server 127.0.0.1:" + kafka.source().saslSslPort();
        onB = " --bootstrap-server 127.0.0.1:" + kafka.destination().saslSslPort();
    }

    @AfterEach
    void deleteLinks() {
        for (String[] link : links) {
            given().queryParam("force", true).delete("/kafka/v3/clusters/{c}/links/{link}", link[0], link[1]);
        }
    }

    @Test
    void reverseAndStartTurnsAnActiveMirrorAroundOnceValidated() throws Exception {
        // Given mirror T (20 and 30 records) of link L on B, and the reverse link L on A
        String topic = uniqueName("cli-reverse");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);
        reverseLink(link);

        // When it is validated, then reversed, on B
        CommandRun validated = run(
                "kafka-mirrors" + onB + " --reverse-and-start --topics " + topic + " --validate-only");
        String stateAfterValidation = mirror(link, topic).getString("mirror_status");
        int onAAfterValidation = given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic)
                .statusCode();
        CommandRun reversed = run("kafka-mirrors" + onB + " --reverse-and-start --topics " + topic);

        // Then the validation changed nothing; the reverse stopped T on B and made T on A its mirror
        assertThat(validated.err()).isEmpty();
        assertThat(validated.exitCode()).isZero();
        assertThat(validated.out()).containsExactly("Request for reversing local mirror and starting remote mirror "
                + "for topic " + topic + " was successfully validated.");
        assertThat(stateAfterValidation).isEqualTo("ACTIVE");
        assertThat(onAAfterValidation).isEqualTo(404);
        assertThat(reversed.err()).isEmpty();
        assertThat(reversed.exitCode()).isZero();
        assertThat(reversed.out()).containsExactly("Request for reversing local mirror and starting remote mirror "
                + "for topic " + topic + " was successfully scheduled.");
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        assertThat(mirrorOnA(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        produce(kafka.destination(), topic, 0, 4);
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(54);
        // and the old source describes it as its mirror, partition for partition as the service has it
        CommandRun described = run("kafka-mirrors" + onA + " --describe --topics " + topic);
        JsonPath reversedMirror = mirrorOnA(link, topic);
        String linkId = given().get("/kafka/v3/clusters/{c}/links/{link}", a, link).then().statusCode(200)
                .extract().path("cluster_link_id");
        String statusMessage = reversedMirror.getString("mirror_status_message");
        assertThat(described.err()).isEmpty();
        assertThat(described.exitCode()).isZero();
        assertThat(described.out()).containsExactly(
                "Topic: " + topic + "\tLinkName: " + link + "\tLinkId: " + linkId + "\tSourceTopic: " + topic
                        + "\tState: ACTIVE\tStateTime: "
                        + STATE_TIME.format(Instant.ofEpochMilli(reversedMirror.getLong("state_time_ms")))
                        + (statusMessage == null ? "" : "\tStatusMessage: " + statusMessage),
                "\tPartition: 0\tState: ACTIVE\tLastFetchSourceHighWatermark: "
                        + reversedMirror.getLong("mirror_lags[0].last_source_fetch_offset") + "\tLag: 0",
                "\tPartition: 1\tState: ACTIVE\tLastFetchSourceHighWatermark: "
                        + reversedMirror.getLong("mirror_lags[1].last_source_fetch_offset") + "\tLag: 0");
    }

    @Test
    void reverseAndPauseOfALinksMirrorsLeavesThemPausedOnTheOldSourceUntilUnpausedThere() throws Exception {
        // Given mirror T of link L on B, and the reverse link L on A
        String topic = uniqueName("cli-reverse-paused");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);
        reverseLink(link);

        // When the mirrors of L are reversed paused on B, records written to B, and T unpaused on A
        CommandRun reversed = run("kafka-mirrors" + onB + " --reverse-and-pause --link " + link);
        String stateOnA = mirrorOnA(link, topic).getString("mirror_status");
        produce(kafka.destination(), topic, 1, 6);
        CommandRun unpaused = run("kafka-mirrors" + onA + " --unpause --topics " + topic);

        // Then T on A was a paused mirror of B's, and follows it once unpaused
        assertThat(reversed.err()).isEmpty();
        assertThat(reversed.exitCode()).isZero();
        assertThat(reversed.out()).containsExactly("Request for reversing local mirror and pausing remote mirror "
                + "for topic " + topic + " was successfully scheduled.");
        assertThat(stateOnA).isEqualTo("PAUSED");
        assertThat(unpaused.err()).isEmpty();
        assertThat(unpaused.out()).containsExactly("Request for unpausing topic " + topic
                + "'s mirror was successfully scheduled.");
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(56);
    }

    @Test
    void aReverseWithoutAReverseLinkIsAnErrorLineAndTheMirrorStaysActive() throws Exception {
        // Given mirror T of link L on B, and no link L on A
        String topic = uniqueName("cli-reverse-nolink");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);

        // When it is reversed
        CommandRun reversed = run("kafka-mirrors" + onB + " --reverse-and-start --topics " + topic);

        // Then the service's reason is the topic's error line, exit code 1, and nothing changed
        assertThat(reversed.out()).isEmpty();
        assertThat(reversed.err()).containsExactly("Error encountered while reversing local mirror and starting remote "
                + "mirror for topic " + topic + ": No reverse link: cluster " + a + " has no cluster link '" + link
                + "' (with cluster " + b + " as its source) for topic '" + topic + "' to mirror '" + topic + "' on");
        assertThat(reversed.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
    }

    @Test
    void truncateAndRestoreOnTheOldSourceSetsItsDivergedRecordsAsideAndRestoresItAsAMirror() throws Exception {
        // Given mirror T (20 and 30 records) of L on B failed over, then 5 and 3 records written to T on A and
        // 4 and 2 to T on B
        String topic = uniqueName("cli-restore");
        String link = uniqueName("link");
        mirrorCaughtUp(link, topic);
        reverseLink(link);
        CommandRun failover = run("kafka-mirrors" + onB + " --failover --topics " + topic);
        assertThat(failover.out()).containsExactly("Request for stopping topic " + topic + "'s mirror was successfully "
                + "scheduled. Please use the describe command with the --pending-stopped-only option to monitor "
                + "progress.");
        awaitStatus(link, topic, "STOPPED");
        produce(kafka.source(), topic, 0, 5);
        produce(kafka.source(), topic, 1, 3);
        produce(kafka.destination(), topic, 0, 4);
        produce(kafka.destination(), topic, 1, 2);
        Map<TopicPartition, Long> endsOnA = KafkaClusters.endOffsets(kafka.source(), topic);
        String recovery = topic + ".truncated-" + mirror(link, topic).getLong("state_time_ms");
        String restore = "kafka-mirrors" + onA + " --truncate-and-restore --topics " + topic + " --link " + link;

        // When it is asked of B (the wrong cluster), validated on A, restored on A, and restored again
        CommandRun onTheNewSource = run("kafka-mirrors" + onB + " --truncate-and-restore --topics " + topic
                + " --link " + link);
        CommandRun validated = run(restore + " --include-partitions --validate-only");
        Map<TopicPartition, Long> endsOnAAfterValidation = KafkaClusters.endOffsets(kafka.source(), topic);
        boolean recoveryAfterValidation = topicsOnA().contains(recovery);
        int onAAfterValidation = given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", a, link, topic)
                .statusCode();
        CommandRun restored = run(restore + " --include-partitions");
        CommandRun again = run(restore);

        // Then B is no old source: an error line; the validation only counts what is set aside, per partition
        assertThat(onTheNewSource.out()).isEmpty();
        assertThat(onTheNewSource.err()).containsExactly("Error encountered while truncating and restoring topic "
                + topic + ": Topic '" + topic + "' on cluster " + b + " is not the source of a mirror topic of "
                + "cluster link '" + link + "' on cluster " + a + " (truncate-and-restore runs on the old source "
                + "cluster, with its link to the new one)");
        assertThat(onTheNewSource.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(validated.err()).isEmpty();
        assertThat(validated.exitCode()).isZero();
        assertThat(validated.out()).containsExactly(
                "Request for truncate and restore for topic " + topic + " was successfully validated. 8 messages "
                        + "will be truncated.",
                "\tPartition: 0\tMessagesTruncated: 5\tOffsetTruncatedTo: 20",
                "\tPartition: 1\tMessagesTruncated: 3\tOffsetTruncatedTo: 30");
        assertThat(endsOnAAfterValidation).isEqualTo(endsOnA);
        assertThat(recoveryAfterValidation).isFalse();
        assertThat(onAAfterValidation).isEqualTo(404);
        // the restore set them aside in the recovery topic and made T on A a mirror of T on B
        assertThat(restored.err()).isEmpty();
        assertThat(restored.exitCode()).isZero();
        assertThat(restored.out()).containsExactly(
                "Request for truncate and restore for topic " + topic + " was successfully scheduled. 8 messages "
                        + "will be truncated.",
                "\tPartition: 0\tMessagesTruncated: 5\tOffsetTruncatedTo: 20",
                "\tPartition: 1\tMessagesTruncated: 3\tOffsetTruncatedTo: 30");
        assertThat(KafkaClusters.endOffsets(kafka.source(), recovery)).isEqualTo(Map.of(
                new TopicPartition(recovery, 0), 5L, new TopicPartition(recovery, 1), 3L));
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("STOPPED");
        awaitCaughtUpOnA(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.destination(), topic, kafka.source(), topic, READ)
                .recordsCompared()).isEqualTo(56);
        // and a second restore is the service's refusal, on its line
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).containsExactly("Error encountered while truncating and restoring topic " + topic
                + ": Topic '" + topic + "' on cluster " + a + " is already a mirror topic of cluster link '" + link
                + "'");
        assertThat(again.exitCode()).isEqualTo(Cli.FAILED);
    }

    private CommandRun run(String commandLine) {
        return CommandRun.of(commandLine, env);
    }

    /** T with 2 partitions, 20 and 30 records, mirrored by a new link L on B and caught up. */
    private void mirrorCaughtUp(String link, String topic) throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(kafka.source(), topic, 0, 20);
        produce(kafka.source(), topic, 1, 30);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        links.add(new String[] { b, link });
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
    }

    private void reverseLink(String link) {
        FailbackApi.createReverseLink(link, Map.of());
        links.add(0, new String[] { a, link });
    }

    private Set<String> topicsOnA() throws Exception {
        return kafka.sourceAdmin().listTopics().names().get(30, TimeUnit.SECONDS);
    }

    private static void produce(LocalKafkaCluster cluster, String topic, int partition, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }
}
