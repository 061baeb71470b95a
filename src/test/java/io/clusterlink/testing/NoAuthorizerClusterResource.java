package io.clusterlink.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A third Kafka cluster without an authorizer, registered as the service's second destination
 * cluster {@code plain} (the default cluster stays {@code destination}). Its bootstrap servers are
 * published in the system property {@link #BOOTSTRAP_PROPERTY} for the test's own clients. It runs
 * from the application start of the test profile that uses it to the application stop.
 */
public class NoAuthorizerClusterResource implements QuarkusTestResourceLifecycleManager {

    /** The configured name of the cluster in the service. */
    public static final String NAME = "plain";
    public static final String BOOTSTRAP_PROPERTY = "clusterlink-test.plain-cluster.bootstrap-servers";

    private static volatile LocalKafkaCluster running;
    private Path dataDir;
    private LocalKafkaCluster cluster;

    /** The cluster while the resource runs: tests may stop and start it (same port and data). */
    public static LocalKafkaCluster cluster() {
        return running;
    }

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("clusterlink-plain-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster = LocalKafkaCluster.builder(NAME).dataDir(dataDir).heap("256m").build().start();
        running = cluster;
        System.setProperty(BOOTSTRAP_PROPERTY, cluster.bootstrapServers());
        return Map.of("clusterlink.clusters." + NAME + ".bootstrap-servers", cluster.bootstrapServers());
    }

    @Override
    public void stop() {
        running = null;
        if (cluster != null) {
            cluster.stop();
        }
        System.clearProperty(BOOTSTRAP_PROPERTY);
        if (dataDir != null) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
                for (Path path : all) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
