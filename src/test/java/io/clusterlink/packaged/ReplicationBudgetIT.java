package io.clusterlink.packaged;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;
import io.restassured.RestAssured;

/**
 * The packaged service's copy threads while links come and go: their producers and consumers
 * follow their share of the instance's replication budget (made again when it halves or doubles),
 * and every record stays at its offset meanwhile. An instance of its own (its own database), so
 * that the links of other tests do not share the budget.
 */
class ReplicationBudgetIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String MOVED = "its partitions move to a new producer";
    private static final long BASE_TIMESTAMP = System.currentTimeMillis() - 3_600_000;

    private static final KafkaClusters kafka = KafkaClusters.get();
    private static Path root;
    private static ServiceProcess service;

    @BeforeAll
    static void startService() throws Exception {
        root = Files.createTempDirectory("clusterlink-budget");
        service = new ServiceProcess(root.resolve("service"), Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination",
                // 200 MB whatever the heap: 16 copy threads get 5 MB of producer buffers each, 33 get 2.4 MB
                "clusterlink.replication.memory-budget", "200M",
                "clusterlink.replication.reconcile-interval", "200ms",
                "clusterlink.replication.fence-interval", "500ms",
                "quarkus.log.category.\"io.clusterlink.replication.PartitionCopier\".level", "DEBUG")).start();
        RestAssured.baseURI = service.baseUri();
        RestAssured.port = service.port();
    }

    @AfterAll
    static void stopService() throws Exception {
        RestAssured.reset();
        if (service != null) {
            service.stop();
        }
        TempDirectories.deleteRecursively(root);
    }

    @Test
    void copyThreadsShrinkAndGrowTheirClientsAsLinksComeAndGoWithoutMovingARecord() throws Exception {
        // Given a link of 16 copy threads copying a topic of 16 partitions while records keep coming
        String topic = KafkaClusters.uniqueName("budget");
        String other = KafkaClusters.uniqueName("newcomer");
        String small = KafkaClusters.uniqueName("small");
        String link = KafkaClusters.uniqueName("budget-link");
        String newcomer = KafkaClusters.uniqueName("newcomer-link");
        String smallLink = KafkaClusters.uniqueName("small-link");
        KafkaClusters.createTopic(kafka.source(), topic, 16, Map.of());
        KafkaClusters.createTopic(kafka.source(), other, 4, Map.of());
        KafkaClusters.createTopic(kafka.source(), small, 1, Map.of());
        produce(topic, 0, 20_000);
        produce(other, 0, 5_000);
        produce(small, 0, 1_000);
        createLink(link, 16);
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");
        CompletableFuture<Void> more = CompletableFuture.runAsync(() -> produceSlowly(topic, 20_000, 40_000));

        // When two more links come, of 16 copy threads and of one: 33 threads share the budget, so
        // the first link's share falls below half of what its clients were made with
        long movedBefore = logged(MOVED);
        createLink(newcomer, 16);
        createMirror(newcomer, other);
        createLink(smallLink, 1);
        createMirror(smallLink, small);

        // Then its partitions moved to smaller producers while they copied, and both mirrors are identical
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> logged(MOVED) > movedBefore);
        more.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        awaitCaughtUp(link, topic);
        awaitCaughtUp(newcomer, other);
        awaitCaughtUp(smallLink, small);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(40_000);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), other, kafka.destination(), other, WAIT)
                .recordsCompared()).isEqualTo(5_000);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), small, kafka.destination(), small, WAIT)
                .recordsCompared()).isEqualTo(1_000);

        // And when those links go, the first one's clients grow back, still in place
        long movedThen = logged(MOVED);
        deleteLink(newcomer);
        deleteLink(smallLink);
        CompletableFuture<Void> last = CompletableFuture.runAsync(() -> produceSlowly(topic, 40_000, 50_000));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> logged(MOVED) > movedThen);
        last.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(50_000);
        deleteLink(link);
    }

    /** How many times the service logged {@code text}. */
    private static long logged(String text) throws Exception {
        long n = 0;
        for (Path log : service.logs()) {
            if (Files.exists(log)) {
                n += Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
            }
        }
        return n;
    }

    private static void produce(String topic, int from, int to) throws Exception {
        Random random = new Random(from);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            int partitions = producer.partitionsFor(topic).size();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(send(producer, topic, i, partitions, random));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Not idempotent, one request in flight (see DestinationLimitsIT: a fresh topic refused an idempotent load). */
    private static KafkaProducer<byte[], byte[]> producer() {
        return KafkaClusters.producer(kafka.source(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
    }

    /** Writes records {@code from} to {@code to} over about four seconds. */
    private static void produceSlowly(String topic, int from, int to) {
        Random random = new Random(from);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            int partitions = producer.partitionsFor(topic).size();
            int perTick = Math.max(1, (to - from) / 40);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(send(producer, topic, i, partitions, random));
                if ((i - from) % perTick == perTick - 1) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a record was not written", e);
        }
    }

    private static Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String topic, int i,
            int partitions, Random random) {
        byte[] value = new byte[200 + random.nextInt(800)];
        random.nextBytes(value);
        RecordHeaders headers = new RecordHeaders();
        headers.add("seq", Integer.toString(i).getBytes());
        return producer.send(new ProducerRecord<>(topic, i % partitions, BASE_TIMESTAMP + i, ("key-" + i).getBytes(),
                value, headers));
    }

    private static void createLink(String link, int fetchers) {
        ClusterLinkApi.createLink(link, kafka.source().bootstrapServers(),
                Map.of("num.cluster.link.fetchers", Integer.toString(fetchers)));
    }

    private static void deleteLink(String link) {
        given().delete("/links/{link}?force=true", link).then().statusCode(200);
    }
}
