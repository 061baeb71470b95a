package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;
import io.clusterlink.testing.TestUsers;

/**
 * bin/kafka-cluster-links and bin/kafka-mirrors as a user runs them: processes started from the launcher
 * scripts, on the jar the build made, against the packaged service.
 */
class CommandLineToolsIT {

    private final KafkaClusters kafka = KafkaClusters.get();
    private Path root;
    private ServiceProcess service;
    private Path commandConfig;

    @BeforeEach
    void start() throws Exception {
        root = Files.createTempDirectory("clusterlink-cli-it");
        service = new ServiceProcess(root.resolve("service"), Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination")).start();
        commandConfig = root.resolve("destination.config");
        Files.writeString(commandConfig, String.join("\n", "clusterlink.url=" + service.baseUri(),
                "clusterlink.api.user=" + TestUsers.OPERATOR, "clusterlink.api.password=" + TestUsers.OPERATOR_PASSWORD,
                ""), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() throws Exception {
        service.stop();
        TempDirectories.deleteRecursively(root);
    }

    @Test
    void createsListsAndDeletesALinkAndFailsWithOneLineAndExitCodeOne() throws Exception {
        String link = KafkaClusters.uniqueName("cli-link");
        Path sourceConfig = root.resolve("source.config");
        Files.writeString(sourceConfig, "bootstrap.servers=" + kafka.source().bootstrapServers() + "\n");
        String destination = kafka.destination().bootstrapServers();

        Result create = run("kafka-cluster-links", Map.of(), "--create", "--link", link, "--config-file",
                sourceConfig.toString(), "--bootstrap-server", destination, "--command-config",
                commandConfig.toString());
        assertThat(create.err()).isEmpty();
        assertThat(create.out()).containsExactly("Cluster link '" + link + "' creation successfully completed.");
        assertThat(create.exitCode()).isZero();

        Result list = run("kafka-cluster-links", Map.of(), "--list", "--bootstrap-server", destination,
                "--command-config", commandConfig.toString());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).hasSize(1);
        assertThat(list.out().get(0)).startsWith("Link name: '" + link + "', link ID: '")
                .endsWith("', remote cluster ID: '" + kafka.source().clusterId() + "', local cluster ID: '"
                        + kafka.destination().clusterId()
                        + "', remote cluster available: 'true', link state: 'ACTIVE'");

        Result mirrors = run("kafka-mirrors", Map.of(), "--list", "--link", link, "--bootstrap-server", destination,
                "--command-config", commandConfig.toString());
        assertThat(mirrors.exitCode()).isZero();
        assertThat(mirrors.out()).isEmpty();

        Result unknownCluster = run("kafka-mirrors", Map.of(), "--describe", "--topics", "orders",
                "--bootstrap-server", "127.0.0.1:1", "--command-config", commandConfig.toString());
        assertThat(unknownCluster.exitCode()).isEqualTo(1);
        assertThat(unknownCluster.out()).isEmpty();
        assertThat(unknownCluster.err()).containsExactly("Error while executing mirror command: The clusterlink service"
                + " at " + service.baseUri() + " manages no destination cluster with bootstrap server '127.0.0.1:1';"
                + " it manages " + kafka.destination().clusterId() + " (" + destination + ")");

        Result badFlag = run("kafka-mirrors", Map.of(), "--describe", "--no-such-flag", "--bootstrap-server",
                destination);
        assertThat(badFlag.exitCode()).isEqualTo(2);
        assertThat(badFlag.err()).containsExactly(
                "kafka-mirrors: Unknown option: '--no-such-flag' (see kafka-mirrors --help)");

        Result delete = run("kafka-cluster-links", Map.of(), "--delete", "--link", link, "--bootstrap-server",
                destination, "--command-config", commandConfig.toString());
        assertThat(delete.out()).containsExactly("Cluster link '" + link + "' deletion successfully completed.");
        assertThat(delete.exitCode()).isZero();
        assertThat(run("kafka-cluster-links", Map.of(), "--list", "--bootstrap-server", destination,
                "--command-config", commandConfig.toString()).out()).containsExactly("No cluster links found.");
    }

    @Test
    void aMissingJarIsOneLineSayingHowToBuildIt() throws Exception {
        Path missing = root.resolve("no-such.jar");

        Result run = run("kafka-mirrors", Map.of("CLUSTERLINK_CLI_JAR", missing.toString()), "--list",
                "--bootstrap-server", kafka.destination().bootstrapServers());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly("kafka-mirrors: no " + missing
                + ": build it with ./mvnw package -DskipTests");
    }

    private record Result(int exitCode, List<String> out, List<String> err) {
    }

    private Result run(String tool, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("clusterlink-test.cli-bin", "bin")).resolve(tool);
        assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
        List<String> command = new ArrayList<>();
        command.add(script.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("CLUSTERLINK_URL");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(tool + " exits within 60 s").isTrue();
        return new Result(process.exitValue(), lines(out), lines(err));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
