package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.PartitionLog;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The packaged service mirroring to destinations unlike the usual one: an Apache Kafka 3.5 cluster
 * (no {@code message.timestamp.before/after.max.ms} topic configs yet) and a cluster whose brokers
 * take requests of at most 2 MB ({@code socket.request.max.bytes}). The source is the shared
 * source cluster.
 */
class DestinationLimitsIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int SMALL_REQUEST_BYTES = 2 * 1024 * 1024;
    /** 2015-01-01T00:00:00Z: older than any default timestamp bound. */
    private static final long OLD_TIMESTAMP = 1_420_070_400_000L;
    /**
     * Source topics of 2015 records keep them: with the default retention (7 days) the source broker
     * deletes them at its next retention check (every 5 s), often before they are mirrored.
     */
    private static final Map<String, String> KEEP_OLD_RECORDS = Map.of("retention.ms", "-1");
    /** The legacy cluster's timestamp bound: topics there refuse the 2015 records unless the mirror lifts it. */
    private static final long ONE_DAY_MS = 86_400_000L;

    private static final KafkaClusters kafka = KafkaClusters.get();
    private static Path root;
    private static LocalKafkaCluster legacy;
    private static LocalKafkaCluster small;
    private static ServiceProcess service;

    @BeforeAll
    static void startDestinationsAndService() throws Exception {
        root = Files.createTempDirectory("clusterlink-limits");
        String legacyLib = System.getProperty("clusterlink-test.legacy-kafka-lib-dir",
                "target/kafka-broker-legacy/lib");
        legacy = LocalKafkaCluster.builder("limits-legacy").dataDir(root.resolve("legacy")).heap("384m")
                .libDir(Path.of(legacyLib))
                .brokerProperty("log.message.timestamp.difference.max.ms", String.valueOf(ONE_DAY_MS)).build();
        small = LocalKafkaCluster.builder("limits-small").dataDir(root.resolve("small")).heap("384m")
                .brokerProperty("socket.request.max.bytes", String.valueOf(SMALL_REQUEST_BYTES)).build();
        CompletableFuture<LocalKafkaCluster> legacyStart = CompletableFuture.supplyAsync(legacy::start);
        small.start();
        legacyStart.join();
        service = new ServiceProcess(root.resolve("service"), Map.of(
                "clusterlink.clusters.legacy.bootstrap-servers", legacy.bootstrapServers(),
                "clusterlink.clusters.small.bootstrap-servers", small.bootstrapServers(),
                "clusterlink.default-cluster", "legacy",
                "clusterlink.replication.fence-interval", "500ms")).start();
        RestAssured.baseURI = service.baseUri();
        RestAssured.port = service.port();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        RestAssured.reset();
        if (service != null) {
            service.stop();
        }
        for (LocalKafkaCluster c : new LocalKafkaCluster[] { legacy, small }) {
            if (c != null) {
                c.stop();
            }
        }
        TempDirectories.deleteRecursively(root);
    }

    @Test
    void aKafka35DestinationMirrorsOldRecordsIdenticallyAndPromotes() throws Exception {
        // Given a source topic of 3 partitions whose records carry timestamps of 2015, and a 3.5
        // destination whose topics take timestamps at most a day old
        assertThat(brokerVersion(legacy)).startsWith("3.5");
        String topic = KafkaClusters.uniqueName("legacy");
        String link = KafkaClusters.uniqueName("legacy-link");
        KafkaClusters.createTopic(kafka.source(), topic, 3, KEEP_OLD_RECORDS);
        produce(topic, 3_000, i -> ("value-" + i).getBytes());

        // When it is mirrored to the 3.5 cluster
        createLink(legacy, link);
        createMirror(legacy, link, topic);

        // Then the mirror catches up and is identical, old timestamps included
        awaitCaughtUp(legacy, link, topic);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, legacy, topic, WAIT);
        assertThat(result.recordsCompared()).isEqualTo(3_000);
        assertThat(result.fillers()).isZero();
        assertThat(topicConfig(legacy, topic, "message.timestamp.difference.max.ms")).isEqualTo(Long.MAX_VALUE + "");

        // And a promote stops it where the source ends and leaves a writable topic with the source's configs
        JsonPath promoted = api(legacy).contentType(ContentType.JSON)
                .body(Map.of("mirror_topic_names", List.of(topic)))
                .post("/links/{link}/mirrors:promote", link).then().statusCode(200).extract().jsonPath();
        assertThat(promoted.getList("data.error_code")).containsOnly((Object) null);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> "STOPPED".equals(mirror(legacy, link, topic).getString("mirror_status")));
        assertThat(KafkaClusters.endOffsets(legacy, topic).values()).containsOnly(1_000L);
        assertThat(topicConfig(legacy, topic, "message.timestamp.difference.max.ms")).isEqualTo(ONE_DAY_MS + "");
        assertThat(topicConfig(legacy, topic, "max.message.bytes"))
                .isEqualTo(topicConfig(kafka.source(), topic, "max.message.bytes"));
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(legacy, Map.of())) {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, 0, "after".getBytes(), "x".getBytes()))
                    .get(30, TimeUnit.SECONDS);
            assertThat(written.offset()).isEqualTo(1_000L);
        }
        api(legacy).delete("/links/{link}?force=true", link).then().statusCode(200);
    }

    @Test
    void aRecordLargerThanTheDestinationTakesFailsTheMirrorAtThatOffsetAfterCopyingEverythingBefore() throws Exception {
        // Given a source topic that takes 8 MB records: 50 small records, one of 1.5 MB of random
        // bytes (fits a 2 MB request), 49 small ones, one of 3 MB of random bytes (fits no 2 MB
        // request, compressed or not), and 100 small ones after it
        String topic = KafkaClusters.uniqueName("too-large");
        String link = KafkaClusters.uniqueName("small-link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of("max.message.bytes", String.valueOf(8 << 20),
                "retention.ms", "-1"));
        Random random = new Random(11);
        produce(topic, 200, i -> {
            int size = i == 50 ? 1_536 * 1024 : i == 100 ? 3 << 20 : 100;
            byte[] value = new byte[size];
            random.nextBytes(value);
            return value;
        });

        // When it is mirrored to the cluster that takes requests of at most 2 MB
        createLink(small, link);
        createMirror(small, link, topic);

        // Then the mirror fails with a reason that names the record, and holds exactly the 100 records before it
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> "FAILED".equals(mirror(small, link, topic).getString("mirror_status")));
        JsonPath failed = mirror(small, link, topic);
        assertThat(failed.getString("mirror_topic_error")).isEqualTo("UNSUPPORTED_MESSAGE_FORMAT");
        assertThat(failed.getString("mirror_status_message"))
                .contains("source offset 100 of partition 0")
                .contains("more than the destination cluster accepts in one request");
        assertThat(KafkaClusters.endOffsets(small, topic).values()).containsOnly(100L);
        PartitionLog source = KafkaClusters.readLogs(kafka.source(), topic, IsolationLevel.READ_COMMITTED, WAIT).get(0);
        PartitionLog mirror = KafkaClusters.readLogs(small, topic, IsolationLevel.READ_UNCOMMITTED, WAIT).get(0);
        assertThat(mirror.records()).hasSize(100);
        for (int i = 0; i < 100; i++) {
            ConsumerRecord<byte[], byte[]> s = source.records().get(i);
            ConsumerRecord<byte[], byte[]> m = mirror.records().get(i);
            assertThat(m.offset()).isEqualTo(s.offset());
            assertThat(m.key()).isEqualTo(s.key());
            assertThat(m.value()).as("value at offset %d", i).isEqualTo(s.value());
            assertThat(m.headers().toArray()).isEqualTo(s.headers().toArray());
            assertThat(m.timestamp()).isEqualTo(s.timestamp());
        }
        api(small).delete("/links/{link}?force=true", link).then().statusCode(200);
    }

    private interface Values {
        byte[] value(int i);
    }

    /** {@code count} records spread over the topic's partitions, each with a header and a 2015 timestamp. */
    /**
     * Writes the records and checks that each was written: not idempotent, one request in flight
     * (an idempotent bulk load into a fresh topic was refused here once with
     * {@code OutOfOrderSequenceException}, leaving the topic empty).
     */
    private static void produce(String topic, int count, Values values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20, ProducerConfig.LINGER_MS_CONFIG, 5,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1))) {
            int partitions = producer.partitionsFor(topic).size();
            List<java.util.concurrent.Future<RecordMetadata>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("n", Integer.toString(i).getBytes());
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, OLD_TIMESTAMP + i,
                        ("key-" + i).getBytes(), values.value(i), headers)));
            }
            producer.flush();
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static RequestSpecification api(LocalKafkaCluster destination) {
        return RestAssured.given().basePath("/kafka/v3/clusters/" + destination.clusterId());
    }

    private static void createLink(LocalKafkaCluster destination, String link) {
        api(destination).contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers",
                        "value", kafka.source().bootstrapServers()))))
                .post("/links").then().statusCode(204);
    }

    private static void createMirror(LocalKafkaCluster destination, String link, String topic) {
        api(destination).contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/links/{link}/mirrors", link).then().statusCode(204);
    }

    private static JsonPath mirror(LocalKafkaCluster destination, String link, String topic) {
        return api(destination).get("/links/{link}/mirrors/{topic}", link, topic).then().statusCode(200)
                .extract().jsonPath();
    }

    private static void awaitCaughtUp(LocalKafkaCluster destination, String link, String topic) {
        Map<TopicPartition, Long> ends = KafkaClusters.endOffsets(kafka.source(), topic);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonPath m = mirror(destination, link, topic);
            return "ACTIVE".equals(m.getString("mirror_status"))
                    && m.getList("mirror_lags.lag", Integer.class).stream().allMatch(l -> l == 0)
                    && KafkaClusters.endOffsets(destination, topic).equals(ends);
        });
    }

    private static String topicConfig(LocalKafkaCluster cluster, String topic, String name) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            ConfigEntry entry = config.get(name);
            return entry == null ? null : entry.value();
        }
    }

    private static String brokerVersion(LocalKafkaCluster cluster) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            // The broker's Kafka version shows in its config "inter.broker.protocol.version" on 3.5
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            return config.get("inter.broker.protocol.version").value();
        }
    }
}
