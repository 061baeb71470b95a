package io.clusterlink.cli;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.TempDirectories;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The seed documents' {@code kafka-cluster-links} and {@code kafka-mirrors} commands, verbatim but for
 * their placeholders (the test clusters' bootstrap servers, the files, the link and topic names), run
 * in this JVM against the service under test: their output line by line, and what they did.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class SeedCommandsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The seed's filter files, verbatim but for the topic and group names. */
    private static final String TOPIC_FILTER = """
            {
              "topicFilters": [
                {
                  "name": "%s",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    private static final String GROUP_FILTER = """
            {
              "groupFilters": [
                {
                  "name": "%s",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    private static final String ACL_FILTER = """
            {
              "aclFilters": [
                {
                  "resourceFilter": {
                    "resourceType": "any",
                    "patternType": "any"
                  },
                  "accessFilter": {
                    "operation": "any",
                    "permissionType": "any"
                  }
                }
              ]
            }""";

    private final KafkaClusters kafka = KafkaClusters.get();
    private final ObjectMapper json = new ObjectMapper();

    @TestHTTPResource("/")
    URL service;

    private Path dir;
    private String link;
    private String destination;

    @BeforeEach
    void files() throws Exception {
        dir = Files.createTempDirectory("clusterlink-cli");
        link = KafkaClusters.uniqueName("test-cluster-link");
        destination = "127.0.0.1:" + kafka.destination().saslSslPort();
        // destination.config of the seed, with where the service is and who calls it
        Files.writeString(dir.resolve("destination.config"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + LocalKafkaCluster.plainJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD),
                "clusterlink.url=" + service.toString(),
                "clusterlink.api.user=" + TestUsers.OPERATOR,
                "clusterlink.api.password=" + TestUsers.OPERATOR_PASSWORD, ""), StandardCharsets.UTF_8);
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (given().get("/links/{link}", link).statusCode() == 200) {
            given().queryParam("force", true).delete("/links/{link}", link).then().statusCode(200);
        }
        TempDirectories.deleteRecursively(dir);
    }

    @Test
    void createsTheSeedsLinkWithItsFiltersThenPromotesTheMirrorAndDeletesTheLink() throws Exception {
        LocalKafkaCluster source = kafka.source();
        String topic = KafkaClusters.uniqueName("test-topic");
        String group = KafkaClusters.uniqueName("test-group");
        // Given a source topic with the seed's five records, and the seed's files
        KafkaClusters.createTopic(source, topic, 1, Map.of());
        produce(source, topic, "1", "2", "3", "4", "5");
        // source.config of the seed; the source's CA inline (PEM), as the seed's clusters have public certificates
        Files.writeString(dir.resolve("source.config"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + LocalKafkaCluster.plainJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD),
                "bootstrap.servers=127.0.0.1:" + source.saslSslPort(),
                "auto.create.mirror.topics.enable=true",
                "consumer.offset.sync.enable=true",
                "acl.sync.enable=true",
                "ssl.truststore.type=PEM",
                "ssl.truststore.certificates=" + kafka.certificates().caPem().strip().replace("\n", "\\n"), ""),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("topic_filter.json"), TOPIC_FILTER.formatted(topic));
        Files.writeString(dir.resolve("group.json"), GROUP_FILTER.formatted(group));
        Files.writeString(dir.resolve("acl.json"), ACL_FILTER);

        // When: Step 4 of the seed
        CommandRun create = CommandRun.of("""
                kafka-cluster-links --create --link %s \
                  --config-file %s/source.config \
                  --topic-filters-json-file %s/topic_filter.json \
                  --consumer-group-filters-json-file %s/group.json \
                  --acl-filters-json-file %s/acl.json \
                  --bootstrap-server %s \
                  --command-config %s/destination.config""".formatted(link, dir, dir, dir, dir, destination, dir));

        // Then the link exists with the three filters as its configs, and its auto-created mirror copies the source
        assertThat(create.err()).isEmpty();
        assertThat(create.out()).containsExactly("Cluster link '" + link + "' creation successfully completed.");
        assertThat(create.exitCode()).isZero();
        JsonPath configs = given().get("/kafka/v3/clusters/{c}/links/{link}/configs", kafka.destination().clusterId(),
                link).then().statusCode(200).extract().jsonPath();
        assertThat(json.readTree(configValue(configs, "auto.create.mirror.topics.filters")))
                .isEqualTo(json.readTree(TOPIC_FILTER.formatted(topic)));
        assertThat(json.readTree(configValue(configs, "consumer.offset.group.filters")))
                .isEqualTo(json.readTree(GROUP_FILTER.formatted(group)));
        assertThat(json.readTree(configValue(configs, "acl.filters"))).isEqualTo(json.readTree(ACL_FILTER));
        assertThat(configValue(configs, "acl.sync.enable")).isEqualTo("true");
        assertThat(configValue(configs, "bootstrap.servers")).isEqualTo("127.0.0.1:" + source.saslSslPort());
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> given().get("/links/{link}/mirrors", link).then().statusCode(200).extract()
                        .jsonPath().getList("data.mirror_topic_name").contains(topic));
        awaitCaughtUp(link, topic);
        assertThat(mirror(link, topic).getString("mirror_status")).isEqualTo("ACTIVE");
        assertThat(MirrorVerifier.assertIdentical(source, topic, kafka.destination(), topic, WAIT).recordsCompared())
                .isEqualTo(5);

        // kafka-cluster-links --list
        CommandRun list = CommandRun.of("""
                kafka-cluster-links --list \
                  --bootstrap-server %s \
                  --command-config %s/destination.config""".formatted(destination, dir));
        String linkId = given().get("/links/{link}", link).then().extract().path("cluster_link_id");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("Link name: '" + link + "', link ID: '" + linkId + "', remote cluster ID: '"
                + source.clusterId() + "', local cluster ID: '" + kafka.destination().clusterId()
                + "', remote cluster available: 'true', link state: 'ACTIVE'");

        // kafka-cluster-links --describe --link <link>
        CommandRun describeLink = CommandRun.of("kafka-cluster-links --bootstrap-server %s --describe --link %s"
                .formatted(destination, link) + " --command-config " + dir + "/destination.config");
        assertThat(describeLink.exitCode()).isZero();
        assertThat(describeLink.out().get(0)).startsWith("Link name: '" + link + "', link ID: '" + linkId + "'");
        assertThat(describeLink.out()).contains("  Config: acl.sync.enable=true",
                "  Config: sasl.jaas.config=<sensitive>",
                "  Task: AutoCreateMirror  State: ACTIVE");

        // kafka-mirrors --describe --mirror-topic <topic>
        CommandRun describe = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --mirror-topic %s"
                .formatted(destination, topic) + " --command-config " + dir + "/destination.config");
        assertThat(describe.exitCode()).isZero();
        assertThat(describe.out()).hasSize(2);
        assertThat(describe.out().get(0)).matches("Topic: " + topic + "\tLinkName: " + link + "\tLinkId: " + linkId
                + "\tSourceTopic: " + topic + "\tState: ACTIVE\tStateTime: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(describe.out().get(1))
                .isEqualTo("\tPartition: 0\tState: ACTIVE\tLastFetchSourceHighWatermark: 5\tLag: 0");

        // When: kafka-mirrors --promote --topics test-topic
        CommandRun promote = CommandRun.of("""
                kafka-mirrors --promote --topics %s \
                  --bootstrap-server %s \
                  --command-config %s/destination.config""".formatted(topic, destination, dir));

        // Then the seed's three lines, and the mirror stops with every record of its source
        assertThat(promote.err()).isEmpty();
        assertThat(promote.out()).containsExactly(
                "Calculating max offset and ms lag for mirror topics: [" + topic + "]",
                "Finished calculating max offset lag and max lag ms for mirror topics: [" + topic + "]",
                "Request for stopping topic " + topic + "'s mirror was successfully scheduled. Please use the describe"
                        + " command with the --pending-stopped-only option to monitor progress.");
        assertThat(promote.exitCode()).isZero();
        awaitStatus(link, topic, "STOPPED");
        assertThat(MirrorVerifier.assertIdentical(source, topic, kafka.destination(), topic, WAIT).recordsCompared())
                .isEqualTo(5);
        CommandRun pending = CommandRun.of("kafka-mirrors --describe --topics %s --pending-stopped-only"
                .formatted(topic) + " --bootstrap-server " + destination + " --command-config " + dir
                + "/destination.config");
        assertThat(pending.out()).containsExactly("No mirror topics found.");

        // When: kafka-cluster-links --delete --link test-cluster-link
        CommandRun delete = CommandRun.of("""
                kafka-cluster-links --delete --link %s \
                  --bootstrap-server %s \
                  --command-config %s/destination.config""".formatted(link, destination, dir));

        // Then the seed's line, and the link is gone
        assertThat(delete.err()).isEmpty();
        assertThat(delete.out()).containsExactly("Cluster link '" + link + "' deletion successfully completed.");
        assertThat(delete.exitCode()).isZero();
        given().get("/links/{link}", link).then().statusCode(404);
    }

    @Test
    void createsAMirrorThenPausesResumesAndFailsItOver() throws Exception {
        LocalKafkaCluster source = kafka.source();
        String orders = KafkaClusters.uniqueName("orders");
        KafkaClusters.createTopic(source, orders, 2, Map.of());
        produce(source, orders, "a", "b", "c", "d");
        // link-src.properties of the walkthrough: the source's bootstrap servers only
        Files.writeString(dir.resolve("link-src.properties"), "bootstrap.servers=" + source.bootstrapServers() + "\n");
        String config = " --command-config " + dir + "/destination.config";
        CommandRun create = CommandRun
                .of("kafka-cluster-links --bootstrap-server %s --create --link %s --config-file %s"
                        .formatted(destination, link, dir.resolve("link-src.properties")) + config);
        assertThat(create.out()).containsExactly("Cluster link '" + link + "' creation successfully completed.");

        // When: kafka-mirrors --create --mirror-topic orders --link src-to-dest
        CommandRun mirrorCreate = CommandRun
                .of("kafka-mirrors --bootstrap-server %s --create --mirror-topic %s --link %s"
                        .formatted(destination, orders, link) + config);

        // Then
        assertThat(mirrorCreate.err()).isEmpty();
        assertThat(mirrorCreate.out()).containsExactly("Created topic " + orders + ".");
        awaitCaughtUp(link, orders);
        assertThat(MirrorVerifier.assertIdentical(source, orders, kafka.destination(), orders, WAIT).recordsCompared())
                .isEqualTo(4);
        CommandRun mirrors = CommandRun.of("kafka-mirrors --list --link %s --bootstrap-server %s".formatted(link,
                destination) + config);
        assertThat(mirrors.out()).containsExactly(orders);
        CommandRun describe = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --links %s --topics %s"
                .formatted(destination, link, orders) + config);
        assertThat(describe.out()).hasSize(3);
        assertThat(describe.out().get(0)).contains("\tState: ACTIVE\t");
        assertThat(describe.out().subList(1, 3)).allMatch(l -> l.matches("\tPartition: [01]\tState: ACTIVE\t"
                + "LastFetchSourceHighWatermark: \\d+\tLag: 0"));

        CommandRun withErrors = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --topics %s"
                .formatted(destination, orders) + " --include-state-transition-errors" + config);
        assertThat(withErrors.out()).hasSize(3);
        assertThat(withErrors.out().get(0)).contains("\tState: ACTIVE\t");

        // A promote by pattern on the link, only validated: nothing changes
        CommandRun validated = CommandRun
                .of("kafka-mirrors --promote --link %s --topics-pattern orders-.* --validate-only"
                        .formatted(link) + " --bootstrap-server " + destination + config);
        assertThat(validated.err()).isEmpty();
        assertThat(validated.out()).containsExactly(
                "Calculating max offset and ms lag for mirror topics: [" + orders + "]",
                "Finished calculating max offset lag and max lag ms for mirror topics: [" + orders + "]",
                "Request for stopping topic " + orders + "'s mirror was successfully validated.");
        assertThat(mirror(link, orders).getString("mirror_status")).isEqualTo("ACTIVE");

        // When paused, then resumed
        CommandRun pause = CommandRun.of("kafka-mirrors --pause --topics %s --bootstrap-server %s".formatted(orders,
                destination) + config);
        assertThat(pause.out()).containsExactly("Request for pausing topic " + orders
                + "'s mirror was successfully scheduled.");
        awaitStatus(link, orders, "PAUSED");
        CommandRun resume = CommandRun.of("kafka-mirrors --resume --topics %s --bootstrap-server %s".formatted(orders,
                destination) + config);
        assertThat(resume.out()).containsExactly("Request for unpausing topic " + orders
                + "'s mirror was successfully scheduled.");
        awaitStatus(link, orders, "ACTIVE");

        // When failed over
        CommandRun failover = CommandRun.of("kafka-mirrors --failover --topics %s --bootstrap-server %s"
                .formatted(orders, destination) + config);

        // Then stopped at once
        assertThat(failover.err()).isEmpty();
        assertThat(failover.out()).containsExactly("Request for stopping topic " + orders + "'s mirror was successfully"
                + " scheduled. Please use the describe command with the --pending-stopped-only option to monitor"
                + " progress.");
        awaitStatus(link, orders, "STOPPED");
        // a second failover is refused for that topic: one line, a failed exit
        CommandRun again = CommandRun.of("kafka-mirrors --failover --topics %s --bootstrap-server %s"
                .formatted(orders, destination) + config);
        assertThat(again.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(again.err()).hasSize(1);
        assertThat(again.err().get(0)).startsWith("Error encountered while stopping topic " + orders + "'s mirror: ");
    }

    @Test
    void runsTheOffsetPreservingMigrationWalkthroughWithTheServiceFromTheEnvironment() throws Exception {
        // The walkthrough's commands have no --command-config: the service comes from the environment
        Map<String, String> env = Map.of("CLUSTERLINK_URL", service.toString(), "CLUSTERLINK_API_USER",
                TestUsers.OPERATOR, "CLUSTERLINK_API_PASSWORD", TestUsers.OPERATOR_PASSWORD);
        LocalKafkaCluster source = kafka.source();
        String orders = KafkaClusters.uniqueName("orders");
        KafkaClusters.createTopic(source, orders, 3, Map.of());
        produce(source, orders, "41", "42", "43", "100", "101");
        Path properties = dir.resolve("link-src.properties");
        Files.writeString(properties, "bootstrap.servers=" + source.bootstrapServers() + "\n");

        // When: link creation on the destination, then the mirror of orders
        CommandRun create = CommandRun.of("""
                kafka-cluster-links \
                  --bootstrap-server %s \
                  --create --link %s \
                  --config-file %s""".formatted(destination, link, properties), env);
        CommandRun mirror = CommandRun.of("""
                kafka-mirrors \
                  --bootstrap-server %s \
                  --create --mirror-topic %s --link %s""".formatted(destination, orders, link), env);

        // Then
        assertThat(create.out()).containsExactly("Cluster link '" + link + "' creation successfully completed.");
        assertThat(mirror.out()).containsExactly("Created topic " + orders + ".");
        awaitCaughtUp(link, orders);
        assertThat(MirrorVerifier.assertIdentical(source, orders, kafka.destination(), orders, WAIT).recordsCompared())
                .isEqualTo(5);
        CommandRun describeLink = CommandRun.of("kafka-cluster-links --bootstrap-server %s --describe --link %s"
                .formatted(destination, link), env);
        assertThat(describeLink.out().get(0)).startsWith("Link name: '" + link + "'").endsWith("link state: 'ACTIVE'");
        CommandRun describe = CommandRun.of("kafka-mirrors --bootstrap-server %s --describe --mirror-topic %s"
                .formatted(destination, orders), env);
        assertThat(describe.out()).hasSize(4);
        assertThat(describe.out().get(0)).contains("\tState: ACTIVE\t");

        // When: the promotion of the walkthrough's cutover
        CommandRun promote = CommandRun.of("kafka-mirrors --bootstrap-server %s --promote --mirror-topic %s"
                .formatted(destination, orders), env);

        // Then
        assertThat(promote.err()).isEmpty();
        assertThat(promote.out()).containsExactly(
                "Calculating max offset and ms lag for mirror topics: [" + orders + "]",
                "Finished calculating max offset lag and max lag ms for mirror topics: [" + orders + "]",
                "Request for stopping topic " + orders + "'s mirror was successfully scheduled. Please use the"
                        + " describe command with the --pending-stopped-only option to monitor progress.");
        awaitStatus(link, orders, "STOPPED");
        assertThat(MirrorVerifier.assertIdentical(source, orders, kafka.destination(), orders, WAIT).recordsCompared())
                .isEqualTo(5);
    }

    private static String configValue(JsonPath configs, String name) {
        return configs.getString("data.find { it.name == '" + name + "' }.value");
    }

    private static void produce(LocalKafkaCluster cluster, String topic, String... values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }
}
