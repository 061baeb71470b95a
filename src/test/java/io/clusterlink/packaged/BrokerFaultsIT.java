package io.clusterlink.packaged;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.SteadyLoad;
import io.clusterlink.testing.TempDirectories;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * The packaged service copying under load while its brokers fail: the destination frozen
 * (SIGSTOP) for 45 s, the destination and the source each killed with SIGKILL and restarted
 * twice. Each mirror ends ACTIVE with lag 0 and identical to its source, record by record.
 */
class BrokerFaultsIT {

    private static final Duration READ = Duration.ofSeconds(120);
    private static final int RATE = 5_000;

    private static Path root;
    private static LocalKafkaCluster source;
    private static LocalKafkaCluster destination;
    private static ServiceProcess service;

    @BeforeAll
    static void startClustersAndService() throws Exception {
        root = Files.createTempDirectory("clusterlink-faults");
        source = LocalKafkaCluster.builder("faults-source").dataDir(root.resolve("source")).heap("384m").build();
        destination = LocalKafkaCluster.builder("faults-destination").dataDir(root.resolve("destination"))
                .heap("384m").build();
        source.start();
        destination.start();
        service = new ServiceProcess(root.resolve("service"), Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", destination.bootstrapServers(),
                "clusterlink.default-cluster", "destination",
                "clusterlink.replication.fence-interval", "500ms",
                "clusterlink.replication.max-retry-backoff", "5s")).start();
        RestAssured.baseURI = service.baseUri();
        RestAssured.port = service.port();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        RestAssured.reset();
        if (service != null) {
            service.stop();
        }
        for (LocalKafkaCluster c : new LocalKafkaCluster[] { source, destination }) {
            if (c != null) {
                c.stop();
            }
        }
        TempDirectories.deleteRecursively(root);
    }

    @AfterEach
    void clustersRunAgain() {
        signal("CONT", destination);
        destination.start();
        source.start();
    }

    @Test
    void aDestinationFrozenFor45SecondsUnderLoadEndsActiveAndIdentical() throws Exception {
        String topic = KafkaClusters.uniqueName("frozen");
        mirrorUnderLoad(topic, load -> {
            // When the destination broker stops answering for 45 s while the source takes 5,000 records/s
            signal("STOP", destination);
            waitFor(Duration.ofSeconds(45));
            signal("CONT", destination);
            waitFor(Duration.ofSeconds(5));
        });
    }

    @Test
    void aDestinationKilledAndRestartedTwiceUnderLoadEndsIdentical() throws Exception {
        String topic = KafkaClusters.uniqueName("dest-killed");
        mirrorUnderLoad(topic, load -> {
            for (int i = 0; i < 2; i++) {
                destination.kill();
                waitFor(Duration.ofSeconds(3));
                destination.start();
                waitFor(Duration.ofSeconds(8));
            }
        });
    }

    @Test
    void aSourceKilledAndRestartedTwiceUnderLoadEndsIdentical() throws Exception {
        String topic = KafkaClusters.uniqueName("source-killed");
        mirrorUnderLoad(topic, load -> {
            for (int i = 0; i < 2; i++) {
                source.kill();
                waitFor(Duration.ofSeconds(3));
                source.start();
                waitFor(Duration.ofSeconds(8));
            }
        });
    }

    private interface Fault {
        void inject(SteadyLoad load) throws Exception;
    }

    /** Given a mirror copying a steady load, when {@code fault} happens, then it ends caught up and identical. */
    private void mirrorUnderLoad(String topic, Fault fault) throws Exception {
        String link = KafkaClusters.uniqueName("faults");
        KafkaClusters.createTopic(source, topic, 2, Map.of());
        createLink(link, source.bootstrapServers(), Map.of());
        createMirror(link, topic);
        SteadyLoad load = SteadyLoad.start(source, topic, RATE);
        await().atMost(READ).until(() -> load.acknowledged() > 20_000);
        fault.inject(load);
        waitFor(Duration.ofSeconds(5));
        load.close();
        long produced = load.acknowledged();
        awaitCaughtUp(source, link, topic, topic);
        JsonPath m = mirror(link, topic);
        assertThat(m.getString("mirror_status")).isEqualTo("ACTIVE");
        assertThat(m.getList("mirror_lags.lag", Integer.class)).containsOnly(0);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(source, topic, destination, topic, READ);
        assertThat(result.recordsCompared()).isEqualTo(produced);
        assertThat(result.fillers()).isZero();
        RestAssured.given().delete("/links/{link}?force=true", link).then().statusCode(200);
    }

    private static void signal(String signal, LocalKafkaCluster cluster) {
        if (!cluster.isRunning()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(cluster.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + cluster.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        await().atMost(d.plusSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> System.nanoTime() >= until);
    }
}
