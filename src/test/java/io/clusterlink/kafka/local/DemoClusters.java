package io.clusterlink.kafka.local;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The quickstart's two local Kafka clusters, {@code source} and {@code destination}, started by the
 * build before the service: the launcher is test code, so that it never ships in the service.
 * Their data stays in {@code clusterlink-demo.data-dir} across restarts.
 * <p>
 * Two ways to run, both from the POM:
 * <ul>
 * <li>{@code DemoClusters <command...>} (the run command, {@code ./mvnw -Pdemo}): starts the clusters,
 * then the command (the packaged service) with this process' terminal, and ends with it; stopping
 * this process stops the service first, then the clusters.</li>
 * <li>{@code DemoClusters --for-dev-mode <maven command line>} (every build, in the background): does
 * nothing unless Maven runs {@code quarkus:dev}; then starts the clusters and keeps them until Maven
 * exits or stops this process. Dev mode starts the service meanwhile, which connects once they are up.</li>
 * </ul>
 * Settings are system properties: {@code clusterlink-demo.data-dir} ({@code data/demo}),
 * {@code clusterlink-demo.source-port} (19092), {@code clusterlink-demo.destination-port} (29092), and
 * {@code clusterlink-test.kafka-lib-dir}, the broker class path.
 */
public final class DemoClusters {

    private static final String DEV_MODE = "--for-dev-mode";

    private DemoClusters() {
    }

    public static void main(String[] args) throws Exception {
        boolean devMode = args.length > 0 && args[0].equals(DEV_MODE);
        if (devMode && !runsDevMode(Arrays.asList(args).subList(1, args.length))) {
            return;
        }
        if (!devMode && args.length == 0) {
            throw new IllegalArgumentException(
                    "Usage: DemoClusters <command...> | " + DEV_MODE + " <maven command line>");
        }
        Path dataDir = Path.of(System.getProperty("clusterlink-demo.data-dir", "data/demo"));
        Path libDir = LocalKafkaCluster.defaultLibDir();
        List<LocalKafkaCluster> clusters = List.of(
                cluster("source", dataDir, Integer.getInteger("clusterlink-demo.source-port", 19092), libDir),
                cluster("destination", dataDir, Integer.getInteger("clusterlink-demo.destination-port", 29092),
                        libDir));
        // A broker never outlives this JVM when it exits normally, as it does when Maven exits, even killed.
        ProcessHandle.current().parent().ifPresent(maven -> maven.onExit().thenRun(() -> {
            System.out.println("The Maven process that started the demo has exited: stopping");
            System.exit(0);
        }));
        start(clusters);
        for (LocalKafkaCluster cluster : clusters) {
            System.out.printf("Demo Kafka cluster '%s' is ready: bootstrap %s, cluster id %s (data in %s)%n",
                    cluster.name(), cluster.bootstrapServers(), cluster.clusterId(), cluster.dataDir());
        }
        if (devMode) {
            Thread.currentThread().join(); // until Maven exits or stops this process
        } else {
            System.exit(runService(args));
        }
    }

    /**
     * Whether Maven's command line (the POM hands over its JVM's {@code sun.java.command}) asks for
     * {@code quarkus:dev}, or for that goal by the plugin's coordinates.
     */
    static boolean runsDevMode(List<String> commandLine) {
        return commandLine.stream()
                .flatMap(part -> Arrays.stream(part.trim().split("\\s+")))
                .anyMatch(goal -> goal.equals("quarkus:dev")
                        || goal.contains("quarkus-maven-plugin") && goal.endsWith(":dev"));
    }

    private static void start(List<LocalKafkaCluster> clusters) {
        List<CompletableFuture<LocalKafkaCluster>> starts = clusters.stream()
                .map(cluster -> CompletableFuture.supplyAsync(cluster::start))
                .toList();
        RuntimeException failure = null;
        for (CompletableFuture<LocalKafkaCluster> start : starts) {
            try {
                start.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            clusters.forEach(LocalKafkaCluster::stop);
            throw failure;
        }
    }

    /** Runs the service in the foreground; stopping this JVM stops it first, the clusters after. */
    private static int runService(String[] command) throws Exception {
        Process service = new ProcessBuilder(command).inheritIO().start();
        Thread stopService = new Thread(() -> {
            service.destroy();
            try {
                service.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-service-stop");
        Runtime.getRuntime().addShutdownHook(stopService);
        return service.waitFor();
    }

    private static LocalKafkaCluster cluster(String name, Path dataDir, int port, Path libDir) {
        return LocalKafkaCluster.builder(name).dataDir(dataDir.resolve(name)).port(port).libDir(libDir).build();
    }
}
