package io.clusterlink.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.local.LocalKafkaCluster;

/**
 * The two Kafka clusters that all integration tests share, {@code source} and {@code destination},
 * plus client helpers that work on any {@link LocalKafkaCluster}.
 * <p>
 * The clusters start once per test JVM, in a temporary directory, and stop when the JVM exits.
 * Quarkus tests and plain tests load this class in different class loaders: the first one to call
 * {@link #get()} starts the brokers and publishes where they are in system properties, the others
 * adopt the running brokers, so a test JVM never runs more than these two. Tests that stop or kill
 * a broker start their own {@link LocalKafkaCluster}; the shared ones must stay up.
 * <p>
 * Both run the standard authorizer with an extra SASL/PLAIN listener ({@link #ADMIN} is a super
 * user, {@link #TEST_USER} is not); plain clients connect as the super user {@code User:ANONYMOUS}.
 */
public final class KafkaClusters {

    private static final String PROPERTY_PREFIX = "clusterlink-test.kafka-clusters.";
    /** Interned, so one lock for every class loader of this JVM. */
    private static final String JVM_WIDE_LOCK = "clusterlink-test.kafka-clusters.lock";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(KafkaClusters.class);
    private static KafkaClusters instance;

    /** Super user on both clusters' SASL listener, as the seed walkthroughs connect. */
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-secret";
    /** An ordinary principal on both clusters' SASL listener: only what ACLs grant. */
    public static final String TEST_USER = "test-user";
    public static final String TEST_USER_PASSWORD = "test-user-secret";

    private final LocalKafkaCluster source;
    private final LocalKafkaCluster destination;
    private final Map<LocalKafkaCluster, Admin> admins = new ConcurrentHashMap<>();

    private final TestCertificates certificates;

    private KafkaClusters(LocalKafkaCluster source, LocalKafkaCluster destination, TestCertificates certificates) {
        this.source = source;
        this.destination = destination;
        this.certificates = certificates;
    }

    /** The test CA and certificates the clusters' TLS listeners use. */
    public TestCertificates certificates() {
        return certificates;
    }

    /**
     * Client properties that reach {@code cluster}'s SASL_SSL listener as {@code user} with the
     * given SASL mechanism ({@code PLAIN}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512}), trusting the
     * test CA from its PEM text.
     */
    public Map<String, Object> saslSslClientProperties(LocalKafkaCluster cluster, String user, String password,
            String mechanism) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", "127.0.0.1:" + cluster.saslSslPort());
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", mechanism);
        properties.put("sasl.jaas.config", mechanism.equals("PLAIN") ? LocalKafkaCluster.plainJaas(user, password)
                : LocalKafkaCluster.scramJaas(user, password));
        properties.put("ssl.truststore.type", "PEM");
        properties.put("ssl.truststore.certificates", certificates.caPem());
        return properties;
    }

    /** The shared clusters, started on the first call in this JVM. */
    public static synchronized KafkaClusters get() {
        if (instance == null) {
            synchronized (JVM_WIDE_LOCK) {
                instance = startOrAdopt();
            }
        }
        return instance;
    }

    public LocalKafkaCluster source() {
        return source;
    }

    public LocalKafkaCluster destination() {
        return destination;
    }

    /** An Admin client for the source cluster, shared by all tests; do not close it. */
    public Admin sourceAdmin() {
        return admins.computeIfAbsent(source, cluster -> Admin.create(cluster.clientProperties()));
    }

    /** An Admin client for the destination cluster, shared by all tests; do not close it. */
    public Admin destinationAdmin() {
        return admins.computeIfAbsent(destination, cluster -> Admin.create(cluster.clientProperties()));
    }

    /** A name no other test uses, e.g. for topics and groups: {@code <prefix>-<8 hex digits>}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic with replication factor 1 and waits until every partition has a leader. */
    public static void createTopic(LocalKafkaCluster cluster, String topic, int partitions,
            Map<String, String> configs) {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            result(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all());
            await().atMost(ADMIN_TIMEOUT).ignoreExceptions().until(() -> {
                TopicDescription description = admin.describeTopics(List.of(topic)).topicNameValues().get(topic)
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(partition -> partition.leader() != null);
            });
        }
    }

    /** A producer of byte arrays with {@code acks=all}; {@code overrides} win over the defaults. */
    public static KafkaProducer<byte[], byte[]> producer(LocalKafkaCluster cluster, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(cluster.clientProperties());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.putAll(overrides);
        return new KafkaProducer<>(properties);
    }

    /** A consumer of byte arrays without a group and without auto commit; {@code overrides} win. */
    public static KafkaConsumer<byte[], byte[]> consumer(LocalKafkaCluster cluster, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(cluster.clientProperties());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.putAll(overrides);
        return new KafkaConsumer<>(properties);
    }

    /** Every record of {@code topic} from the log start to the end offsets taken when the read starts, partition by partition. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(LocalKafkaCluster cluster, String topic,
            IsolationLevel isolation, Duration timeout) {
        return readLogs(cluster, topic, isolation, timeout).stream()
                .flatMap(log -> log.records().stream())
                .toList();
    }

    /**
     * Reads each partition of {@code topic} from its log start offset to its end offset taken when the
     * read starts (the last stable offset under {@code read_committed}), indexed by partition.
     *
     * @throws AssertionError if the topic does not exist or the end is not reached within {@code timeout}
     */
    public static List<PartitionLog> readLogs(LocalKafkaCluster cluster, String topic, IsolationLevel isolation,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> overrides = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation.toString().toLowerCase(Locale.ROOT));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster, overrides)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new AssertionError("Topic " + topic + " does not exist on " + cluster);
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new LinkedHashMap<>();
            partitions.forEach(partition -> records.put(partition, new ArrayList<>()));
            while (!reachedEnd(consumer, partitions, ends, timeout)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("Reading " + topic + " from " + cluster + " did not reach the end offsets "
                            + ends + " within " + timeout + "; positions: " + positions(consumer, partitions, timeout));
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(partition)) {
                        records.get(partition).add(record);
                    }
                }
            }
            return partitions.stream()
                    .map(partition -> new PartitionLog(partition.partition(), starts.get(partition),
                            ends.get(partition),
                            records.get(partition)))
                    .toList();
        }
    }

    /** Log end offsets of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(LocalKafkaCluster cluster, String topic) {
        return endOffsets(cluster, topic, IsolationLevel.READ_UNCOMMITTED);
    }

    /** End offsets of {@code topic}: log end offsets, or last stable offsets under {@code read_committed}. */
    public static Map<TopicPartition, Long> endOffsets(LocalKafkaCluster cluster, String topic,
            IsolationLevel isolation) {
        return offsets(cluster, topic, OffsetSpec.latest(), isolation);
    }

    /** Log start offsets of {@code topic}. */
    public static Map<TopicPartition, Long> startOffsets(LocalKafkaCluster cluster, String topic) {
        return offsets(cluster, topic, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED);
    }

    private static Map<TopicPartition, Long> offsets(LocalKafkaCluster cluster, String topic, OffsetSpec spec,
            IsolationLevel isolation) {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            TopicDescription description = result(admin.describeTopics(List.of(topic)).topicNameValues().get(topic));
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            description.partitions()
                    .forEach(partition -> request.put(new TopicPartition(topic, partition.partition()), spec));
            Map<TopicPartition, ListOffsetsResultInfo> infos = result(
                    admin.listOffsets(request, new ListOffsetsOptions(isolation)).all());
            Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
            request.keySet().forEach(partition -> offsets.put(partition, infos.get(partition).offset()));
            return offsets;
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> ends, Duration timeout) {
        return partitions.stream().allMatch(partition -> consumer.position(partition, timeout) >= ends.get(partition));
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions, Duration timeout) {
        Map<TopicPartition, Long> positions = new LinkedHashMap<>();
        partitions.forEach(partition -> positions.put(partition, consumer.position(partition, timeout)));
        return positions;
    }

    private static <T> T result(KafkaFuture<T> future) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("No answer from Kafka within " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the clusters, or adopts the ones another class loader of this JVM started. */
    private static KafkaClusters startOrAdopt() {
        String dir = System.getProperty(PROPERTY_PREFIX + "dir");
        boolean owner = dir == null;
        Path root;
        try {
            root = owner ? Files.createTempDirectory("clusterlink-kafka-") : Path.of(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates certificates = TestCertificates.in(root.resolve("tls"));
        LocalKafkaCluster source = build("source", root, owner, certificates);
        LocalKafkaCluster destination = build("destination", root, owner, certificates);
        CompletableFuture<LocalKafkaCluster> sourceStart = CompletableFuture.supplyAsync(source::start);
        destination.start();
        sourceStart.join();
        LOG.infof("Shared Kafka clusters: source %s, destination %s (broker logs in %s)", source.bootstrapServers(),
                destination.bootstrapServers(), root);
        if (owner) {
            for (LocalKafkaCluster cluster : List.of(source, destination)) {
                System.setProperty(PROPERTY_PREFIX + cluster.name() + ".port", String.valueOf(cluster.port()));
                System.setProperty(PROPERTY_PREFIX + cluster.name() + ".controller-port",
                        String.valueOf(cluster.controllerPort()));
                System.setProperty(PROPERTY_PREFIX + cluster.name() + ".sasl-port", String.valueOf(cluster.saslPort()));
                System.setProperty(PROPERTY_PREFIX + cluster.name() + ".ssl-port", String.valueOf(cluster.sslPort()));
                System.setProperty(PROPERTY_PREFIX + cluster.name() + ".sasl-ssl-port",
                        String.valueOf(cluster.saslSslPort()));
            }
            System.setProperty(PROPERTY_PREFIX + "dir", root.toString());
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(new Cleanup(root, source, destination), "kafka-clusters-cleanup"));
        }
        return new KafkaClusters(source, destination, certificates);
    }

    private static LocalKafkaCluster build(String name, Path root, boolean owner, TestCertificates certificates) {
        // Both clusters run the standard authorizer, like the seed walkthroughs' clusters. Plain
        // clients (User:ANONYMOUS), the SASL user admin and the TLS client certificate are super
        // users; test-user is not.
        LocalKafkaCluster.Builder builder = LocalKafkaCluster.builder(name).dataDir(root.resolve(name))
                .saslUser(ADMIN, ADMIN_PASSWORD)
                .saslUser(TEST_USER, TEST_USER_PASSWORD)
                .authorizer("User:ANONYMOUS", "User:" + ADMIN, TestCertificates.CLIENT_PRINCIPAL);
        if (owner) {
            builder.tls(certificates.brokerTls(), 0, 0);
        } else {
            builder.port(port(name, "port"))
                    .controllerPort(port(name, "controller-port"))
                    .saslPort(port(name, "sasl-port"))
                    .tls(certificates.brokerTls(), port(name, "ssl-port"), port(name, "sasl-ssl-port"));
        }
        return builder.build();
    }

    private static int port(String cluster, String which) {
        return Integer.parseInt(System.getProperty(PROPERTY_PREFIX + cluster + "." + which));
    }

    /** Stops the brokers and deletes their directory at JVM exit (no lambdas: their class loader may be closed by then). */
    private static final class Cleanup implements Runnable {
        private final Path root;
        private final LocalKafkaCluster[] clusters;

        Cleanup(Path root, LocalKafkaCluster... clusters) {
            this.root = root;
            this.clusters = clusters;
        }

        @Override
        public void run() {
            for (LocalKafkaCluster cluster : clusters) {
                cluster.stop();
            }
            try (Stream<Path> paths = Files.walk(root)) {
                List<Path> all = new ArrayList<>(paths.toList());
                all.sort(Comparator.reverseOrder());
                for (Path path : all) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                System.err.println("Cannot delete " + root + ": " + e);
            }
        }
    }
}
