package io.clusterlink.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    @TempDir
    Path tempDir;

    private final List<EmbeddedPostgresServer> servers = new ArrayList<>();
    private final List<ProcessHandle> processes = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        servers.forEach(EmbeddedPostgresServer::stop);
        processes.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void dataSurvivesRestartOnSameDirectory() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");
        EmbeddedPostgresServer first = start(dataDir);
        execute(first, "create table t (v text)", "insert into t values ('kept')");
        first.stop();

        // When
        EmbeddedPostgresServer second = start(dataDir);

        // Then
        assertThat(queryValue(second, "select v from t")).isEqualTo("kept");
        assertThat(Files.exists(dataDir.resolve("PG_VERSION"))).isTrue();
    }

    @Test
    void takesOverServerLeftRunningByKilledOwner() throws Exception {
        // Given: a service JVM that owned the server was killed with SIGKILL; its postgres still runs
        Path dataDir = tempDir.resolve("pg");
        Process owner = startOwner(dataDir.toString());
        String[] ready = readReadyLine(owner);
        execute("jdbc:postgresql://127.0.0.1:" + ready[0] + "/postgres", passwordIn(dataDir),
                "create table t (v text)", "insert into t values ('before kill')");
        owner.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        ProcessHandle orphan = ProcessHandle.of(postmasterPid(dataDir)).orElseThrow();
        processes.add(orphan);
        assertThat(orphan.isAlive()).isTrue();

        // When
        EmbeddedPostgresServer server = start(dataDir);

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());
        assertThat(postmasterPid(dataDir)).isNotEqualTo(orphan.pid());
        assertThat(queryValue(server, "select v from t")).isEqualTo("before kill");
    }

    @Test
    void removesEphemeralDirectoryOfKilledOwner() throws Exception {
        // Given: a JVM with an ephemeral server was killed a while ago
        Process owner = startOwner("ephemeral");
        Path abandonedDataDir = Path.of(readReadyLine(owner)[1]);
        owner.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        ProcessHandle orphan = ProcessHandle.of(postmasterPid(abandonedDataDir)).orElseThrow();
        processes.add(orphan);
        Files.setLastModifiedTime(abandonedDataDir.getParent(),
                FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));

        // When
        servers.add(EmbeddedPostgresServer.startEphemeral(0));

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());
        assertThat(abandonedDataDir.getParent()).doesNotExist();
    }

    @Test
    void removesPidFileOfProcessThatIsGone() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");
        start(dataDir).stop();
        Files.writeString(dataDir.resolve("postmaster.pid"), Long.MAX_VALUE / 2 + "\n" + dataDir + "\n");

        // When
        EmbeddedPostgresServer server = start(dataDir);

        // Then
        assertThat(queryValue(server, "select 1")).isEqualTo("1");
    }

    @Test
    void refusesDirectoryInUse() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");
        start(dataDir);

        // When / Then
        assertThatThrownBy(() -> start(dataDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("already in use");
    }

    @Test
    void ephemeralServerDeletesItsDirectoryOnStop() throws Exception {
        // Given
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startEphemeral(0);
        servers.add(server);
        server.createDatabaseIfMissing("clusterlink");
        execute(server.jdbcUrl("clusterlink"), server.password(), "create table t (v text)");

        // When
        server.stop();

        // Then
        assertThat(server.dataDir()).doesNotExist();
        assertThat(server.dataDir().getParent()).doesNotExist();
    }

    @Test
    void newDataDirectoryRunsCurrentPostgresAndAsksEveryConnectionForItsPassword() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");

        // When
        EmbeddedPostgresServer server = start(dataDir);

        // Then: PostgreSQL 18, password (SCRAM) authentication only, the local socket included
        assertThat(Files.readString(dataDir.resolve("PG_VERSION")).strip()).isEqualTo("18");
        assertThat(queryValue(server, "show server_version")).startsWith("18.");
        assertThat(server.majorVersion()).isEqualTo("18");
        assertThat(hbaRules(dataDir)).isNotEmpty()
                .allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256"))
                .anySatisfy(rule -> assertThat(rule).startsWith("local"));
        assertThat(queryValue(server, "select rolpassword from pg_authid where rolname = 'postgres'"))
                .startsWith("SCRAM-SHA-256$");
        assertThat(server.passwordFile()).isEqualTo(dataDir.resolve("postgres.password"));
        assertThat(Files.getPosixFilePermissions(server.passwordFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(server.passwordFile())).isEqualTo(server.password());
        assertThat(server.password()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(connectionError(server, "wrong")).isEqualTo("28P01");
        assertThat(connectionError(server, "")).isNotNull();
    }

    @Test
    void dataDirectoryOfAnEarlierVersionKeepsItsPostgresAndSwitchesToPassword() throws Exception {
        // Given: a PostgreSQL 14 data directory that trusts loopback connections, as earlier versions created them
        Path dataDir = tempDir.resolve("pg");
        OldStyleDataDirectory.create(dataDir, "create table t (v text)", "insert into t values ('from 14')");
        assertThat(hbaRules(dataDir)).anySatisfy(rule -> assertThat(rule).endsWith("trust"));

        // When
        EmbeddedPostgresServer server = start(dataDir);

        // Then: its own major version, its data, and no more trust
        assertThat(queryValue(server, "show server_version")).startsWith("14.");
        assertThat(queryValue(server, "select v from t")).isEqualTo("from 14");
        assertThat(hbaRules(dataDir)).isNotEmpty().allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256"));
        assertThat(Files.getPosixFilePermissions(server.passwordFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "28P01".equals(connectionError(server, "wrong")));
        assertThat(queryValue(server, "select rolpassword from pg_authid where rolname = 'postgres'"))
                .startsWith("SCRAM-SHA-256$");

        // And a restart keeps the password
        String password = server.password();
        server.stop();
        EmbeddedPostgresServer restarted = start(dataDir);
        assertThat(restarted.password()).isEqualTo(password);
        assertThat(queryValue(restarted, "select v from t")).isEqualTo("from 14");
        assertThat(connectionError(restarted, "wrong")).isEqualTo("28P01");
    }

    @Test
    void switchToPasswordInterruptedAfterThePasswordFileIsFinishedOnNextStart() throws Exception {
        // Given: an earlier version's data directory whose switch stopped after the password file was written
        Path dataDir = tempDir.resolve("pg");
        OldStyleDataDirectory.create(dataDir, "create table t (v text)", "insert into t values ('kept')");
        Files.writeString(dataDir.resolve("postgres.password"), "written-before-the-kill",
                StandardCharsets.UTF_8);

        // When
        EmbeddedPostgresServer server = start(dataDir);

        // Then
        assertThat(server.password()).isEqualTo("written-before-the-kill");
        assertThat(queryValue(server, "select v from t")).isEqualTo("kept");
        assertThat(hbaRules(dataDir)).allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "28P01".equals(connectionError(server, "wrong")));
    }

    @Test
    void refusesToStartWhenThePasswordFileIsLost() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");
        start(dataDir).stop();
        Files.delete(dataDir.resolve("postgres.password"));

        // When / Then
        assertThatThrownBy(() -> start(dataDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("postgres.password")
                .hasMessageContaining("is missing");
    }

    @Test
    void refusesToStartWithAWrongPasswordFile() throws Exception {
        // Given
        Path dataDir = tempDir.resolve("pg");
        start(dataDir).stop();
        Files.writeString(dataDir.resolve("postgres.password"), "not-the-password", StandardCharsets.UTF_8);

        // When / Then
        assertThatThrownBy(() -> start(dataDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused the password");
    }

    private EmbeddedPostgresServer start(Path dataDir) throws IOException {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
        servers.add(server);
        return server;
    }

    private Process startOwner(String dataDir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process owner = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                EmbeddedPostgresOwner.class.getName(), dataDir)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        processes.add(owner.toHandle());
        return owner;
    }

    /** The owner's port and data directory. */
    private static String[] readReadyLine(Process owner) throws Exception {
        BufferedReader reader = new BufferedReader(
                new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(line).isNotNull();
        return line.split(" ", 2);
    }

    private static long postmasterPid(Path dataDir) throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    /** The rules of pg_hba.conf: its lines without comments and blank lines, spaces collapsed. */
    private static List<String> hbaRules(Path dataDir) throws IOException {
        return Files.readAllLines(dataDir.resolve("pg_hba.conf")).stream()
                .map(line -> line.replaceAll("#.*", "").strip().replaceAll("\\s+", " "))
                .filter(line -> !line.isEmpty())
                .toList();
    }

    /** The SQL state of a refused connection with {@code password}, null if it is let in. */
    private static String connectionError(EmbeddedPostgresServer server, String password) {
        try (Connection ignored = DriverManager.getConnection(server.jdbcUrl("postgres"),
                EmbeddedPostgresServer.USER, password)) {
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static String passwordIn(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve(PasswordAuthentication.PASSWORD_FILE)).strip();
    }

    private static void execute(EmbeddedPostgresServer server, String... statements) throws SQLException {
        execute(server.jdbcUrl("postgres"), server.password(), statements);
    }

    private static void execute(String url, String password, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, password);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String queryValue(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"),
                EmbeddedPostgresServer.USER, server.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
