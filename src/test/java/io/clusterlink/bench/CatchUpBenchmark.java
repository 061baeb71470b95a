package io.clusterlink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TestUsers;

/**
 * Catch-up copy rate of the packaged service against the raw producer and consumer rates of the
 * same two local brokers, measured in the same run: {@code ./mvnw -Pbenchmark verify}.
 * <p>
 * The raw rates use the very client settings the replicator uses (idempotent producer, acks=all,
 * read_committed consumer), so the ratio shows what the copy path itself costs. The copy time runs
 * from the mirror-create request to the last record on the mirror, so it includes link and
 * mirror creation.
 */
public final class CatchUpBenchmark {

    private static final int PARTITIONS = 4;
    /** Copy threads of the benchmark links ({@code num.cluster.link.fetchers}); {@code -Dbench.fetchers=N}. */
    private static final int FETCHERS = Integer.getInteger("bench.fetchers", 2);
    private static final int RUNS = 3;

    record Workload(String name, int records, int recordSize) {
    }

    record Figures(Workload workload, double producerRate, double consumerRate, double copyRate, double copySeconds) {
    }

    /** Offsets the mirror of a source whose log starts at {@value #ALIGN_START} fills per second, against raw produce. */
    record Alignment(double rawProduceRate, double alignRate, double activeSeconds) {
    }

    /** The log start offset of the alignment workload's one-partition source. */
    static final long ALIGN_START = 10_000_000L;

    public static void main(String[] args) throws Exception {
        List<Workload> workloads = List.of(new Workload("2,000,000 x 100 B", 2_000_000, 100),
                new Workload("500,000 x 1 KB", 500_000, 1024));
        Path dir = Files.createTempDirectory("clusterlink-bench");
        try (LocalKafkaCluster source = LocalKafkaCluster.builder("bench-source").dataDir(dir.resolve("source"))
                .heap("1g").build().start();
                LocalKafkaCluster destination = LocalKafkaCluster.builder("bench-destination")
                        .dataDir(dir.resolve("destination")).heap("1g").build().start();
                Admin sourceAdmin = Admin.create(Map.of("bootstrap.servers", source.bootstrapServers()));
                Admin destAdmin = Admin.create(Map.of("bootstrap.servers", destination.bootstrapServers()))) {
            List<Figures> results = new ArrayList<>();
            Alignment alignment;
            ServiceProcess service = new ServiceProcess(dir.resolve("service"), Map.of(
                    "clusterlink.clusters.destination.bootstrap-servers", destination.bootstrapServers(),
                    "clusterlink.default-cluster", "destination",
                    "quarkus.log.level", "WARN"));
            try {
                service.start();
                warmUp(source, destination, sourceAdmin, destAdmin, service);
                int n = 0;
                for (Workload w : workloads) {
                    n++;
                    // The raw limits are the best of three runs; the copy is the median of three.
                    double producerRate = 0;
                    for (int run = 0; run < RUNS; run++) {
                        String rawTopic = "raw-" + n + "-" + run;
                        create(destAdmin, rawTopic);
                        producerRate = Math.max(producerRate, produce(destination, rawTopic, w));
                        destAdmin.deleteTopics(List.of(rawTopic)).all().get(60, TimeUnit.SECONDS);
                    }
                    String backlog = "backlog-" + n;
                    create(sourceAdmin, backlog);
                    produce(source, backlog, w);
                    double consumerRate = 0;
                    for (int run = 0; run < RUNS; run++) {
                        consumerRate = Math.max(consumerRate, consume(source, backlog, w.records()));
                    }
                    double[] copies = new double[RUNS];
                    for (int run = 0; run < RUNS; run++) {
                        copies[run] = copy(service, source, destAdmin, "bench-" + n + "-" + run, "r" + run + ".",
                                backlog, w.records());
                    }
                    java.util.Arrays.sort(copies);
                    double seconds = copies[RUNS / 2];
                    results.add(new Figures(w, producerRate, consumerRate, w.records() / seconds, seconds));
                }
                alignment = alignment(service, source, destination, sourceAdmin, destAdmin);
            } finally {
                service.stop();
            }
            print(results);
            print(alignment);
        }
    }

    /**
     * Runs each measured path once before measuring (JIT, page cache, connections): a raw produce,
     * a raw consume and a mirror copy of a smaller backlog.
     */
    private static void warmUp(LocalKafkaCluster source, LocalKafkaCluster destination, Admin sourceAdmin,
            Admin destAdmin, ServiceProcess service) throws Exception {
        Workload w = new Workload("warm-up", 500_000, 100);
        create(destAdmin, "warm-up-raw");
        produce(destination, "warm-up-raw", w);
        create(sourceAdmin, "warm-up");
        produce(source, "warm-up", w);
        consume(source, "warm-up", w.records());
        copy(service, source, destAdmin, "warm-up", "w.", "warm-up", w.records());
        destAdmin.deleteTopics(List.of("warm-up-raw")).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * Seconds from the link-create request until the mirror holds every record of the backlog. Each
     * copy uses its own link with its own {@code cluster.link.prefix}, so one backlog can be copied
     * several times.
     */
    private static double copy(ServiceProcess service, LocalKafkaCluster source, Admin destAdmin, String link,
            String prefix, String topic, long records) throws Exception {
        long start = System.nanoTime();
        Rest.post(service.baseUri() + "/links?link_name=" + link, "{\"configs\":["
                + "{\"name\":\"bootstrap.servers\",\"value\":\"" + source.bootstrapServers() + "\"},"
                + "{\"name\":\"cluster.link.prefix\",\"value\":\"" + prefix + "\"},"
                + "{\"name\":\"num.cluster.link.fetchers\",\"value\":\"" + FETCHERS + "\"}]}");
        Rest.post(service.baseUri() + "/links/" + link + "/mirrors", "{\"source_topic_name\":\"" + topic + "\"}");
        awaitCopied(destAdmin, prefix + topic, records, Duration.ofMinutes(10));
        double seconds = (System.nanoTime() - start) / 1e9;
        Rest.delete(service.baseUri() + "/links/" + link + "?force=true");
        return seconds;
    }

    /**
     * Alignment: a one-partition source whose log starts at {@value #ALIGN_START} (10,000,000
     * records written, all deleted, 1,000 more) is mirrored; the mirror must hold its first record
     * at that offset, so it is filled up to it first. The rate counts the offsets filled per second
     * between the first filler on the mirror and the last; the raw figure is the best of three
     * produces of as many empty records with the standard producer (zstd, large batches), the
     * fastest way to advance offsets without this service.
     */
    private static Alignment alignment(ServiceProcess service, LocalKafkaCluster source, LocalKafkaCluster destination,
            Admin sourceAdmin, Admin destAdmin) throws Exception {
        double raw = 0;
        for (int run = 0; run < RUNS; run++) {
            String rawTopic = "raw-empty-" + run;
            create(destAdmin, rawTopic, 1);
            raw = Math.max(raw, produceEmpty(destination, rawTopic, ALIGN_START));
            destAdmin.deleteTopics(List.of(rawTopic)).all().get(60, TimeUnit.SECONDS);
        }
        String topic = "aligned";
        create(sourceAdmin, topic, 1);
        produceEmpty(source, topic, ALIGN_START);
        TopicPartition tp = new TopicPartition(topic, 0);
        sourceAdmin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(ALIGN_START))).all()
                .get(60, TimeUnit.SECONDS);
        produce(source, topic, new Workload("tail", 1_000, 100));

        String link = "bench-align";
        long start = System.nanoTime();
        Rest.post(service.baseUri() + "/links?link_name=" + link, "{\"configs\":["
                + "{\"name\":\"bootstrap.servers\",\"value\":\"" + source.bootstrapServers() + "\"}]}");
        Rest.post(service.baseUri() + "/links/" + link + "/mirrors", "{\"source_topic_name\":\"" + topic + "\"}");
        long firstFiller = 0;
        long filled = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long end;
        while (true) {
            end = endOffset(destAdmin, tp);
            long now = System.nanoTime();
            if (end > 0 && firstFiller == 0) {
                firstFiller = now;
                filled = end;
            }
            if (end >= ALIGN_START) {
                break;
            }
            if (now > deadline) {
                throw new IllegalStateException("Alignment of " + topic + " did not finish within 10 minutes");
            }
            Thread.sleep(5);
        }
        double alignSeconds = (System.nanoTime() - firstFiller) / 1e9;
        while (!Rest.get(service.baseUri() + "/links/" + link + "/mirrors/" + topic).contains("\"ACTIVE\"")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Mirror " + topic + " did not become ACTIVE within 10 minutes");
            }
            Thread.sleep(20);
        }
        double activeSeconds = (System.nanoTime() - start) / 1e9;
        Rest.delete(service.baseUri() + "/links/" + link + "?force=true");
        return new Alignment(raw, (ALIGN_START - filled) / alignSeconds, activeSeconds);
    }

    private static long endOffset(Admin admin, TopicPartition tp) throws Exception {
        try {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // the mirror topic does not exist yet
        }
    }

    /** Raw rate of advancing offsets with the standard producer: empty records, zstd, 1 MB batches. */
    private static double produceEmpty(LocalKafkaCluster cluster, String topic, long records) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                "acks", "all", "enable.idempotence", false, "linger.ms", 20, "batch.size", 1024 * 1024,
                "compression.type", "zstd", "buffer.memory", 128L * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
            long start = System.nanoTime();
            for (long i = 0; i < records && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, null), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Producing to " + topic + " failed", failure.get());
            }
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Creates a topic and waits until every partition has a leader, so the first writes succeed. */
    private static void create(Admin admin, String topic) throws Exception {
        create(admin, topic, PARTITIONS);
    }

    private static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic);
                if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // metadata not propagated yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("Topic " + topic + " has no leaders after 60 s");
    }

    /** Raw producer rate with the replicator's producer settings. */
    private static double produce(LocalKafkaCluster cluster, String topic, Workload w) throws Exception {
        Random random = new Random(1);
        byte[][] values = new byte[64][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[w.recordSize()];
            random.nextBytes(values[i]);
        }
        // The replicator's batching, buffer and acks, without idempotence: idempotent bulk loads into
        // fresh topics failed here with OutOfOrderSequenceException. The copy itself is idempotent.
        Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                "acks", "all", "enable.idempotence", false, "max.in.flight.requests.per.connection", 5,
                "linger.ms", 5, "batch.size", 512 * 1024, "buffer.memory", 128L * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
            int partitions = producer.partitionsFor(topic).size();
            long start = System.nanoTime();
            for (int i = 0; i < w.records() && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, values[i & 63]), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Producing to " + topic + " failed", failure.get());
            }
            return w.records() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Raw consumer rate with the replicator's consumer settings. */
    private static double consume(LocalKafkaCluster cluster, String topic, int records) {
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.replicationConsumer(
                Map.of("bootstrap.servers", cluster.bootstrapServers()), "bench-consumer")) {
            List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p))
                    .toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long start = System.nanoTime();
            long count = 0;
            while (count < records) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                count += batch.count();
            }
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void awaitCopied(Admin admin, String topic, long records, Duration timeout) throws Exception {
        Map<TopicPartition, OffsetSpec> request = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                long copied = admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                        .get(30, TimeUnit.SECONDS).values().stream().mapToLong(r -> r.offset()).sum();
                if (copied >= records) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // the mirror topic does not exist yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("Copy of " + topic + " did not finish within " + timeout);
    }

    private static void print(List<Figures> results) {
        System.out.println();
        System.out.println("clusterlink catch-up benchmark: " + PARTITIONS + " partitions, single-broker KRaft clusters "
                + "on loopback, " + Runtime.getRuntime().availableProcessors() + " cores, " + FETCHERS
                + " fetcher thread(s) per link");
        System.out.printf(Locale.ROOT, "%-20s %16s %16s %16s %10s %12s%n", "workload", "raw produce/s",
                "raw consume/s", "catch-up copy/s", "copy time", "copy/produce");
        for (Figures f : results) {
            System.out.printf(Locale.ROOT, "%-20s %16s %16s %16s %9.1fs %11.0f%%%n", f.workload().name(),
                    rate(f.producerRate(), f.workload()), rate(f.consumerRate(), f.workload()),
                    rate(f.copyRate(), f.workload()), f.copySeconds(), 100 * f.copyRate() / f.producerRate());
        }
        System.out.println();
    }

    private static void print(Alignment a) {
        System.out.printf(Locale.ROOT, "alignment of a 1-partition source whose log starts at %,d:%n", ALIGN_START);
        System.out.printf(Locale.ROOT, "%-20s %16s %16s %16s%n", "", "raw produce/s", "aligned/s", "ACTIVE after");
        System.out.printf(Locale.ROOT, "%-20s %16s %16s %15.1fs%n", "offsets (empty)",
                String.format(Locale.ROOT, "%,.0f", a.rawProduceRate()), String.format(Locale.ROOT, "%,.0f",
                        a.alignRate()), a.activeSeconds());
        System.out.println();
    }

    private static String rate(double recordsPerSecond, Workload w) {
        return String.format(Locale.ROOT, "%,.0f (%.0f MB/s)", recordsPerSecond,
                recordsPerSecond * w.recordSize() / 1_000_000);
    }

    /** Minimal JSON POST with the JDK client. */
    static final class Rest {
        private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

        static void delete(String uri) throws Exception {
            var response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri))
                    .header("Authorization", TestUsers.operatorAuthorization()).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("DELETE " + uri + " -> " + response.statusCode() + " " + response.body());
            }
        }

        static String get(String uri) throws Exception {
            var response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri))
                    .header("Authorization", TestUsers.operatorAuthorization()).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("GET " + uri + " -> " + response.statusCode() + " " + response.body());
            }
            return response.body();
        }

        static void post(String uri, String json) throws Exception {
            var response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri))
                    .header("Content-Type", "application/json")
                    .header("Authorization", TestUsers.operatorAuthorization())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("POST " + uri + " -> " + response.statusCode() + " " + response.body());
            }
        }
    }

    private CatchUpBenchmark() {
    }
}
