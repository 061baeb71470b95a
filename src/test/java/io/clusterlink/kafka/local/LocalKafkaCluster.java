package io.clusterlink.kafka.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

/**
 * A single-node Apache Kafka cluster (KRaft, broker and controller in one JVM) run as a child process.
 * Used by the demo mode, the integration tests and the benchmark.
 * <p>
 * The storage in the data directory is formatted on the first start only, so a restart on the same
 * directory keeps topics and records. Listeners bind to 127.0.0.1. A broker never outlives the JVM
 * that started it when that JVM exits normally.
 * <p>
 * {@link #start()} adopts a broker that is already running on the same data directory with the same
 * {@code server.properties} (started by another class loader of this JVM, or left behind by a killed
 * JVM) instead of starting a second one; a broker running there with other properties is stopped first.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    /** System property naming the broker class path directory (outside the service's {@code clusterlink.*} settings). */
    public static final String LIB_DIR_PROPERTY = "clusterlink-test.kafka-lib-dir";
    static final String DEFAULT_LIB_DIR = "target/kafka-broker/lib";

    private static final Logger LOG = Logger.getLogger(LocalKafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READY_ATTEMPT = Duration.ofSeconds(3);
    private static final Duration CONNECT_RETRY = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 40;
    private static final String MAIN_CLASS = "kafka.Kafka";
    /** Small initial heap: the JVM otherwise commits 1/64 of the machine's memory up front. */
    private static final long INITIAL_HEAP_MB = 64;
    /**
     * The collector settings of Kafka's own start script ({@code KAFKA_JVM_PERFORMANCE_OPTS} of
     * {@code kafka-run-class.sh}), with its fixed heap: a broker as it runs in production.
     */
    private static final List<String> KAFKA_GC = List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent");

    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final Path propertiesFile;
    private final Path pidFile;
    private final String heap;
    private final boolean kafkaJvm;
    private final Path libDir;
    private final Map<String, String> extraBrokerProperties;
    private final Map<String, Object> extraClientProperties;
    private final Map<String, String> saslUsers;
    private final List<String> superUsers;
    private final Tls tls;

    private int port;
    private int controllerPort;
    private int saslPort;
    private int sslPort;
    private int saslSslPort;
    /** The running (or last) broker; {@code child} is set too when this JVM launched it. */
    private ProcessHandle process;
    private Process child;
    private String clusterId;

    private LocalKafkaCluster(Builder builder) {
        this.name = builder.name;
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        this.logFile = dataDir.resolve("broker.log");
        this.propertiesFile = dataDir.resolve("server.properties");
        this.pidFile = dataDir.resolve("broker.pid");
        this.port = builder.port;
        this.controllerPort = builder.controllerPort;
        this.heap = builder.heap;
        this.kafkaJvm = builder.kafkaJvm;
        this.libDir = checkLibDir(builder.libDir != null ? builder.libDir : defaultLibDir());
        this.extraBrokerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(builder.brokerProperties));
        this.extraClientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(builder.clientProperties));
        this.saslUsers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.saslUsers));
        this.superUsers = List.copyOf(builder.superUsers);
        this.saslPort = builder.saslPort;
        this.tls = builder.tls;
        this.sslPort = builder.sslPort;
        this.saslSslPort = builder.saslSslPort;
        FreePorts.reserve(port, controllerPort, saslPort, sslPort, saslSslPort);
    }

    /**
     * TLS material of the broker's {@code SSL} and {@code SASL_SSL} listeners: PKCS12 key store and
     * trust store, both protected by {@code password}. Clients of the {@code SSL} listener must
     * present a certificate the trust store trusts.
     */
    public record Tls(Path keystore, Path truststore, String password) {
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The broker class path: system property {@value #LIB_DIR_PROPERTY}, else {@value #DEFAULT_LIB_DIR}.
     *
     * @throws IllegalStateException if the directory holds no jars
     */
    public static Path defaultLibDir() {
        String dir = System.getProperty(LIB_DIR_PROPERTY, DEFAULT_LIB_DIR);
        return checkLibDir(Path.of(dir));
    }

    /** Returns {@code dir} if it holds the broker jars, else fails with how to get them. */
    public static Path checkLibDir(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        boolean hasJars;
        try (Stream<Path> files = Files.isDirectory(absolute) ? Files.list(absolute) : Stream.empty()) {
            hasJars = files.anyMatch(file -> file.getFileName().toString().endsWith(".jar"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Kafka broker class path " + absolute, e);
        }
        if (!hasJars) {
            throw new IllegalStateException("No Kafka broker jars in " + absolute
                    + ": run ./mvnw generate-resources to resolve them from Maven Central"
                    + " (delete the directory first if it exists but is empty)");
        }
        return absolute;
    }

    /**
     * Starts the broker and waits until it answers {@code describeCluster}. Formats the storage on the
     * first start. Does nothing if the broker is already running.
     *
     * @throws IllegalStateException if the broker exits or is not ready within 90 seconds
     */
    public synchronized LocalKafkaCluster start() {
        if (isRunning()) {
            return this;
        }
        long startNanos = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            boolean controllerPortFromFile = controllerPort == 0 && reusePreviousControllerPort();
            if (adoptRunningBroker()) {
                clusterId = awaitReady(Files.exists(logFile) ? Files.size(logFile) : 0);
                LOG.debugf("Kafka cluster %s adopted the running broker pid %d", name, pid());
                return this;
            }
            // A port picked now that another process took before the broker could bind it is picked
            // again; a configured port, or one an earlier start used, fails the start instead.
            boolean pickPort = port == 0;
            boolean pickController = controllerPort == 0 || controllerPortFromFile && !isFree(controllerPort);
            boolean pickSasl = !saslUsers.isEmpty() && saslPort == 0;
            boolean pickSsl = tls != null && sslPort == 0;
            boolean pickSaslSsl = tls != null && !saslUsers.isEmpty() && saslSslPort == 0;
            for (int attempt = 0; attempt < 5; attempt++) {
                port = pickPort && (port == 0 || !isFree(port)) ? FreePorts.pick() : port;
                controllerPort = pickController && (attempt == 0 || !isFree(controllerPort)) ? FreePorts.pick()
                        : controllerPort;
                saslPort = pickSasl && (saslPort == 0 || !isFree(saslPort)) ? FreePorts.pick() : saslPort;
                sslPort = pickSsl && (sslPort == 0 || !isFree(sslPort)) ? FreePorts.pick() : sslPort;
                saslSslPort = pickSaslSsl && (saslSslPort == 0 || !isFree(saslSslPort)) ? FreePorts.pick()
                        : saslSslPort;
                if (allFree()) {
                    break;
                }
            }
            checkPortFree(port);
            checkPortFree(controllerPort);
            for (int extra : List.of(saslPort, sslPort, saslSslPort)) {
                if (extra != 0) {
                    checkPortFree(extra);
                }
            }
            Files.writeString(propertiesFile, propertiesText(), StandardCharsets.UTF_8);
            long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            Path logDir = Path.of(brokerProperties().get("log.dirs"));
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logStart);
            }
            launch();
            clusterId = awaitReady(logStart);
            createScramCredentials();
        } catch (IOException e) {
            throw killAfter(new UncheckedIOException("Cannot start Kafka cluster " + name + " in " + dataDir, e));
        } catch (RuntimeException e) {
            throw killAfter(e);
        }
        LOG.debugf("Kafka cluster %s started in %d ms: bootstrap %s, cluster id %s, pid %d", name,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), bootstrapServers(), clusterId, pid());
        return this;
    }

    /** Stops the broker with SIGTERM, waiting up to 30 seconds before killing it. Does nothing if not running. */
    public synchronized void stop() {
        if (!isRunning()) {
            forgetExited();
            return;
        }
        process.destroy();
        if (!awaitExit(process, STOP_TIMEOUT)) {
            LOG.warnf("Kafka cluster %s (pid %d) did not stop within %s: killing it", name, process.pid(),
                    STOP_TIMEOUT);
            process.destroyForcibly();
            awaitExit(process, KILL_TIMEOUT);
        }
        exited();
    }

    /** Kills the broker with SIGKILL and waits until it has exited. Does nothing if not running. */
    public synchronized void kill() {
        if (!isRunning()) {
            forgetExited();
            return;
        }
        process.destroyForcibly();
        if (!awaitExit(process, KILL_TIMEOUT)) {
            throw new IllegalStateException(
                    "Kafka cluster " + name + " (pid " + process.pid() + ") is still alive after SIGKILL");
        }
        exited();
    }

    @Override
    public void close() {
        stop();
    }

    public String name() {
        return name;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code 127.0.0.1:<port>}; the port is fixed once chosen, so it stays the same across restarts. */
    public synchronized String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("Kafka cluster " + name + " has not been started");
        }
        return "127.0.0.1:" + port;
    }

    /** The client port; 0 until the first start when it was left to pick. */
    public synchronized int port() {
        return port;
    }

    /** The controller port; 0 until the first start when it was left to pick. */
    public synchronized int controllerPort() {
        return controllerPort;
    }

    /** The SASL_PLAINTEXT listener port (PLAIN, SCRAM-SHA-256/512); 0 without SASL users or until the first start. */
    public synchronized int saslPort() {
        return saslPort;
    }

    /** The SSL listener port (client certificates required); 0 without TLS or until the first start. */
    public synchronized int sslPort() {
        return sslPort;
    }

    /** The SASL_SSL listener port (PLAIN, SCRAM-SHA-256/512); 0 without TLS and SASL users or until the first start. */
    public synchronized int saslSslPort() {
        return saslSslPort;
    }

    /**
     * Client properties that reach this cluster's SASL_PLAINTEXT listener as {@code user} with the
     * PLAIN mechanism, e.g. to act as a principal that is not a super user.
     */
    public synchronized Map<String, Object> saslClientProperties(String user) {
        String password = saslUsers.get(user);
        if (password == null || saslPort == 0) {
            throw new IllegalStateException(
                    "Kafka cluster " + name + " has no started SASL listener with user " + user);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + saslPort);
        properties.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        properties.put("sasl.mechanism", "PLAIN");
        properties.put("sasl.jaas.config", plainJaas(user, password));
        return properties;
    }

    /** A PLAIN client login for {@code user}. */
    public static String plainJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** A SCRAM (SHA-256 or SHA-512) client login for {@code user}. */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The Kafka cluster id, as reported by {@code describeCluster} at the last start. */
    public synchronized String clusterId() {
        if (clusterId == null) {
            throw new IllegalStateException("Kafka cluster " + name + " has not been started");
        }
        return clusterId;
    }

    /** The process id of the running (or last) broker process. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("Kafka cluster " + name + " is not running");
        }
        return process.pid();
    }

    /** Whether the broker process is alive (it may still be starting or stopping). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Client properties that reach this cluster: {@code bootstrap.servers} plus any given to the builder. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new LinkedHashMap<>(extraClientProperties);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    @Override
    public String toString() {
        return "LocalKafkaCluster[" + name + ", " + (port == 0 ? "not started" : "127.0.0.1:" + port) + "]";
    }

    private Map<String, String> brokerProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", dataDir.resolve("logs").toString());
        properties.put("num.partitions", "1");
        properties.put("auto.create.topics.enable", "false");
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "4");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "4");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("share.coordinator.state.topic.num.partitions", "4");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        properties.put("log.cleaner.backoff.ms", "1000");
        properties.put("log.retention.check.interval.ms", "5000");
        properties.put("num.network.threads", "2");
        properties.put("num.io.threads", "4");
        properties.put("background.threads", "4");
        properties.put("group.coordinator.threads", "2");
        // A killed broker's registration blocks the next start until its session expires (default 9 s).
        properties.put("broker.heartbeat.interval.ms", "500");
        properties.put("broker.session.timeout.ms", "3000");
        // The PLAINTEXT and controller listeners stay as they are (principal User:ANONYMOUS); clients
        // that need a named principal or encryption use these extra listeners.
        if (!saslUsers.isEmpty()) {
            addListener(properties, "SASL", "SASL_PLAINTEXT", saslPort);
        }
        if (tls != null) {
            addListener(properties, "SSL", "SSL", sslPort);
            properties.put("listener.name.ssl.ssl.client.auth", "required");
            if (!saslUsers.isEmpty()) {
                addListener(properties, "SASL_SSL", "SASL_SSL", saslSslPort);
            }
            properties.put("ssl.keystore.type", "PKCS12");
            properties.put("ssl.keystore.location", tls.keystore().toAbsolutePath().toString());
            properties.put("ssl.keystore.password", tls.password());
            properties.put("ssl.key.password", tls.password());
            properties.put("ssl.truststore.type", "PKCS12");
            properties.put("ssl.truststore.location", tls.truststore().toAbsolutePath().toString());
            properties.put("ssl.truststore.password", tls.password());
        }
        if (!superUsers.isEmpty()) {
            properties.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            properties.put("super.users", String.join(";", superUsers));
        }
        properties.putAll(extraBrokerProperties);
        return properties;
    }

    /** An extra listener; SASL ones offer PLAIN (users from the builder) and SCRAM-SHA-256/512. */
    private void addListener(Map<String, String> properties, String name, String protocol, int listenerPort) {
        properties.put("listeners", properties.get("listeners") + "," + name + "://127.0.0.1:" + listenerPort);
        properties.put("advertised.listeners", properties.get("advertised.listeners") + "," + name + "://127.0.0.1:"
                + listenerPort);
        properties.put("listener.security.protocol.map", properties.get("listener.security.protocol.map") + ","
                + name + ":" + protocol);
        if (protocol.startsWith("SASL")) {
            String prefix = "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
            properties.put(prefix + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
            properties.put(prefix + "plain.sasl.jaas.config", saslUsers.entrySet().stream()
                    .map(u -> "user_" + u.getKey() + "=\"" + u.getValue() + "\"")
                    .collect(
                            Collectors.joining(" ", "org.apache.kafka.common.security.plain.PlainLoginModule required ",
                                    ";")));
            String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
            properties.put(prefix + "scram-sha-256.sasl.jaas.config", scram);
            properties.put(prefix + "scram-sha-512.sasl.jaas.config", scram);
        }
    }

    /** Gives every SASL user SCRAM-SHA-256 and SCRAM-SHA-512 credentials with its password (idempotent). */
    private void createScramCredentials() {
        if (saslUsers.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(clientProperties())) {
            // One request per mechanism: a request may alter each user only once.
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> upserts = new ArrayList<>();
                saslUsers.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(mechanism, 4096), password)));
                admin.alterUserScramCredentials(upserts).all().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating SCRAM credentials on " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create SCRAM credentials on Kafka cluster " + name, e);
        }
    }

    private String propertiesText() {
        return brokerProperties().entrySet().stream()
                .map(entry -> entry.getKey() + "=" + escape(entry.getValue()))
                .collect(
                        Collectors.joining("\n", "# Written by LocalKafkaCluster " + name + " on every start\n", "\n"));
    }

    /** Escapes a value for a {@code .properties} file (backslashes, e.g. in Windows paths or JAAS configs). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private void format(long logStart) throws IOException {
        String newClusterId = Uuid.randomUuid().toString();
        LOG.debugf("Formatting storage of Kafka cluster %s in %s with cluster id %s", name, dataDir, newClusterId);
        List<String> command = javaCommand("128m", false);
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "kafka.tools.StorageTool", "format",
                "-t", newClusterId, "-c", propertiesFile.toString()));
        Process formatter = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        // Process.waitFor, not ProcessHandle.onExit: only the former guarantees exitValue() afterwards.
        boolean exited;
        try {
            exited = formatter.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            formatter.destroyForcibly();
            throw failure("interrupted while formatting storage", logStart);
        }
        if (!exited) {
            formatter.destroyForcibly();
            throw failure("storage format did not finish within " + FORMAT_TIMEOUT, logStart);
        }
        if (formatter.exitValue() != 0) {
            throw failure("storage format failed with exit code " + formatter.exitValue(), logStart);
        }
    }

    private void launch() throws IOException {
        List<String> command = javaCommand(heap, kafkaJvm);
        command.addAll(List.of(
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
                MAIN_CLASS, propertiesFile.toString()));
        Files.writeString(logFile, "---- starting Kafka cluster " + name + " on " + bootstrapServers() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        child = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        process = child.toHandle();
        ChildReaper.register(process);
        Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
    }

    private List<String> javaCommand(String maxHeap, boolean asKafkaRunsIt) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx" + maxHeap);
        if (asKafkaRunsIt) {
            command.add("-Xms" + maxHeap);
            command.addAll(KAFKA_GC);
        } else {
            if (megabytes(maxHeap) > INITIAL_HEAP_MB) {
                command.add("-Xms" + INITIAL_HEAP_MB + "m");
            }
            // Tests run many small brokers: the serial collector takes the least memory and CPU.
            command.add("-XX:+UseSerialGC");
        }
        command.add("-Xss512k");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(libDir + File.separator + "*");
        return command;
    }

    /** Size in MB of a JVM memory setting such as {@code 384m} or {@code 1g}. */
    private static long megabytes(String size) {
        String lower = size.toLowerCase(Locale.ROOT);
        char unit = lower.charAt(lower.length() - 1);
        long number = Character.isDigit(unit) ? Long.parseLong(lower)
                : Long.parseLong(lower.substring(0, lower.length() - 1));
        return switch (unit) {
            case 'g' -> number * 1024;
            case 'm' -> number;
            case 'k' -> number / 1024;
            default -> number / (1024 * 1024);
        };
    }

    private static String javaExecutable() {
        Path fromJavaHome = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(fromJavaHome)) {
            return fromJavaHome.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * Waits until the listener accepts connections, then until {@code describeCluster} answers.
     * Waiting for the port first keeps the Admin client from logging connection failures.
     */
    private String awaitReady(long logStart) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        while (!accepts(address)) {
            if (processExited(CONNECT_RETRY)) {
                throw failure("the broker " + exitDescription(), logStart);
            }
            checkDeadline(deadline, logStart);
        }
        Map<String, Object> adminProperties = new LinkedHashMap<>(clientProperties());
        adminProperties.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-ready-" + name);
        adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) READY_ATTEMPT.toMillis());
        adminProperties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(adminProperties)) {
            while (true) {
                CompletableFuture<String> id = admin
                        .describeCluster(new DescribeClusterOptions().timeoutMs((int) READY_ATTEMPT.toMillis()))
                        .clusterId().toCompletionStage().toCompletableFuture();
                try {
                    CompletableFuture.anyOf(id, process.onExit()).get(READY_ATTEMPT.toMillis() + 1000,
                            TimeUnit.MILLISECONDS);
                    if (id.isDone() && !id.isCompletedExceptionally()) {
                        return id.join();
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debugf("Kafka cluster %s not ready yet: %s", name, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while starting Kafka cluster " + name, e);
                }
                if (processExited(CONNECT_RETRY)) {
                    throw failure("the broker " + exitDescription(), logStart);
                }
                checkDeadline(deadline, logStart);
            }
        }
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) CONNECT_RETRY.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits up to {@code wait} for the broker to exit; doubles as the pause between connection attempts. */
    private boolean processExited(Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting Kafka cluster " + name, e);
        }
    }

    private String exitDescription() {
        return child != null && !child.isAlive() ? "exited with code " + child.exitValue() : "exited";
    }

    private RuntimeException killAfter(RuntimeException failure) {
        try {
            kill();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    private void checkDeadline(long deadline, long logStart) {
        if (System.nanoTime() - deadline > 0) {
            throw failure("the broker was not ready within " + START_TIMEOUT, logStart);
        }
    }

    private IllegalStateException failure(String reason, long logStart) {
        return new IllegalStateException("Kafka cluster " + name + " in " + dataDir + " did not start: " + reason
                + ". Last lines of " + logFile + ":\n" + logTail(logStart));
    }

    private String logTail(long from) {
        Deque<String> lines = new ArrayDeque<>();
        try (InputStream in = Files.newInputStream(logFile)) {
            in.skipNBytes(Math.min(from, Files.size(logFile)));
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                lines.addLast(line);
                if (lines.size() > LOG_TAIL_LINES) {
                    lines.removeFirst();
                }
            }
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
        return String.join("\n", lines);
    }

    /**
     * Adopts a broker already running on this data directory with the properties this instance would
     * write; stops one running there with other properties (it would hold the log directory lock).
     */
    private boolean adoptRunningBroker() throws IOException {
        Optional<ProcessHandle> running = brokerFromPidFile();
        if (running.isEmpty()) {
            return false;
        }
        if (port != 0 && controllerPort != 0 && Files.exists(propertiesFile)
                && propertiesText().equals(Files.readString(propertiesFile, StandardCharsets.UTF_8))) {
            process = running.get();
            child = null;
            ChildReaper.register(process);
            return true;
        }
        ProcessHandle other = running.get();
        LOG.warnf("Stopping Kafka broker pid %d that runs on %s with other properties", other.pid(), dataDir);
        other.destroy();
        if (!awaitExit(other, STOP_TIMEOUT)) {
            other.destroyForcibly();
            awaitExit(other, KILL_TIMEOUT);
        }
        Files.deleteIfExists(pidFile);
        return false;
    }

    /** The live broker process named by the pid file, if it really is a broker of this data directory. */
    private Optional<ProcessHandle> brokerFromPidFile() throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        List<String> expected = List.of(MAIN_CLASS, propertiesFile.toString());
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().arguments()
                        .map(arguments -> List.of(arguments).containsAll(expected))
                        .orElse(false));
    }

    /**
     * Takes the controller port from the {@code server.properties} of an earlier start on this data
     * directory, so that a broker left running there can be adopted and restarts keep the port.
     */
    private boolean reusePreviousControllerPort() throws IOException {
        if (!Files.exists(propertiesFile)) {
            return false;
        }
        String prefix = "controller.quorum.voters=1@127.0.0.1:";
        try (Stream<String> lines = Files.lines(propertiesFile, StandardCharsets.UTF_8)) {
            Optional<String> previous = lines.filter(line -> line.startsWith(prefix)).findFirst();
            if (previous.isEmpty()) {
                return false;
            }
            controllerPort = Integer.parseInt(previous.get().substring(prefix.length()).trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private boolean allFree() {
        return isFree(port) && isFree(controllerPort) && (saslPort == 0 || isFree(saslPort))
                && (sslPort == 0 || isFree(sslPort)) && (saslSslPort == 0 || isFree(saslSslPort));
    }

    private void checkPortFree(int candidate) {
        if (!isFree(candidate)) {
            throw new IllegalStateException("Kafka cluster " + name + " cannot listen on 127.0.0.1:" + candidate
                    + ": the port is in use");
        }
    }

    private static boolean isFree(int candidate) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void exited() {
        ChildReaper.unregister(process);
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.debugf("Cannot delete %s: %s", pidFile, e.getMessage());
        }
        LOG.debugf("Kafka cluster %s (pid %d) %s", name, process.pid(), exitDescription());
    }

    /** Drops a broker that exited by itself from the shutdown hook. */
    private void forgetExited() {
        if (process != null) {
            ChildReaper.unregister(process);
        }
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    /**
     * Free ports for brokers, never the same twice in a JVM. They are taken below the range the
     * operating system hands out for port 0 and for outgoing connections: a port is picked some
     * seconds before the broker binds it, and in that time any client socket (e.g. the other
     * broker's admin client) could otherwise be given the same port.
     */
    static final class FreePorts {
        private static final Set<Integer> HANDED_OUT = new HashSet<>();
        private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        private static final int LOWEST = 10_000;

        /** Keeps {@link #pick()} from handing out a port a cluster was configured with. */
        static synchronized void reserve(int... ports) {
            for (int port : ports) {
                if (port != 0) {
                    HANDED_OUT.add(port);
                }
            }
        }

        static synchronized int pick() {
            int below = ephemeralStart();
            for (int attempt = 0; below - LOWEST > 1000 && attempt < 200; attempt++) {
                int candidate = LOWEST + ThreadLocalRandom.current().nextInt(below - LOWEST);
                if (!HANDED_OUT.contains(candidate) && isFree(candidate)) {
                    HANDED_OUT.add(candidate);
                    return candidate;
                }
            }
            for (int attempt = 0; attempt < 20; attempt++) {
                try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
                    if (HANDED_OUT.add(socket.getLocalPort())) {
                        return socket.getLocalPort();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot find a free port", e);
                }
            }
            throw new IllegalStateException("Cannot find a free port not used before");
        }

        /**
         * The first port of the ephemeral range (Linux), else the IANA default 49152. Read as lines:
         * {@code Files.readString} of a procfs file stops after its first byte (procfs reports a size
         * of 0), which made this 3 and sent every pick to the operating system's ephemeral ports.
         */
        static int ephemeralStart() {
            try {
                return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
            } catch (IOException | RuntimeException e) {
                return 49_152;
            }
        }
    }

    /** Stops every running broker of this class when the JVM exits; the hook is only registered while some run. */
    private static final class ChildReaper {
        private static final Set<ProcessHandle> RUNNING = new HashSet<>();
        private static Thread hook;

        static synchronized void register(ProcessHandle process) {
            if (RUNNING.isEmpty()) {
                hook = new Thread(ChildReaper::stopAll, "local-kafka-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            RUNNING.add(process);
        }

        static synchronized void unregister(ProcessHandle process) {
            if (RUNNING.remove(process) && RUNNING.isEmpty()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // The JVM is shutting down: the hook is already running.
                }
                hook = null;
            }
        }

        private static void stopAll() {
            List<ProcessHandle> processes;
            synchronized (ChildReaper.class) {
                processes = List.copyOf(RUNNING);
            }
            processes.forEach(ProcessHandle::destroy);
            for (ProcessHandle process : processes) {
                if (!awaitExit(process, STOP_TIMEOUT)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** Configures a {@link LocalKafkaCluster}; only the data directory is required. */
    public static final class Builder {
        private final String name;
        private Path dataDir;
        private int port;
        private int controllerPort;
        private String heap = "384m";
        private boolean kafkaJvm;
        private Path libDir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, Object> clientProperties = new LinkedHashMap<>();
        private final Map<String, String> saslUsers = new LinkedHashMap<>();
        private final List<String> superUsers = new ArrayList<>();
        private int saslPort;
        private Tls tls;
        private int sslPort;
        private int saslSslPort;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Where storage, {@code server.properties} and {@code broker.log} live; kept across restarts. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Client port; 0 (the default) picks a free port on the first start and keeps it. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /**
         * Controller port; 0 (the default) reuses the one of an earlier start on the data directory if
         * it is free, else picks a free port, and keeps it.
         */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort);
            return this;
        }

        /** Maximum heap of the broker JVM, e.g. {@code 384m} (the default). */
        public Builder heap(String heap) {
            if (!heap.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("Not a heap size: " + heap);
            }
            this.heap = heap;
            return this;
        }

        /**
         * Runs the broker JVM as Kafka's start script does (a fixed heap of {@link #heap}, G1 with a
         * 20 ms pause goal) instead of the small serial-collector JVM of tests: for benchmarks, whose
         * raw limits and latencies should be those of a broker as it runs in production.
         */
        public Builder kafkaJvm() {
            this.kafkaJvm = true;
            return this;
        }

        /** Directory with the broker jars; defaults to {@link LocalKafkaCluster#defaultLibDir()}. */
        public Builder libDir(Path libDir) {
            this.libDir = libDir;
            return this;
        }

        /** Adds or overrides a broker property (e.g. an authorizer, {@code super.users}, {@code listeners}). */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /**
         * Adds a user to an extra {@code SASL_PLAINTEXT} listener with the PLAIN mechanism; the first
         * call creates the listener. See {@link LocalKafkaCluster#saslClientProperties(String)}.
         */
        public Builder saslUser(String user, String password) {
            saslUsers.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Port of the SASL listener; 0 (the default) picks a free port on the first start and keeps it. */
        public Builder saslPort(int saslPort) {
            this.saslPort = checkPort(saslPort);
            return this;
        }

        /**
         * Adds an {@code SSL} listener that requires client certificates and, with SASL users, a
         * {@code SASL_SSL} listener; ports 0 (the default) are picked on the first start and kept.
         */
        public Builder tls(Tls tls, int sslPort, int saslSslPort) {
            this.tls = Objects.requireNonNull(tls, "tls");
            this.sslPort = checkPort(sslPort);
            this.saslSslPort = checkPort(saslSslPort);
            return this;
        }

        /**
         * Turns on the standard KRaft authorizer ({@code StandardAuthorizer}) with these super users,
         * e.g. {@code User:admin}. {@code User:ANONYMOUS}, the principal of the PLAINTEXT and
         * controller listeners, must be among them for the broker and plain clients to keep working.
         */
        public Builder authorizer(String... superUsers) {
            this.superUsers.clear();
            this.superUsers.addAll(List.of(superUsers));
            return this;
        }

        /** Adds a client property to {@link LocalKafkaCluster#clientProperties()}, e.g. for a secured listener. */
        public Builder clientProperty(String key, Object value) {
            clientProperties.put(key, value);
            return this;
        }

        public LocalKafkaCluster build() {
            if (dataDir == null) {
                throw new IllegalStateException("Kafka cluster " + name + " needs a data directory");
            }
            return new LocalKafkaCluster(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Not a port: " + port);
            }
            return port;
        }
    }
}
