package io.clusterlink.cli;

import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.TempDirectories;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What goes wrong on the command line is said in one line on standard error, with a non-zero exit code and
 * nothing on standard output: bad flags, a cluster the service does not manage, a service that does not
 * answer or refuses the request.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class CommandErrorsTest {

    private final KafkaClusters kafka = KafkaClusters.get();

    @TestHTTPResource("/")
    URL service;

    private Path dir;
    private String destination;
    private String config;

    @BeforeEach
    void files() throws IOException {
        dir = Files.createTempDirectory("clusterlink-cli-errors");
        destination = "127.0.0.1:" + kafka.destination().saslSslPort();
        config = " --command-config " + commandConfig("destination.config", service.toString(), TestUsers.OPERATOR,
                TestUsers.OPERATOR_PASSWORD);
    }

    @AfterEach
    void cleanUp() throws IOException {
        TempDirectories.deleteRecursively(dir);
    }

    @Test
    void anUnknownFlagIsOneLineAndTheUsageExitCode() {
        CommandRun run = CommandRun.of("kafka-mirrors --describe --bogus --bootstrap-server " + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly("kafka-mirrors: Unknown option: '--bogus' (see kafka-mirrors --help)");
    }

    @Test
    void aMissingBootstrapServerIsOneLine() {
        CommandRun run = CommandRun.of("kafka-cluster-links --list" + config);

        assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).startsWith("kafka-cluster-links: Missing required option: '--bootstrap-server");
    }

    @Test
    void createWithoutALinkNameIsOneLine() {
        CommandRun run = CommandRun.of("kafka-cluster-links --create --bootstrap-server " + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
        assertThat(run.err()).containsExactly(
                "kafka-cluster-links: Missing required option '--link' for --create (see kafka-cluster-links --help)");
    }

    @Test
    void twoActionsAtOnceAreOneLine() {
        CommandRun run = CommandRun.of("kafka-mirrors --promote --failover --topics t --bootstrap-server "
                + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).contains("--promote", "--failover", "mutually exclusive");
    }

    @Test
    void topicsAndLinkTogetherAreRefusedAsConfluentsToolDoes() {
        CommandRun run = CommandRun.of("kafka-mirrors --promote --topics t --link l --bootstrap-server "
                + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
        assertThat(run.err()).containsExactly(
                "kafka-mirrors: Cannot specify both --topics and --link. (see kafka-mirrors --help)");
    }

    @Test
    void truncateAndRestoreNeedsTopicsAndALinkAsConfluentsToolDoes() {
        CommandRun noLink = CommandRun.of("kafka-mirrors --truncate-and-restore --topics t --bootstrap-server "
                + destination + config);
        CommandRun noTopics = CommandRun.of("kafka-mirrors --truncate-and-restore --link l --bootstrap-server "
                + destination + config);

        for (CommandRun run : new CommandRun[] { noLink, noTopics }) {
            assertThat(run.exitCode()).isEqualTo(Cli.USAGE);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).containsExactly("kafka-mirrors: --truncate-and-restore needs --topics and exactly "
                    + "one --link (see kafka-mirrors --help)");
        }
    }

    @Test
    void aBootstrapServerOfNoManagedClusterIsOneLineNamingTheClustersThereAre() {
        CommandRun run = CommandRun.of("kafka-cluster-links --list --bootstrap-server 127.0.0.1:1" + config);

        assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly("Error while executing cluster link command: The clusterlink service at "
                + base() + " manages no destination cluster with bootstrap server '127.0.0.1:1'; it manages "
                + kafka.destination().clusterId() + " (" + destination + ")");
    }

    @Test
    void aBootstrapServerMatchesByAddressToo() {
        CommandRun run = CommandRun.of("kafka-mirrors --list --bootstrap-server localhost:"
                + kafka.destination().saslSslPort() + config);

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void anUnreachableServiceIsOneLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = " --command-config " + commandConfig("unreachable.config",
                "http://127.0.0.1:" + closedPort, TestUsers.OPERATOR, TestUsers.OPERATOR_PASSWORD);

        CommandRun run = CommandRun.of("kafka-mirrors --list --bootstrap-server " + destination + unreachable);

        assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).startsWith("Error while executing mirror command: Cannot reach the clusterlink"
                + " service at http://127.0.0.1:" + closedPort + " (");
    }

    @Test
    void theServiceUrlAndCredentialsComeFromTheEnvironmentWithoutACommandConfig() {
        CommandRun run = CommandRun.of("kafka-mirrors --list --bootstrap-server " + destination,
                Map.of("CLUSTERLINK_URL", base(), "CLUSTERLINK_API_USER", TestUsers.VIEWER,
                        "CLUSTERLINK_API_PASSWORD", TestUsers.VIEWER_PASSWORD));

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void wrongCredentialsAreOneLineSayingWhereTheyGo() {
        String wrong = " --command-config " + commandConfig("wrong.config", service.toString(), "cli-nobody",
                "not-a-password");

        CommandRun run = CommandRun.of("kafka-mirrors --list --bootstrap-server " + destination + wrong);

        assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).startsWith("Error while executing mirror command: ")
                .endsWith("(give clusterlink.api.user and clusterlink.api.password in the --command-config file,"
                        + " or CLUSTERLINK_API_USER and CLUSTERLINK_API_PASSWORD)");
    }

    @Test
    void aLinkTheServiceDoesNotKnowIsItsNotFoundMessage() {
        CommandRun run = CommandRun.of("kafka-cluster-links --delete --link no-such-link --bootstrap-server "
                + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).startsWith("Error while executing cluster link command: ")
                .contains("no-such-link");
    }

    @Test
    void aLinkThatExistsAlreadyIsTheServicesConflictMessage() throws IOException {
        String link = KafkaClusters.uniqueName("cli-conflict");
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        try {
            Path sourceConfig = dir.resolve("source.config");
            Files.writeString(sourceConfig, "bootstrap.servers=" + kafka.source().bootstrapServers() + "\n");

            CommandRun run = CommandRun.of("kafka-cluster-links --create --link " + link + " --config-file "
                    + sourceConfig + " --bootstrap-server " + destination + config);

            assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).hasSize(1);
            assertThat(run.err().get(0)).startsWith("Error while executing cluster link command: ").contains(link)
                    .contains("already exists");
        } finally {
            given().delete("/links/{link}", link).then().statusCode(200);
        }
    }

    @Test
    void aMirrorTopicThatIsNoneIsOneLineAndNothingIsChanged() {
        CommandRun run = CommandRun.of("kafka-mirrors --promote --topics no-such-mirror --bootstrap-server "
                + destination + config);

        assertThat(run.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly("Error while executing mirror command: Topic 'no-such-mirror' is not a"
                + " mirror topic on cluster " + kafka.destination().clusterId());
    }

    @Test
    void helpPrintsTheUsage() {
        CommandRun run = CommandRun.of("kafka-mirrors --help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().get(0)).startsWith("Usage: kafka-mirrors ");
        assertThat(String.join("\n", run.out())).contains("--bootstrap-server", "--pending-stopped-only",
                "--command-config", "--reverse-and-start", "--reverse-and-pause", "--truncate-and-restore",
                "--include-partitions");
    }

    private String base() {
        String url = service.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private Path commandConfig(String name, String url, String user, String password) {
        Path file = dir.resolve(name);
        try {
            Files.writeString(file, String.join("\n", "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN",
                    "clusterlink.url=" + url, "clusterlink.api.user=" + user, "clusterlink.api.password=" + password,
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }
}
