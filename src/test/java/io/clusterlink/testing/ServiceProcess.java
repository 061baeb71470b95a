package io.clusterlink.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.clusterlink.api.security.PasswordHash;

/**
 * The packaged service (target/quarkus-app/quarkus-run.jar) run as a separate process, so it can
 * be killed and restarted like in production. Its embedded PostgreSQL keeps data in {@code dataDir}.
 * It runs with the production profile, so its API needs credentials: it gets the user
 * {@link TestUsers#OPERATOR}, whose credentials tests send by default ({@link OperatorByDefault}).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String OPERATOR_HASH = PasswordHash.create(TestUsers.OPERATOR_PASSWORD.toCharArray());

    private final Path jar;
    private final List<String> commandPrefix;
    private final Path dataDir;
    private final Map<String, String> properties;
    private final int port;
    private Process process;
    private int starts;

    public ServiceProcess(Path dataDir, Map<String, String> properties) throws IOException {
        this(packagedJar(), List.of(), dataDir, properties);
    }

    /**
     * A service run from {@code jar}, its java command prefixed with {@code commandPrefix} (e.g. {@code setpriv} to
     * run it as another user).
     */
    public ServiceProcess(Path jar, List<String> commandPrefix, Path dataDir, Map<String, String> properties)
            throws IOException {
        this.jar = jar;
        this.commandPrefix = List.copyOf(commandPrefix);
        this.dataDir = dataDir;
        this.properties = properties;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /** The packaged service the build made: target/quarkus-app/quarkus-run.jar. */
    public static Path packagedJar() {
        Path jar = Path.of(System.getProperty("clusterlink-test.service-jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No packaged service at " + jar + ": run ./mvnw package first");
        }
        return jar;
    }

    public String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return dataDir.resolve("service-" + starts + ".log");
    }

    /** The JVM's collection log of the current start: each collection's heap before and after, and its pause. */
    public Path gcLog() {
        return dataDir.resolve("gc-" + starts + ".log");
    }

    /** The logs of every start so far. */
    public List<Path> logs() {
        List<Path> logs = new ArrayList<>();
        for (int i = 1; i <= starts; i++) {
            logs.add(dataDir.resolve("service-" + i + ".log"));
        }
        return logs;
    }

    public ServiceProcess start() throws Exception {
        starts++;
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        command.add("-Xmx512m");
        command.add("-Xlog:gc:file=" + gcLog());
        for (String arg : System.getProperty("clusterlink-test.service-jvm-args", "").trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                command.add(arg);
            }
        }
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dclusterlink.embedded-postgres.data-dir=" + dataDir.resolve("postgres"));
        command.add("-Dclusterlink.secrets.key-file=" + dataDir.resolve("secret.key"));
        command.add("-Dclusterlink.api.users." + TestUsers.OPERATOR + ".password-hash=" + OPERATOR_HASH);
        command.add("-Dclusterlink.api.users." + TestUsers.OPERATOR + ".roles=operator");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        process = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log().toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Service exited with " + process.exitValue() + "; see " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUri() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("Service did not become ready within " + START_TIMEOUT + "; see " + log());
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hooks run, like a crash or an OOM kill. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait: a normal shutdown. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
