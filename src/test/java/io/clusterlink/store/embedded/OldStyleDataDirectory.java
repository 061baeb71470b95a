package io.clusterlink.store.embedded;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A data directory as earlier versions of clusterlink created it: PostgreSQL 14, every loopback connection trusted
 * ({@code initdb --auth=trust}), no password file. Its statements run on a server started for them alone.
 */
final class OldStyleDataDirectory {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private OldStyleDataDirectory() {
    }

    static void create(Path dataDir, String... statements) throws Exception {
        Path binaries = PostgresBinaries.forMajorVersion("14");
        PostgresUser user = PostgresUser.detect();
        Files.createDirectories(dataDir);
        user.own(dataDir);
        run(user.command(List.of(bin(binaries, "initdb"), "--pgdata=" + dataDir, "--auth=trust",
                "--username=" + EmbeddedPostgresServer.USER, "--encoding=UTF8", "--locale=C", "--no-sync")));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder(user.command(List.of(bin(binaries, "postgres"), "-D", dataDir.toString(),
                "-p", Integer.toString(port), "-h", "127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "fsync=off")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            executeWhenReady(port, statements);
        } finally {
            run(user.command(List.of(bin(binaries, "pg_ctl"), "stop", "--pgdata=" + dataDir, "--mode=fast",
                    "--wait")));
            if (!server.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** Without a password: the directory trusts loopback connections. */
    private static void executeWhenReady(int port, String... statements) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/postgres", EmbeddedPostgresServer.USER, "");
                    Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
                return true;
            }
        });
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(command.get(0) + " failed: " + output);
        }
    }

    private static String bin(Path binaries, String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }
}
