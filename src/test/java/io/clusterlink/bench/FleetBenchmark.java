package io.clusterlink.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.store.embedded.EmbeddedPostgresServer;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ServiceProcess;

/**
 * The fleet benchmark (not a test): {@code ./mvnw -Pbenchmark verify -Dbench.main=io.clusterlink.bench.FleetBenchmark}.
 * On two fresh local brokers, in one run:
 * <ul>
 * <li>the raw limit: Kafka's {@code ProducerPerformance} (acks=all, linger.ms=10, batch.size=262144)
 * writing the same backlog into a destination topic of 20 partitions and one of 1,000, before the
 * service starts;</li>
 * <li>many links: one service instance at {@code -Xmx512m} copies 50 links x one topic of 20
 * partitions (1,000 mirrored partitions) and is compared with one link copying one 20-partition
 * topic of the same total backlog: copy rate, peak heap used, threads, CPU seconds per million
 * records; the mirrors are created on empty topics and paused, the backlog is written, and the
 * copy is timed from their resume, so it measures the copy, not the creation of 1,000 destination
 * partitions; every mirror is then compared record by record with its source;</li>
 * <li>two instances: with those links deleted, the standard backlog (500,000 x 1 KB in 4
 * partitions) copied by one instance, then by two instances sharing one PostgreSQL.</li>
 * </ul>
 */
public final class FleetBenchmark {

    private static final int LINKS = Integer.getInteger("bench.links", 50);
    private static final int PARTITIONS = 20;
    private static final int RECORDS_PER_LINK = Integer.getInteger("bench.records-per-link", 40_000);
    private static final int RECORD_SIZE = 1024;
    private static final int STANDARD_RECORDS = 500_000;
    private static final long MB = 1024 * 1024;
    /** What to measure, {@code -Dbench.sections=raw,single,many,standard} (all by default). */
    private static final Set<String> SECTIONS = Set.copyOf(Processes.sections("raw,single,many,standard"));
    /** Concurrent API requests of the benchmark's resumes. */
    private static final int CLIENTS = 8;

    record Run(String name, long records, double seconds, long peakHeapBytes, long peakLiveBytes, int peakThreads,
            double cpuSeconds, double pauseSeconds) {
        double rate() {
            return records / seconds;
        }
    }

    private FleetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Processes.scratchDirectory("clusterlink-fleet-bench");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startEphemeral(0);
        postgres.createDatabaseIfMissing("clusterlink");
        try (LocalKafkaCluster source = LocalKafkaCluster.builder("bench-source").dataDir(dir.resolve("source"))
                .heap("1g").kafkaJvm().build().start();
                LocalKafkaCluster destination = LocalKafkaCluster.builder("bench-destination")
                        .dataDir(dir.resolve("destination")).heap("1g").kafkaJvm().build().start();
                Admin sourceAdmin = Admin.create(Map.of("bootstrap.servers", source.bootstrapServers()));
                Admin destAdmin = Admin.create(Map.of("bootstrap.servers", destination.bootstrapServers()))) {
            Map<String, String> common = new HashMap<>(Map.of(
                    "clusterlink.clusters.destination.bootstrap-servers", destination.bootstrapServers(),
                    "clusterlink.default-cluster", "destination",
                    "quarkus.log.level", "WARN",
                    "quarkus.datasource.jdbc.url", postgres.jdbcUrl("clusterlink"),
                    "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                    "quarkus.datasource.password", postgres.password(),
                    "clusterlink.secrets.key", "YmVuY2htYXJrLW9ubHkta2V5LTMyLWJ5dGVzLWxvbmc="));

            // Source topics: one of 20 partitions per link, one for the single link, the standard one
            List<String> topics = IntStream.range(0, LINKS).mapToObj(i -> "many-" + i).toList();
            for (String t : topics) {
                create(sourceAdmin, t, PARTITIONS);
            }
            long total = (long) LINKS * RECORDS_PER_LINK;
            create(sourceAdmin, "one", PARTITIONS);
            create(sourceAdmin, "standard", 4);

            List<Run> runs = new ArrayList<>();
            if (SECTIONS.contains("raw")) {
                // The brokers' limit for the same backlog, before any service runs: Kafka's own producer
                // benchmark writing it into the destination, into as many partitions as one link and as all
                runs.add(rawProduce(destAdmin, destination, PARTITIONS, total));
                runs.add(rawProduce(destAdmin, destination, LINKS * PARTITIONS, total));
            }
            ServiceProcess one = new ServiceProcess(dir.resolve("one"), withId(common, "bench-1"));
            try {
                one.start();
                if (SECTIONS.contains("single")) {
                    createLink(one, "single", source, "s.");
                    createPaused(one, List.of("single"), List.of("one"), "s.");
                    produce(source, "one", (int) total);
                    runs.add(measure("1 link x 20 partitions", List.of(one), () -> {
                        resume(one, List.of("s.one"));
                        awaitCopied(destAdmin, List.of("s.one"), total);
                    }, total));
                    deleteLink(one, "single");
                }
                if (SECTIONS.contains("many")) {
                    long linksStart = System.nanoTime();
                    List<String> links = new ArrayList<>();
                    for (int i = 0; i < LINKS; i++) {
                        createLink(one, "link-" + i, source, "m.");
                        links.add("link-" + i);
                    }
                    System.out.printf("%n%d links created in %.1f s%n", LINKS,
                            (System.nanoTime() - linksStart) / 1e9);
                    List<String> mirrors = topics.stream().map(t -> "m." + t).toList();
                    createPaused(one, links, topics, "m.");
                    for (String t : topics) {
                        produce(source, t, RECORDS_PER_LINK);
                    }
                    runs.add(measure(LINKS + " links x 20 partitions", List.of(one), () -> {
                        long resumeStart = System.nanoTime();
                        resume(one, mirrors);
                        System.out.printf("%n%d resume requests answered in %.1f s%n", mirrors.size(),
                                (System.nanoTime() - resumeStart) / 1e9);
                        awaitCopied(destAdmin, mirrors, total);
                    }, total));
                    long compared = 0;
                    for (String t : topics) {
                        compared += MirrorVerifier.assertIdentical(source, t, destination, "m." + t,
                                Duration.ofMinutes(2)).recordsCompared();
                    }
                    System.out.printf("%n%d mirrors of the %d links compared record by record with their sources: "
                            + "identical (%,d records)%n", topics.size(), LINKS, compared);
                    // The standard runs start without the links above
                    for (int i = 0; i < LINKS; i++) {
                        deleteLink(one, "link-" + i);
                    }
                }
                if (SECTIONS.contains("standard")) {
                    produce(source, "standard", STANDARD_RECORDS);
                    createLink(one, "std-1", source, "a.");
                    runs.add(measure("standard backlog, 1 instance", List.of(one), () -> {
                        mirror(one, "std-1", "standard");
                        awaitCopied(destAdmin, List.of("a.standard"), STANDARD_RECORDS);
                    }, STANDARD_RECORDS));
                    deleteLink(one, "std-1");
                    ServiceProcess two = new ServiceProcess(dir.resolve("two"), withId(common, "bench-2"));
                    try {
                        two.start();
                        await(() -> fleetSize(one) == 2, Duration.ofSeconds(60));
                        createLink(one, "std-2", source, "b.");
                        runs.add(measure("standard backlog, 2 instances", List.of(one, two), () -> {
                            mirror(one, "std-2", "standard");
                            awaitCopied(destAdmin, List.of("b.standard"), STANDARD_RECORDS);
                        }, STANDARD_RECORDS));
                        MirrorVerifier.assertIdentical(source, "standard", destination, "b.standard",
                                Duration.ofMinutes(2));
                        System.out.printf("The mirror copied by two instances compared record by record: identical%n");
                    } finally {
                        two.stop();
                    }
                }
            } finally {
                one.stop();
            }
            print(runs);
        } finally {
            postgres.stop();
        }
    }

    /**
     * Kafka's {@code ProducerPerformance} writing {@code records} of 1 KB into a new destination topic of
     * {@code partitions} partitions (acks=all, linger.ms=10, batch.size=262144); the topic is deleted after.
     */
    private static Run rawProduce(Admin destAdmin, LocalKafkaCluster destination, int partitions, long records)
            throws Exception {
        String topic = "raw-" + partitions;
        create(destAdmin, topic, partitions);
        double rate = Processes.producerPerformance(destination.bootstrapServers(), topic, records, RECORD_SIZE,
                "acks=all", "linger.ms=10", "batch.size=262144");
        destAdmin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        Run raw = new Run("raw produce (ProducerPerformance), " + partitions + " partitions", records,
                records / rate, 0, 0, -1, 0, 0);
        print(List.of(raw));
        return raw;
    }

    private static Map<String, String> withId(Map<String, String> common, String id) {
        Map<String, String> props = new HashMap<>(common);
        props.put("clusterlink.fleet.instance-id", id);
        return props;
    }

    interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work} while sampling the instances' threads and CPU time; heap and pauses from their GC logs. */
    private static Run measure(String name, List<ServiceProcess> instances, Work work, long records) throws Exception {
        Run run = measured(name, instances, work, records);
        print(List.of(run));
        return run;
    }

    private static Run measured(String name, List<ServiceProcess> instances, Work work, long records)
            throws Exception {
        double cpuBefore = 0;
        List<Long> logsFrom = new ArrayList<>();
        for (ServiceProcess s : instances) {
            cpuBefore += Processes.cpuSeconds(s.pid());
            logsFrom.add(Processes.logSize(s.gcLog()));
        }
        int[] peakThreads = { 0 };
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                int threads = 0;
                for (ServiceProcess s : instances) {
                    threads += Processes.threads(s.pid());
                }
                peakThreads[0] = Math.max(peakThreads[0], threads);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        try {
            work.run();
        } finally {
            sampler.interrupt();
            sampler.join(30_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = -cpuBefore;
        long peakHeap = 0;
        long peakLive = 0;
        double pauses = 0;
        for (int i = 0; i < instances.size(); i++) {
            ServiceProcess s = instances.get(i);
            cpu += Processes.cpuSeconds(s.pid());
            Processes.Collections c = Processes.collections(s.gcLog(), logsFrom.get(i));
            peakHeap += c.peakHeapBytes();
            peakLive += c.peakLiveBytes();
            pauses += c.pauseSeconds();
        }
        return new Run(name, records, seconds, peakHeap, peakLive, peakThreads[0], cpu, pauses / instances.size());
    }

    private static void print(List<Run> runs) {
        System.out.println();
        System.out.println("| run | records | seconds | copy rate | peak heap used (after a collection) "
                + "| collection pauses | peak threads | CPU-s per million |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Run r : runs) {
            if (r.peakThreads() < 0) { // a raw produce: no service ran
                System.out.printf("| %s | %,d | %.1f | %,.0f rec/s (%.0f MB/s) | | | | |%n", r.name(), r.records(),
                        r.seconds(), r.rate(), r.rate() * RECORD_SIZE / MB);
                continue;
            }
            System.out.printf("| %s | %,d | %.1f | %,.0f rec/s (%.0f MB/s) | %d MB (%d MB) | %.0f%% | %d | %.1f |%n",
                    r.name(), r.records(), r.seconds(), r.rate(), r.rate() * RECORD_SIZE / MB, r.peakHeapBytes() / MB,
                    r.peakLiveBytes() / MB, 100 * r.pauseSeconds() / r.seconds(), r.peakThreads(),
                    r.cpuSeconds() / (r.records() / 1e6));
        }
    }

    // ---- the service ----

    private static void createLink(ServiceProcess s, String link, LocalKafkaCluster source, String prefix)
            throws Exception {
        CatchUpBenchmark.Rest.post(s.baseUri() + "/links?link_name=" + link, "{\"configs\":["
                + "{\"name\":\"bootstrap.servers\",\"value\":\"" + source.bootstrapServers() + "\"},"
                + "{\"name\":\"cluster.link.prefix\",\"value\":\"" + prefix + "\"}]}");
    }

    /** Creates a mirror of each (still empty) topic on its link and pauses it once it is ACTIVE. */
    private static void createPaused(ServiceProcess s, List<String> links, List<String> topics, String prefix)
            throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < links.size(); i++) {
            mirror(s, links.get(i), topics.get(i));
        }
        for (int i = 0; i < links.size(); i++) {
            awaitState(s, links.get(i), prefix + topics.get(i), "ACTIVE");
            CatchUpBenchmark.Rest.post(s.baseUri() + "/mirrors/" + prefix + topics.get(i) + ":pause", "");
        }
        for (int i = 0; i < links.size(); i++) {
            awaitState(s, links.get(i), prefix + topics.get(i), "PAUSED");
        }
        System.out.printf("%n%d mirror(s) created and paused in %.1f s; the backlog is written to their sources now, "
                + "and the copy is timed from their resume%n", links.size(), (System.nanoTime() - start) / 1e9);
    }

    private static void awaitState(ServiceProcess s, String link, String mirror, String state) throws Exception {
        String uri = s.baseUri() + "/links/" + link + "/mirrors/" + mirror;
        await(() -> CatchUpBenchmark.Rest.get(uri).contains("\"mirror_status\":\"" + state + "\""),
                Duration.ofMinutes(2));
    }

    /** Resumes the mirrors with {@value #CLIENTS} requests at a time, as a script driving many links would. */
    private static void resume(ServiceProcess s, List<String> mirrors) throws Exception {
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(CLIENTS);
        try {
            List<java.util.concurrent.Future<?>> answers = new ArrayList<>();
            for (String m : mirrors) {
                answers.add(clients.submit(() -> {
                    CatchUpBenchmark.Rest.post(s.baseUri() + "/mirrors/" + m + ":resume", "");
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> a : answers) {
                a.get(2, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static void deleteLink(ServiceProcess s, String link) throws Exception {
        CatchUpBenchmark.Rest.delete(s.baseUri() + "/links/" + link + "?force=true");
    }

    private static void mirror(ServiceProcess s, String link, String topic) throws Exception {
        CatchUpBenchmark.Rest.post(s.baseUri() + "/links/" + link + "/mirrors", "{\"source_topic_name\":\"" + topic
                + "\"}");
    }

    private static int fleetSize(ServiceProcess s) throws Exception {
        Matcher m = Pattern.compile("\"instance_id\":").matcher(CatchUpBenchmark.Rest.get(s.baseUri() + "/fleet"));
        int n = -1; // the answering instance's own id comes first
        while (m.find()) {
            n++;
        }
        return n;
    }

    // ---- Kafka ----

    private static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        await(() -> {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().stream().allMatch(p -> p.leader() != null);
            } catch (java.util.concurrent.ExecutionException e) {
                return false; // not known to the broker yet
            }
        }, Duration.ofSeconds(60));
    }

    private static void produce(LocalKafkaCluster cluster, String topic, int records) throws Exception {
        Random random = new Random(topic.hashCode());
        // Not idempotent: a freshly created broker with 1,000 partitions is slow to answer at first, and
        // a backlog with an occasional duplicate is as good a backlog (each mirror is compared with it).
        Map<String, Object> props = Map.of("bootstrap.servers", cluster.bootstrapServers(), "acks", "all",
                "linger.ms", 10, "batch.size", 262_144, "buffer.memory", 128 * MB, "enable.idempotence", false,
                "max.in.flight.requests.per.connection", 1, "delivery.timeout.ms", 600_000);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                byte[] value = new byte[RECORD_SIZE];
                random.nextBytes(value);
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        ("key-" + i).getBytes(), value), (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Waits until the topics hold {@code records}, looking every 250 ms (1,000 end offsets are a load too). */
    /** Waits until the mirrors hold {@code records}; prints when each tenth of them had arrived. */
    private static void awaitCopied(Admin admin, List<String> topics, long records) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(15);
        StringBuilder progress = new StringBuilder();
        int tenths = 0;
        long copied;
        while ((copied = copied(admin, topics)) < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not copied within 15 minutes");
            }
            for (; tenths < 10 && copied * 10 >= records * (tenths + 1); tenths++) {
                progress.append(String.format(" %d%% %.1f s", 10 * (tenths + 1), (System.nanoTime() - start) / 1e9));
            }
            Thread.sleep(250);
        }
        System.out.printf("%ncopied (from the last resume or create request):%s 100%% %.1f s%n", progress,
                (System.nanoTime() - start) / 1e9);
    }

    private static long copied(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> described;
        try {
            described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // not all mirror topics exist yet
        }
        described.values().forEach(d -> d.partitions().forEach(p -> request.put(new TopicPartition(d.name(),
                p.partition()), OffsetSpec.latest())));
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(o -> o.offset()).sum();
    }

    interface Condition {
        boolean met() throws Exception;
    }

    private static void await(Condition condition, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + atMost);
            }
            Thread.sleep(100);
        }
    }
}
