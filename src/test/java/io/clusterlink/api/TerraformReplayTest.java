package io.clusterlink.api;

import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.SteadyLoad;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Replays what the Terraform provider ({@code confluent_cluster_link}, {@code confluent_kafka_mirror_topic})
 * sends for a whole cycle, with its User-Agent, and reads the answers the way it decodes them: the
 * pinned SDK's five mirror states, the link configs it keeps in its state (editable ones whose
 * source is {@code DYNAMIC_CLUSTER_LINK_CONFIG}), the state waits of its updates and deletes.
 * <p>
 * One change to the provider's link body: the test source's SASL listener is SASL_PLAINTEXT, since
 * its TLS listener's private CA could not be named in the provider's fixed configs.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class TerraformReplayTest {

    /** What the provider sends: the plugin SDK's part, then its own (see its {@code buildUserAgent}). */
    static final String PROVIDER_USER_AGENT = "Terraform/1.9.8 (+https://www.terraform.io) Terraform-Plugin-SDK/2.36.1 "
            + "terraform-provider-confluent/2.40.0 (https://confluent.cloud; support@confluent.io)";
    /** The states the provider's pinned SDK (kafkarest v0.14.0) decodes; any other fails its read. */
    private static final Set<String> SDK_MIRROR_STATES = Set.of("ACTIVE", "FAILED", "PAUSED", "STOPPED",
            "PENDING_STOPPED");
    /** The provider's {@code editableClusterLinkSettings}: the only link configs it keeps in its state. */
    private static final Set<String> EDITABLE = Set.of("acl.filters", "acl.sync.enable", "acl.sync.ms",
            "auto.create.mirror.topics.enable", "auto.create.mirror.topics.filters", "cluster.link.prefix",
            "consumer.group.prefix.enable", "consumer.offset.group.filters", "consumer.offset.sync.enable",
            "consumer.offset.sync.ms", "mirror.start.offset.spec", "topic.config.sync.ms", "topic.config.sync.include");
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final KafkaClusters kafka = KafkaClusters.get();
    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();
    private String cluster;

    @BeforeEach
    void readCluster() {
        cluster = ClusterLinkApi.clusterId();
    }

    @Test
    void aTerraformCycleFromLinkCreateToDestroyPlansNoDiffAndFinishesEveryWait() throws Exception {
        // Given a source topic with records, and the link resource's config block
        String link = uniqueName("tf-link");
        String source = uniqueName("orders");
        String prefix = "dr.";
        String mirror = prefix + source;
        KafkaClusters.createTopic(kafka.source(), source, 2, Map.of());
        produce(source, 30);
        Map<String, String> configBlock = new TreeMap<>(Map.of("consumer.offset.sync.ms", "25000",
                "topic.config.sync.ms", "7000", "cluster.link.prefix", prefix));

        // When terraform apply creates the link (clusterLinkCreate, then clusterLinkRead)
        provider().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("source_cluster_id", kafka.source().clusterId(), "configs", createConfigs(configBlock)))
                .post("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(204);

        // Then its read finds the link and exactly the configs it applied: a refresh plans no diff
        assertThat(readLinkState(link)).isEqualTo(configBlock);
        assertThat(readLinkState(link)).isEqualTo(configBlock);

        // When the config block changes: every config is sent with configs:alter, the unchanged
        // (fixed after create) cluster.link.prefix included
        configBlock.put("consumer.offset.sync.ms", "35000");
        List<Map<String, String>> alter = new ArrayList<>();
        configBlock.forEach((name, value) -> alter.add(Map.of("name", name, "value", value)));
        provider().contentType(ContentType.JSON).body(Map.of("data", alter))
                .put("/kafka/v3/clusters/{c}/links/{l}/configs:alter", cluster, link).then().statusCode(204);

        // Then the read after the update matches the new block
        assertThat(readLinkState(link)).isEqualTo(configBlock);

        // When the mirror topic resource is created (kafkaMirrorTopicCreate, then its read)
        provider().contentType(ContentType.JSON).body(Map.of("source_topic_name", source, "mirror_topic_name", mirror))
                .post("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(204);

        // Then the read right after the create decodes (the mirror may still align its offsets)
        assertThat(readMirrorStatus(link, mirror)).isEqualTo("ACTIVE");
        ClusterLinkApi.awaitCaughtUp(link, source, mirror);

        // When status = "PAUSED", then "ACTIVE" again: the action, then the provider's wait
        mirrorAction(link, "pause", mirror);
        waitForStatus(link, mirror, Set.of("ACTIVE"), "PAUSED");
        mirrorAction(link, "resume", mirror);
        waitForStatus(link, mirror, Set.of("PAUSED"), "ACTIVE");
        assertThat(readMirrorStatus(link, mirror)).isEqualTo("ACTIVE");

        // When status = "PROMOTED": promote, then wait for STOPPED through PENDING_STOPPED
        produce(source, 10);
        mirrorAction(link, "promote", mirror);
        waitForStatus(link, mirror, Set.of("ACTIVE", "PENDING_STOPPED"), "STOPPED");
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), source, kafka.destination(), mirror, WAIT)
                .recordsCompared()).isEqualTo(40);

        // When terraform destroy runs: the mirror topic's delete, the wait for its 404, the link's delete
        provider().delete("/kafka/v3/clusters/{c}/topics/{t}", cluster, mirror).then().statusCode(204);
        waitForMirrorDeleted(link, mirror);
        provider().delete("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200);

        // Then the link and the topic are gone
        await().atMost(WAIT).until(() -> provider().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link)
                .statusCode() == 404);
        await().atMost(Duration.ofSeconds(30)).until(() -> !destinationTopics().contains(mirror));
    }

    @Test
    void destroyingAnActiveMirrorWhileItsSourceIsWrittenLeavesNoTopicAndNoMirror() throws Exception {
        // Given an active mirror whose source is written all the time
        String link = uniqueName("tf-link");
        String topic = uniqueName("busy");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        provider().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("source_cluster_id", kafka.source().clusterId(), "configs", createConfigs(Map.of())))
                .post("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(204);
        provider().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(204);
        try (SteadyLoad load = SteadyLoad.start(kafka.source(), topic, 200)) {
            await().atMost(WAIT).until(() -> load.acknowledged() > 100
                    && KafkaClusters.endOffsets(kafka.destination(), topic).values().stream()
                            .mapToLong(Long::longValue).sum() > 50);
            assertThat(readMirrorStatus(link, topic)).isEqualTo("ACTIVE");

            // When terraform destroy deletes the mirror topic (no promote first) and waits for the 404
            provider().delete("/kafka/v3/clusters/{c}/topics/{t}", cluster, topic).then().statusCode(204);
            waitForMirrorDeleted(link, topic);

            // Then no mirror is left and the topic is gone
            given().get("/kafka/v3/clusters/{c}/links/-/mirrors", cluster).then().statusCode(200)
                    .body("data.mirror_topic_name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(topic)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !destinationTopics().contains(topic));

            // And a topic made again under that name (as a replacement does) gets no record of the
            // old copy while the source is still written
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                KafkaClusters.createTopic(kafka.destination(), topic, 2, Map.of());
                return true;
            });
            long writtenBefore = load.acknowledged();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> KafkaClusters
                    .endOffsets(kafka.destination(), topic).values().stream().allMatch(end -> end == 0));
            assertThat(load.acknowledged()).isGreaterThan(writtenBefore);
        }
        given().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .body("topic_names", org.hamcrest.Matchers.empty());
    }

    @Test
    void aMirrorOfAPausedLinkIsActiveToTheProviderAndLinkPausedToOtherClients() {
        // Given a caught-up mirror whose link is then paused
        String link = uniqueName("tf-link");
        String topic = uniqueName("held");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        ClusterLinkApi.createLink(link, kafka.source().bootstrapServers(), Map.of());
        ClusterLinkApi.createMirror(link, topic);
        ClusterLinkApi.awaitCaughtUp(link, topic);
        ClusterLinkApi.setLinkConfig(link, "cluster.link.paused", "true");

        // When the provider and another client read it, alone and in the list
        String forProvider = readMirrorStatus(link, topic);
        String forOthers = given().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{t}", cluster, link, topic).then()
                .statusCode(200).extract().path("mirror_status");
        String listedForProvider = provider().get("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then()
                .statusCode(200).extract().path("data[0].mirror_status");
        List<String> activeForProvider = provider().queryParam("mirror_status", "ACTIVE")
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(200).extract()
                .path("data.mirror_topic_name");
        List<String> linkPausedForProvider = provider().queryParam("mirror_status", "LINK_PAUSED")
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(200).extract()
                .path("data.mirror_topic_name");
        List<String> activeForOthers = given().queryParam("mirror_status", "ACTIVE")
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(200).extract()
                .path("data.mirror_topic_name");
        List<String> linkPausedForOthers = given().queryParam("mirror_status", "LINK_PAUSED")
                .get("/kafka/v3/clusters/{c}/links/{l}/mirrors", cluster, link).then().statusCode(200).extract()
                .path("data.mirror_topic_name");

        // Then the provider sees the mirror's own state, everyone else the link's
        assertThat(forProvider).isEqualTo("ACTIVE");
        assertThat(listedForProvider).isEqualTo("ACTIVE");
        assertThat(forOthers).isEqualTo("LINK_PAUSED");
        // (and a filter on the state selects by the state the client is shown)
        assertThat(activeForProvider).containsExactly(topic);
        assertThat(linkPausedForProvider).isEmpty();
        assertThat(activeForOthers).isEmpty();
        assertThat(linkPausedForOthers).containsExactly(topic);

        // And a pause planned from it acts, and its wait ends in PAUSED
        mirrorAction(link, "pause", topic);
        waitForStatus(link, topic, Set.of("ACTIVE"), "PAUSED");
    }

    private RequestSpecification provider() {
        return given().header("User-Agent", PROVIDER_USER_AGENT);
    }

    /** The configs of the provider's destination-initiated, outbound link with API-key credentials, then the block's. */
    private List<Map<String, String>> createConfigs(Map<String, String> configBlock) {
        LocalKafkaCluster source = kafka.source();
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("connection.mode", "OUTBOUND");
        configs.put("link.mode", "DESTINATION");
        configs.put("bootstrap.servers", "127.0.0.1:" + source.saslPort());
        configs.put("security.protocol", "SASL_PLAINTEXT");
        configs.put("sasl.mechanism", "PLAIN");
        configs.put("sasl.jaas.config", LocalKafkaCluster.plainJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD));
        configs.putAll(configBlock);
        List<Map<String, String>> items = new ArrayList<>();
        configs.forEach((name, value) -> items.add(Map.of("name", name, "value", value)));
        return items;
    }

    /**
     * The provider's link read: the link (name and cluster_link_id set), then its configs as it keeps
     * them in its state.
     */
    private Map<String, String> readLinkState(String link) {
        JsonPath read = provider().get("/kafka/v3/clusters/{c}/links/{l}", cluster, link).then().statusCode(200)
                .extract().jsonPath();
        assertThat(read.getString("link_name")).isEqualTo(link);
        assertThat(read.getString("cluster_link_id")).isNotBlank();
        JsonPath configs = provider().get("/kafka/v3/clusters/{c}/links/{l}/configs", cluster, link).then()
                .statusCode(200).extract().jsonPath();
        Map<String, String> state = new TreeMap<>();
        for (Map<String, Object> c : configs.<Map<String, Object>>getList("data")) {
            String name = (String) c.get("name");
            if (EDITABLE.contains(name) && "DYNAMIC_CLUSTER_LINK_CONFIG".equals(c.get("source"))) {
                state.put(name, (String) c.get("value"));
            }
        }
        return state;
    }

    /** The provider's mirror read: its SDK fails on any state but its five. */
    private String readMirrorStatus(String link, String mirror) {
        Response response = provider().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{m}", cluster, link, mirror);
        response.then().statusCode(200);
        String status = response.path("mirror_status");
        assertThat(status).as("a mirror_status the provider's SDK decodes").isIn(SDK_MIRROR_STATES);
        return status;
    }

    private void mirrorAction(String link, String action, String mirror) {
        provider().contentType(ContentType.JSON).body(Map.of("mirror_topic_names", List.of(mirror)))
                .post("/kafka/v3/clusters/{c}/links/{l}/mirrors:" + action, cluster, link).then().statusCode(200);
    }

    /** The provider's state wait: every status read is a pending one until the target; any other fails it. */
    private void waitForStatus(String link, String mirror, Set<String> pending, String target) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String status = readMirrorStatus(link, mirror);
            assertThat(status).as("a status the wait for " + target + " accepts").isIn(union(pending, target));
            return status.equals(target);
        });
    }

    /** The provider's delete wait: 200 is in progress, 404 is done, anything else fails it. */
    private void waitForMirrorDeleted(String link, String mirror) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            int status = provider().get("/kafka/v3/clusters/{c}/links/{l}/mirrors/{m}", cluster, link, mirror)
                    .statusCode();
            assertThat(status).isIn(200, 404);
            return status == 404;
        });
    }

    private static Set<String> union(Set<String> pending, String target) {
        Set<String> all = new java.util.HashSet<>(pending);
        all.add(target);
        return all;
    }

    private void produce(String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private Set<String> destinationTopics() throws Exception {
        return kafka.destinationAdmin().listTopics().names().get(30, TimeUnit.SECONDS);
    }
}
