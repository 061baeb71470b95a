package io.clusterlink.cli;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * What the command line shows of the states of mirrors, against the service under test and real
 * clusters: a link's mirror partitions counted by state category ({@code kafka-cluster-links --describe})
 * and a failed mirror's state transition errors ({@code kafka-mirrors --describe
 * --include-state-transition-errors}).
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class MirrorStatesCommandsIT {

    private final KafkaClusters kafka = KafkaClusters.get();

    @TestHTTPResource("/")
    URL service;

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();
    private Map<String, String> env;
    private String destination;

    @BeforeEach
    void connectThroughTheEnvironment() {
        env = Map.of("CLUSTERLINK_URL", service.toString(), "CLUSTERLINK_API_USER", TestUsers.OPERATOR,
                "CLUSTERLINK_API_PASSWORD", TestUsers.OPERATOR_PASSWORD);
        destination = "127.0.0.1:" + kafka.destination().saslSslPort();
    }

    @Test
    void linkDescribeCountsTheLinksMirrorPartitionsByStateCategory() {
        // Given a link with an active mirror of 2 partitions and a paused one of 1
        String link = uniqueName("link");
        String active = uniqueName("active");
        String paused = uniqueName("paused");
        KafkaClusters.createTopic(kafka.source(), active, 2, Map.of());
        KafkaClusters.createTopic(kafka.source(), paused, 1, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, active);
        createMirror(link, paused);
        awaitCaughtUp(link, active);
        awaitCaughtUp(link, paused);
        action(link, "pause", paused);
        awaitStatus(link, paused, "PAUSED");

        // When the link is described, alone and among all links, and listed
        CommandRun one = CommandRun.of("kafka-cluster-links --bootstrap-server %s --describe --link %s"
                .formatted(destination, link), env);
        CommandRun all = CommandRun.of("kafka-cluster-links --bootstrap-server %s --describe".formatted(destination),
                env);
        CommandRun list = CommandRun.of("kafka-cluster-links --bootstrap-server %s --list --link %s"
                .formatted(destination, link), env);

        // Then the describe shows its 3 mirror partitions by category right under the link's line,
        // every category as the service counts them; the list, as Confluent's, does not
        String counts = "  Mirror Partition States Count: ACTIVE: 2, PAUSED: 1, IN_ERROR: 0, PENDING: 0, "
                + "NOT_APPLICABLE: 0";
        assertThat(one.err()).isEmpty();
        assertThat(one.exitCode()).isZero();
        assertThat(one.out().get(0)).startsWith("Link name: '" + link + "'").endsWith("link state: 'ACTIVE'");
        assertThat(one.out().get(1)).isEqualTo(counts);
        assertThat(one.out()).filteredOn(l -> l.contains("Mirror Partition States Count")).containsExactly(counts);
        assertThat(all.exitCode()).isZero();
        int linkLine = all.out().indexOf(one.out().get(0));
        assertThat(linkLine).isNotNegative();
        assertThat(all.out().get(linkLine + 1)).isEqualTo(counts);
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).containsExactly(one.out().get(0));
    }

    @Test
    void mirrorDescribeShowsAFailedMirrorsTransitionErrorOnlyWhenAskedFor() throws Exception {
        // Given a mirror that failed because another producer wrote to its topic on the destination
        String link = uniqueName("link");
        String topic = uniqueName("failing");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(kafka.source(), topic, 5);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        produce(kafka.destination(), topic, 1);
        produce(kafka.source(), topic, 1);
        awaitStatus(link, topic, "FAILED");
        JsonPath failed = given().queryParam("include_state_transition_errors", true)
                .get("/links/{link}/mirrors/{topic}", link, topic).then().statusCode(200).extract().jsonPath();
        List<String> messages = failed.getList("mirror_state_transition_errors.error_message", String.class);
        assertThat(messages).singleElement().asString().contains("was written at offset");

        // When it is described with and without --include-state-transition-errors
        CommandRun asked = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --topics %s"
                .formatted(destination, topic) + " --include-state-transition-errors", env);
        CommandRun plain = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --topics %s"
                .formatted(destination, topic), env);

        // Then both show the failed mirror and its partition; only the asked-for one its transition error
        assertThat(asked.err()).isEmpty();
        assertThat(asked.exitCode()).isZero();
        assertThat(asked.out()).hasSize(3);
        assertThat(asked.out().get(0)).startsWith("Topic: " + topic + "\tLinkName: " + link + "\t")
                .contains("\tState: FAILED\t");
        assertThat(asked.out().get(1)).startsWith("\tPartition: 0\tState: FAILED\t");
        assertThat(asked.out().get(2)).isEqualTo("\tStateTransitionError: ILLEGAL_STATE: " + messages.get(0));
        assertThat(plain.err()).isEmpty();
        assertThat(plain.exitCode()).isZero();
        assertThat(plain.out()).isEqualTo(asked.out().subList(0, 2));
        assertThat(plain.out()).noneMatch(l -> l.contains("StateTransitionError"));
    }

    private static void produce(LocalKafkaCluster cluster, String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }
}
