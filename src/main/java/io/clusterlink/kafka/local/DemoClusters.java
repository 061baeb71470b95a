package io.clusterlink.kafka.local;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The quickstart's two local Kafka clusters, {@code source} and {@code destination}, started before
 * anything else when {@code clusterlink.demo.enabled=true} (the dev profile) and stopped with the
 * service. Their data stays in {@code clusterlink.demo.data-dir} across restarts.
 */
@ApplicationScoped
public class DemoClusters {

    private static final Logger LOG = Logger.getLogger(DemoClusters.class);

    private final ClusterlinkConfig config;
    private volatile LocalKafkaCluster source;
    private volatile LocalKafkaCluster destination;

    DemoClusters(ClusterlinkConfig config) {
        this.config = config;
    }

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        ClusterlinkConfig.Demo demo = config.demo();
        if (!demo.enabled()) {
            return;
        }
        Path dataDir = Path.of(demo.dataDir());
        Path libDir = LocalKafkaCluster.checkLibDir(Path.of(config.localKafka().libDir()));
        LocalKafkaCluster newSource = cluster("source", dataDir, demo.sourcePort(), libDir);
        LocalKafkaCluster newDestination = cluster("destination", dataDir, demo.destinationPort(), libDir);
        source = newSource;
        destination = newDestination;
        CompletableFuture<LocalKafkaCluster> sourceStart = CompletableFuture.supplyAsync(newSource::start);
        RuntimeException failure = null;
        try {
            newDestination.start();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            sourceStart.join();
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime : e;
            if (failure == null) {
                failure = cause;
            } else {
                failure.addSuppressed(cause);
            }
        }
        if (failure != null) {
            stopClusters();
            throw failure;
        }
        for (LocalKafkaCluster cluster : new LocalKafkaCluster[] {newSource, newDestination}) {
            LOG.infof("Demo Kafka cluster '%s' is ready: bootstrap %s, cluster id %s (data in %s)",
                    cluster.name(), cluster.bootstrapServers(), cluster.clusterId(), cluster.dataDir());
        }
        if (demo.stopWithParent()) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                LOG.info("The process that started the demo has exited: stopping");
                Quarkus.asyncExit();
            }));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopClusters();
    }

    private void stopClusters() {
        for (LocalKafkaCluster cluster : new LocalKafkaCluster[] {source, destination}) {
            if (cluster != null) {
                cluster.stop();
            }
        }
    }

    public Optional<LocalKafkaCluster> source() {
        return Optional.ofNullable(source);
    }

    public Optional<LocalKafkaCluster> destination() {
        return Optional.ofNullable(destination);
    }

    private static LocalKafkaCluster cluster(String name, Path dataDir, int port, Path libDir) {
        return LocalKafkaCluster.builder(name).dataDir(dataDir.resolve(name)).port(port).libDir(libDir).build();
    }
}
