package io.clusterlink.bench;

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
 * The packaged service against the raw limits of the same two local brokers, measured in the same
 * run: {@code ./mvnw -Pbenchmark verify}.
 * <ul>
 * <li>catch-up: three runs per workload, each a raw produce by Kafka's own
 * {@code ProducerPerformance} (acks=all, linger.ms=10, batch.size=262144, 4 partitions) and then a
 * copy of the backlog by the service, timed from the link-create request to the last record on the
 * mirror; each run's ratio and the service's CPU seconds per million copied records;</li>
 * <li>the first record of a new mirror: from the mirror-create request on a running service to its
 * first record on the mirror;</li>
 * <li>live latency at 5,000 records/s: produce-to-consume on the source (direct) and on the mirror;</li>
 * <li>alignment of a source whose log starts at a high offset.</li>
 * </ul>
 */
public final class CatchUpBenchmark {

    private static final int PARTITIONS = 4;
    /** Copy threads of the benchmark links ({@code num.cluster.link.fetchers}); {@code -Dbench.fetchers=N}. */
    private static final int FETCHERS = Integer.getInteger("bench.fetchers", 2);
    private static final int RUNS = 3;

    record Workload(String name, int records, int recordSize) {
    }

    /** One catch-up run: the raw produce just before it, the copy, the service's CPU seconds during the copy. */
    record Run(double producerRate, double copySeconds, long records, double cpuSeconds) {
        double copyRate() {
            return records / copySeconds;
        }

        double ratio() {
            return copyRate() / producerRate;
        }

        double cpuPerMillion() {
            return cpuSeconds / (records / 1e6);
        }
    }

    record Figures(Workload workload, double consumerRate, List<Run> runs) {
    }

    /** Produce-to-consume latencies in milliseconds, sorted. */
    record Latencies(double[] millis) {
        double percentile(double p) {
            return millis.length == 0 ? Double.NaN : millis[Math.min(millis.length - 1, (int) (millis.length * p))];
        }
    }

    /**
     * Live latency in two phases of the same load: first, with the service idle, on the source and
     * through the least a copy can do (one consumer, one idempotent {@code acks=all} producer without
     * linger, in the benchmark's JVM); then on the source and through the mirror, each after a
     * warm-up; the mirror's warm-up apart (a service that never copied this load compiles it then).
     */
    record Latency(int rate, int seconds, Latencies direct, Latencies mirrored, Latencies mirroredWarmUp,
            Latencies loopDirect, Latencies loop) {
    }

    /** What to measure, {@code -Dbench.sections=catch-up,first,live,align} (all by default). */
    private static final List<String> SECTIONS = Processes.sections("catch-up,first,live,align");
    private static final int LIVE_RATE = 5_000;
    private static final int LIVE_SECONDS = 30;
    /**
     * Each phase's warm-up, not counted: the first run of this load in a JVM compiles its paths
     * (the service's compiler threads take most of a core for some 20 s after a mirror starts).
     */
    private static final int LIVE_WARM_UP_SECONDS = 30;

    /** Offsets the mirror of a source whose log starts at {@value #ALIGN_START} fills per second, against raw produce. */
    record Alignment(double rawProduceRate, double alignRate, double activeSeconds) {
    }

    /** The log start offset of the alignment workload's one-partition source. */
    static final long ALIGN_START = 10_000_000L;

    public static void main(String[] args) throws Exception {
        List<Workload> workloads = List.of(new Workload("2,000,000 x 100 B", 2_000_000, 100),
                new Workload("500,000 x 1 KB", 500_000, 1024));
        Path dir = Processes.scratchDirectory("clusterlink-bench");
        try (LocalKafkaCluster source = LocalKafkaCluster.builder("bench-source").dataDir(dir.resolve("source"))
                .heap("1g").kafkaJvm().build().start();
                LocalKafkaCluster destination = LocalKafkaCluster.builder("bench-destination")
                        .dataDir(dir.resolve("destination")).heap("1g").kafkaJvm().build().start();
                Admin sourceAdmin = Admin.create(Map.of("bootstrap.servers", source.bootstrapServers()));
                Admin destAdmin = Admin.create(Map.of("bootstrap.servers", destination.bootstrapServers()))) {
            List<Figures> results = new ArrayList<>();
            Alignment alignment;
            List<Double> firstRecord;
            Latency latency;
            ServiceProcess service = new ServiceProcess(dir.resolve("service"), Map.of(
                    "clusterlink.clusters.destination.bootstrap-servers", destination.bootstrapServers(),
                    "clusterlink.default-cluster", "destination",
                    "quarkus.log.level", "WARN"));
            try {
                service.start();
                warmUp(source, destination, sourceAdmin, destAdmin, service);
                int n = 0;
                for (Workload w : SECTIONS.contains("catch-up") ? workloads : List.<Workload>of()) {
                    n++;
                    String backlog = "backlog-" + n;
                    create(sourceAdmin, backlog);
                    produce(source, backlog, w);
                    double consumerRate = 0;
                    for (int run = 0; run < RUNS; run++) {
                        consumerRate = Math.max(consumerRate, consume(source, backlog, w.records()));
                    }
                    List<Run> runs = new ArrayList<>();
                    for (int run = 0; run < RUNS; run++) {
                        String rawTopic = "raw-" + n + "-" + run;
                        create(destAdmin, rawTopic);
                        double raw = Processes.producerPerformance(destination.bootstrapServers(), rawTopic,
                                w.records(), w.recordSize(), "acks=all", "linger.ms=10", "batch.size=262144");
                        destAdmin.deleteTopics(List.of(rawTopic)).all().get(60, TimeUnit.SECONDS);
                        double cpuBefore = Processes.cpuSeconds(service.pid());
                        double seconds = copy(service, source, destAdmin, "bench-" + n + "-" + run, "r" + run + ".",
                                backlog, w.records());
                        runs.add(new Run(raw, seconds, w.records(), Processes.cpuSeconds(service.pid()) - cpuBefore));
                        System.out.printf(Locale.ROOT,
                                "%s run %d: raw produce %,.0f rec/s, catch-up %,.0f rec/s (%.0f%%)%n", w.name(),
                                run + 1, raw, runs.get(run).copyRate(), 100 * runs.get(run).ratio());
                    }
                    results.add(new Figures(w, consumerRate, runs));
                }
                print(results);
                firstRecord = SECTIONS.contains("first") ? firstRecord(service, source, sourceAdmin, destAdmin) : null;
                printFirstRecord(firstRecord);
                latency = SECTIONS.contains("live") ? latency(service, source, destination, sourceAdmin) : null;
                print(latency);
                alignment = SECTIONS.contains("align")
                        ? alignment(service, source, destination, sourceAdmin, destAdmin) : null;
                print(alignment);
            } finally {
                service.stop();
            }
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
     * Seconds from the mirror-create request to the mirror's first record, on a running service
     * with a running link: three new mirrors of topics with a backlog.
     */
    private static List<Double> firstRecord(ServiceProcess service, LocalKafkaCluster source, Admin sourceAdmin,
            Admin destAdmin) throws Exception {
        String link = "bench-first";
        Rest.post(service.baseUri() + "/links?link_name=" + link, "{\"configs\":["
                + "{\"name\":\"bootstrap.servers\",\"value\":\"" + source.bootstrapServers() + "\"},"
                + "{\"name\":\"cluster.link.prefix\",\"value\":\"f.\"}]}");
        List<Double> seconds = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            String topic = "first-" + run;
            create(sourceAdmin, topic);
            produce(source, topic, new Workload("first", 1_000, 1024));
            long start = System.nanoTime();
            Rest.post(service.baseUri() + "/links/" + link + "/mirrors", "{\"source_topic_name\":\"" + topic + "\"}");
            double answered = (System.nanoTime() - start) / 1e9;
            awaitCopied(destAdmin, "f." + topic, 1, Duration.ofMinutes(1));
            seconds.add((System.nanoTime() - start) / 1e9);
            System.out.printf(Locale.ROOT, "first record of mirror %d: the create request answered after %.2f s, the "
                    + "first record was on the mirror after %.2f s%n", run + 1, answered, seconds.get(run));
        }
        Rest.delete(service.baseUri() + "/links/" + link + "?force=true");
        return seconds;
    }

    /**
     * Live latency: a producer writes {@value #LIVE_RATE} records of 1 KB per second to a source
     * topic that is mirrored (acks=all, Kafka's default batching); one consumer reads the source
     * topic, one the mirror topic, and each records, per record, the time from its send to its
     * arrival (the send time travels in the value, the clocks are one). The first
     * {@value #LIVE_WARM_UP_SECONDS} seconds are not counted.
     */
    private static Latency latency(ServiceProcess service, LocalKafkaCluster source, LocalKafkaCluster destination,
            Admin sourceAdmin) throws Exception {
        String link = "bench-live";
        String topic = "live";
        // The plain loop first, on topics of its own: the service idles meanwhile, and the mirror is
        // measured second, on JVMs (brokers, benchmark, service) that have run the same load for a
        // phase already, from an empty topic as a new mirror of a live topic starts.
        String loopTopic = "loop";
        Latencies[] looped;
        try (Admin destAdmin = Admin.create(Map.of("bootstrap.servers", destination.bootstrapServers()));
                CopyLoop loop = new CopyLoop(source, destination, loopTopic, loopTopic + "-copy")) {
            create(sourceAdmin, loopTopic);
            create(destAdmin, loopTopic + "-copy");
            loop.start();
            loop.ready.await(60, TimeUnit.SECONDS);
            looped = livePhase(source, destination, loopTopic, loopTopic + "-copy", LIVE_WARM_UP_SECONDS);
        }
        create(sourceAdmin, topic);
        Rest.post(service.baseUri() + "/links?link_name=" + link, "{\"configs\":["
                + "{\"name\":\"bootstrap.servers\",\"value\":\"" + source.bootstrapServers() + "\"},"
                + "{\"name\":\"cluster.link.prefix\",\"value\":\"l.\"}]}");
        Rest.post(service.baseUri() + "/links/" + link + "/mirrors", "{\"source_topic_name\":\"" + topic + "\"}");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Rest.get(service.baseUri() + "/links/" + link + "/mirrors/l." + topic).contains("\"ACTIVE\"")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Mirror l." + topic + " did not become ACTIVE within a minute");
            }
            Thread.sleep(20);
        }
        Latencies[] mirrored = livePhase(source, destination, topic, "l." + topic, LIVE_WARM_UP_SECONDS);
        Rest.delete(service.baseUri() + "/links/" + link + "?force=true");
        return new Latency(LIVE_RATE, LIVE_SECONDS, mirrored[0], mirrored[1], mirrored[2], looped[0], looped[1]);
    }

    /**
     * One live phase: {@value #LIVE_RATE} records/s of 1 KB written to {@code topic} for
     * {@code warmUpSeconds} (not counted) + {@value #LIVE_SECONDS} s; the send-to-arrival times on
     * the source topic and on its copy {@code copy} on the destination.
     */
    private static Latencies[] livePhase(LocalKafkaCluster source, LocalKafkaCluster destination, String topic,
            String copy, int warmUpSeconds) throws Exception {
        long total = (long) LIVE_RATE * (LIVE_SECONDS + warmUpSeconds);
        long counted = (long) LIVE_RATE * LIVE_SECONDS;
        LatencyReader direct = new LatencyReader(source.bootstrapServers(), topic, total, counted);
        LatencyReader copied = new LatencyReader(destination.bootstrapServers(), copy, total, counted);
        direct.start();
        copied.start();
        direct.ready.await(60, TimeUnit.SECONDS);
        copied.ready.await(60, TimeUnit.SECONDS);
        Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", source.bootstrapServers(),
                "acks", "all"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            long interval = 1_000_000_000L / LIVE_RATE;
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                byte[] value = new byte[1024];
                java.nio.ByteBuffer.wrap(value).putLong(i).putLong(System.nanoTime());
                producer.send(new ProducerRecord<>(topic, (int) (i % PARTITIONS), null, value));
            }
            producer.flush();
        }
        direct.join(TimeUnit.MINUTES.toMillis(2));
        copied.join(TimeUnit.MINUTES.toMillis(2));
        if (direct.received < total || copied.received < total) {
            throw new IllegalStateException("Live latency: the source consumer got " + direct.received
                    + " records, the consumer of " + copy + " " + copied.received + ", of " + total);
        }
        return new Latencies[] { direct.latencies(), copied.latencies(), copied.warmUpLatencies() };
    }

    /**
     * The least a copy can do, to measure the brokers' share of the latency: a consumer of the
     * source topic from its end, and an idempotent {@code acks=all} producer without linger that
     * writes each record to the same partition of the destination topic as soon as it is polled.
     */
    private static final class CopyLoop extends Thread implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final String from;
        private final String to;
        private volatile boolean running = true;
        final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

        CopyLoop(LocalKafkaCluster source, LocalKafkaCluster destination, String from, String to) {
            super("copy-loop");
            setDaemon(true);
            this.from = from;
            this.to = to;
            consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", source.bootstrapServers(),
                    "enable.auto.commit", false), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", destination.bootstrapServers(), "acks", "all",
                    "enable.idempotence", true, "linger.ms", 0),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
        }

        @Override
        public void run() {
            List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(from, p))
                    .toList();
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position);
            ready.countDown();
            while (running) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(to, r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers()));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(TimeUnit.SECONDS.toMillis(10));
            consumer.close();
            producer.close();
        }
    }

    /** A consumer thread that records each record's send-to-arrival time, the warm-up's apart. */
    private static final class LatencyReader extends Thread {
        private final String bootstrap;
        private final String topic;
        private final long total;
        private final long skip;
        private final double[] millis;
        private final double[] warmUpMillis;
        private int kept;
        private int keptWarmUp;
        volatile long received;
        final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

        LatencyReader(String bootstrap, String topic, long total, long counted) {
            super("latency-" + topic);
            setDaemon(true);
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.total = total;
            this.skip = total - counted;
            this.millis = new double[(int) counted];
            this.warmUpMillis = new double[(int) (total - counted)];
        }

        @Override
        public void run() {
            Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "group.id", "bench-" + topic,
                    "enable.auto.commit", false);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p))
                        .toList();
                consumer.assign(tps);
                consumer.seekToEnd(tps);
                tps.forEach(consumer::position);
                ready.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVE_SECONDS + LIVE_WARM_UP_SECONDS + 60);
                while (received < total && System.nanoTime() < deadline) {
                    for (var r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        java.nio.ByteBuffer value = java.nio.ByteBuffer.wrap(r.value());
                        long index = value.getLong();
                        long sent = value.getLong();
                        if (index >= skip && kept < millis.length) {
                            millis[kept++] = (now - sent) / 1e6;
                        } else if (index < skip && keptWarmUp < warmUpMillis.length) {
                            warmUpMillis[keptWarmUp++] = (now - sent) / 1e6;
                        }
                        received++;
                    }
                }
            }
        }

        Latencies latencies() {
            return sorted(millis, kept);
        }

        Latencies warmUpLatencies() {
            return sorted(warmUpMillis, keptWarmUp);
        }

        private static Latencies sorted(double[] values, int count) {
            double[] sorted = java.util.Arrays.copyOf(values, count);
            java.util.Arrays.sort(sorted);
            return new Latencies(sorted);
        }
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

    /** Writes a backlog (the replicator's batching, not idempotent); returns the rate it wrote at. */
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
                .mapToObj(p -> new TopicPartition(topic, p))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
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
        if (results.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("clusterlink catch-up benchmark: " + PARTITIONS
                + " partitions, single-broker KRaft clusters "
                + "on loopback, " + Runtime.getRuntime().availableProcessors() + " cores, " + FETCHERS
                + " fetcher thread(s) per link; raw produce by Kafka's ProducerPerformance (acks=all, linger.ms=10, "
                + "batch.size=262144) just before each copy");
        System.out.printf(Locale.ROOT, "%-20s %4s %24s %24s %10s %13s %16s%n", "workload", "run", "raw produce/s",
                "catch-up copy/s", "copy time", "copy/produce", "CPU-s/M copied");
        for (Figures f : results) {
            int i = 0;
            for (Run r : f.runs()) {
                System.out.printf(Locale.ROOT, "%-20s %4d %24s %24s %9.1fs %12.0f%% %16.1f%n", f.workload().name(), ++i,
                        rate(r.producerRate(), f.workload()), rate(r.copyRate(), f.workload()), r.copySeconds(),
                        100 * r.ratio(), r.cpuPerMillion());
            }
            double[] ratios = f.runs().stream().mapToDouble(Run::ratio).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-20s copy/produce %.0f%% to %.0f%% (median %.0f%%); raw consume %s (best "
                    + "of %d)%n", f.workload().name(), 100 * ratios[0], 100 * ratios[ratios.length - 1],
                    100 * ratios[ratios.length / 2], rate(f.consumerRate(), f.workload()), RUNS);
        }
        System.out.println();
    }

    private static void printFirstRecord(List<Double> firstRecord) {
        if (firstRecord == null) {
            return;
        }
        System.out.printf(Locale.ROOT, "first record of a new mirror, from the create request (running service and "
                + "link): %s%n%n",
                firstRecord.stream().map(s -> String.format(Locale.ROOT, "%.2f s", s))
                        .collect(Collectors.joining(", ")));
    }

    private static void print(Latency l) {
        if (l == null) {
            return;
        }
        System.out.printf(Locale.ROOT, "live latency, send to arrival, %,d records/s of 1 KB for %d s (two phases, "
                + "each after %d s of warm-up):%n", l.rate(), l.seconds(), LIVE_WARM_UP_SECONDS);
        System.out.printf(Locale.ROOT, "%-30s %10s %10s %10s%n", "", "p50", "p99", "max");
        printLatencies("source (direct), 1st phase", l.loopDirect());
        printLatencies("plain consume-produce loop", l.loop());
        printAdded("the loop adds", l.loopDirect(), l.loop());
        printLatencies("source (direct), 2nd phase", l.direct());
        printLatencies("mirror", l.mirrored());
        printAdded("the mirror adds", l.direct(), l.mirrored());
        printLatencies("mirror, its warm-up", l.mirroredWarmUp());
        System.out.println();
    }

    private static void printLatencies(String name, Latencies l) {
        System.out.printf(Locale.ROOT, "%-30s %8.1fms %8.1fms %8.1fms%n", name, l.percentile(0.5), l.percentile(0.99),
                l.percentile(1));
    }

    private static void printAdded(String name, Latencies direct, Latencies copied) {
        System.out.printf(Locale.ROOT, "%-30s %+8.1fms %+8.1fms%n", name,
                copied.percentile(0.5) - direct.percentile(0.5), copied.percentile(0.99) - direct.percentile(0.99));
    }

    private static void print(Alignment a) {
        if (a == null) {
            return;
        }
        System.out.printf(Locale.ROOT, "alignment of a 1-partition source whose log starts at %,d:%n", ALIGN_START);
        System.out.printf(Locale.ROOT, "%-20s %16s %16s %16s%n", "", "raw produce/s", "aligned/s", "ACTIVE after");
        System.out.printf(Locale.ROOT, "%-20s %16s %16s %15.1fs%n", "offsets (empty)",
                String.format(Locale.ROOT, "%,.0f", a.rawProduceRate()), String.format(Locale.ROOT, "%,.0f",
                        a.alignRate()),
                a.activeSeconds());
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
                throw new IllegalStateException(
                        "DELETE " + uri + " -> " + response.statusCode() + " " + response.body());
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
