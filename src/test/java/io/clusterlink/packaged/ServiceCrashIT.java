package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** The packaged service killed with SIGKILL ten times in the middle of a copy finishes it after a restart. */
class ServiceCrashIT {

    private static final int RECORDS = 1_000_000;
    private static final int KILLS = 10;
    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void aServiceKilledMidCopyFinishesAfterRestartWithNothingLostOrDuplicated() throws Exception {
        String topic = KafkaClusters.uniqueName("crash");
        KafkaClusters.createTopic(kafka.source(), topic, 4, Map.of());
        produce(topic);
        Path dataDir = Files.createTempDirectory("clusterlink-crash");
        Map<String, String> props = Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination",
                "clusterlink.replication.fence-interval", "500ms",
                // each restart takes over from a killed writer: it waits this long before writing
                "clusterlink.fleet.takeover-wait", "6s");
        try (ServiceProcess service = new ServiceProcess(dataDir, props).start()) {
            RestAssured.baseURI = service.baseUri();
            RestAssured.port = service.port();
            RestAssured.given().contentType(ContentType.JSON).queryParam("link_name", "crash-link")
                    .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers",
                            "value", kafka.source().bootstrapServers()))))
                    .post("/links").then().statusCode(204);
            RestAssured.given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                    .post("/links/crash-link/mirrors").then().statusCode(204);

            // When the service is killed ten times while the copy is under way, each time soon after it copied more
            long copiedBefore = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                long before = copiedBefore;
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> total(KafkaClusters.endOffsets(kafka.destination(), topic)) > before);
                service.kill();
                copiedBefore = total(KafkaClusters.endOffsets(kafka.destination(), topic));
                assertThat(copiedBefore).as("copied when killed the %d. time", kill).isLessThan(RECORDS);
                if (kill < KILLS) {
                    service.start();
                }
            }

            // Then a restarted service finishes the copy
            service.start();
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).until(() -> {
                JsonPath m = RestAssured.given().get("/links/crash-link/mirrors/" + topic).then().statusCode(200)
                        .extract().jsonPath();
                return "ACTIVE".equals(m.getString("mirror_status"))
                        && m.getList("mirror_lags.lag", Integer.class).stream().allMatch(l -> l == 0)
                        && total(KafkaClusters.endOffsets(kafka.destination(), topic)) == RECORDS;
            });
            MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(),
                    topic, Duration.ofSeconds(120));
            assertThat(result.recordsCompared()).isEqualTo(RECORDS);
            assertThat(result.fillers()).isZero();
        } finally {
            RestAssured.reset();
            Path logs = Files.createDirectories(Path.of("target", "crash-logs"));
            try (var files = Files.list(dataDir)) {
                for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                    Files.copy(log, logs.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            TempDirectories.deleteRecursively(dataDir);
        }
    }

    private void produce(String topic) throws Exception {
        Random random = new Random(7);
        long baseTimestamp = System.currentTimeMillis() - RECORDS;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024))) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] value = new byte[100];
                random.nextBytes(value);
                RecordHeaders headers = new RecordHeaders();
                headers.add("n", Integer.toString(i).getBytes());
                producer.send(new ProducerRecord<>(topic, null, baseTimestamp + i,
                        ("key-" + i).getBytes(), value, headers));
            }
            producer.flush();
        }
    }

    private static long total(Map<?, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
