package io.clusterlink.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.PartitionLog;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TestUsers;

/**
 * The disaster recovery drill (not a test):
 * {@code ./mvnw -Pbenchmark verify -Dbench.main=io.clusterlink.bench.DisasterRecoveryDrill}.
 * <p>
 * Two local clusters A and B, both destination clusters of one service; link {@code dr} on B with
 * source A and its reverse link {@code dr} on A with source B, both syncing the consumer offsets of
 * the groups {@code drill-*} every second. {@value #DEFAULT_MIRRORS} topics on A, mirrored on B,
 * take a steady load (every record has its own sequence number, in its key and a header) and are
 * read by consumer groups that commit as they go. Then, as an operator would:
 * <ol>
 * <li>the failover of every mirror in one request ({@code mirrors:failover} with a pattern), while
 * the producer still writes to A; once they are all {@code STOPPED}, the producer and the consumer
 * groups move to B (the groups with their ids, from the offsets synced to B);</li>
 * <li>the fail back: {@code mirrors:truncate-and-restore} of every mirror (four requests at a time,
 * each naming a share of them), which sets A's records past B's stop offsets aside in recovery topics
 * and makes A's topics mirrors of B on the reverse link, while the producer writes to B.</li>
 * </ol>
 * It prints the RTO (from the failover request until every mirror is {@code STOPPED} and every
 * group reads again on B), the records each group read twice, the RPO (the lag the service reported
 * just before the failover, and the records A had acknowledged before it that never reached B,
 * counted from the producer's acknowledgements and B's stop offsets), what was lost to B in all
 * (also what the producer wrote to A while the failover ran), and the fail back time (from the
 * first request until every restored mirror on A is {@code ACTIVE} and holds what B held when the
 * requests were answered). It checks that no group
 * missed a record of B, that A ends up identical to B record by record, and that the recovery topics
 * hold exactly A's records past the stop offsets; a check that fails ends the drill with an error.
 */
public final class DisasterRecoveryDrill {

    private static final int DEFAULT_MIRRORS = 100;
    private static final int MIRRORS = Integer.getInteger("drill.mirrors", DEFAULT_MIRRORS);
    private static final int PARTITIONS = 2;
    /** Records per second the producer writes, over all topics. */
    private static final int RATE = Integer.getInteger("drill.rate", 1_500);
    /** Seconds of steady load before the failover, and on B before the fail back. */
    private static final int STEADY_SECONDS = Integer.getInteger("drill.seconds", 20);
    private static final int GROUPS = 3;
    private static final String LINK = "dr";
    private static final String GROUP_PREFIX = "drill-";
    private static final int OFFSET_SYNC_MS = 1_000;
    /** Concurrent truncate-and-restore requests of the fail back. */
    private static final int RESTORE_REQUESTS = 4;
    private static final int RESTORE_ATTEMPTS = 3;
    private static final int VALUE_BYTES = 100;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Duration READ = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DisasterRecoveryDrill() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Processes.scratchDirectory("clusterlink-dr-drill");
        List<String> topics = IntStream.range(0, MIRRORS).mapToObj(i -> String.format("drill-%03d", i)).toList();
        try (LocalKafkaCluster a = LocalKafkaCluster.builder("drill-a").dataDir(dir.resolve("a")).heap("512m")
                .authorizer("User:ANONYMOUS").build().start();
                LocalKafkaCluster b = LocalKafkaCluster.builder("drill-b").dataDir(dir.resolve("b")).heap("512m")
                        .authorizer("User:ANONYMOUS").build().start();
                Admin adminA = Admin.create(a.clientProperties());
                Admin adminB = Admin.create(b.clientProperties())) {
            ServiceProcess service = new ServiceProcess(dir.resolve("service"), Map.of(
                    "clusterlink.clusters.a.bootstrap-servers", a.bootstrapServers(),
                    "clusterlink.clusters.b.bootstrap-servers", b.bootstrapServers(),
                    "clusterlink.default-cluster", "b"));
            try {
                service.start();
                new Drill(service, a, b, adminA, adminB, topics).run();
            } catch (Exception | AssertionError e) {
                // The scratch directory goes with the JVM: what the service said is shown here.
                List<String> log = Files.readAllLines(service.log());
                log.subList(Math.max(0, log.size() - 80), log.size()).forEach(System.err::println);
                throw e;
            } finally {
                service.stop();
            }
        }
    }

    /** One run of the drill. */
    private static final class Drill {
        private final ServiceProcess service;
        private final LocalKafkaCluster a;
        private final LocalKafkaCluster b;
        private final Admin adminA;
        private final Admin adminB;
        private final List<String> topics;
        private final String idA;
        private final String idB;
        private final Map<String, String> figures = new LinkedHashMap<>();
        private int restoreRetries;

        Drill(ServiceProcess service, LocalKafkaCluster a, LocalKafkaCluster b, Admin adminA, Admin adminB,
                List<String> topics) {
            this.service = service;
            this.a = a;
            this.b = b;
            this.adminA = adminA;
            this.adminB = adminB;
            this.topics = topics;
            this.idA = a.clusterId();
            this.idB = b.clusterId();
        }

        void run() throws Exception {
            long setupStart = System.nanoTime();
            adminA.createTopics(topics.stream().map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList()).all()
                    .get(2, TimeUnit.MINUTES);
            createLink(idB, a);
            createLink(idA, b);
            createMirrors();
            awaitMirrors(idB, "ACTIVE");
            System.out.printf("%n%d topics of %d partitions on A mirrored on B (ACTIVE) in %.1f s%n", topics.size(),
                    PARTITIONS, seconds(setupStart));

            List<GroupReader> readers = new ArrayList<>();
            for (int g = 1; g <= GROUPS; g++) {
                readers.add(new GroupReader(GROUP_PREFIX + "group-" + g, topics, a.bootstrapServers()));
            }
            readers.forEach(GroupReader::start);
            Load load = new Load(topics, producer(a), "A");
            load.start();
            System.out.printf("Steady load: %,d records/s over %d partitions, read by %d consumer groups; %d s%n",
                    RATE, topics.size() * PARTITIONS, GROUPS, STEADY_SECONDS);
            Thread.sleep(STEADY_SECONDS * 1000L);
            awaitSyncedOffsets(readers);

            // ---- failover ----
            long lagBefore = totalLag(idB);
            long t0 = System.nanoTime();
            JsonNode failover = post("/kafka/v3/clusters/" + idB + "/links/" + LINK + "/mirrors:failover",
                    "{\"mirror_topic_name_pattern\":\"drill-.*\"}");
            double answered = seconds(t0);
            checkNoErrors("failover", failover);
            awaitMirrors(idB, "STOPPED");
            double stopped = seconds(t0);
            Map<TopicPartition, Long> stopOffsets = ends(adminB, topics);
            load.moveTo(producer(b), "B");
            double producerMoved = seconds(t0);
            Map<TopicPartition, Long> endsA = ends(adminA, topics);
            Map<String, Integer> synced = new LinkedHashMap<>();
            for (GroupReader r : readers) {
                synced.put(r.group, committed(adminB, r.group).size());
                r.moveTo(b.bootstrapServers());
            }
            for (GroupReader r : readers) {
                r.awaitReadingOnB(WAIT);
            }
            double rto = readers.stream().mapToDouble(r -> (r.firstOnB - t0) / 1e9).max().orElseThrow();
            System.out.printf("Failover: answered after %.2f s, every mirror STOPPED after %.2f s, every group reading "
                    + "on B after %.2f s%n", answered, stopped, rto);

            long onANotOnB = 0;
            long notMirroredAtRequest = 0;
            for (TopicPartition tp : stopOffsets.keySet()) {
                onANotOnB += endsA.get(tp) - stopOffsets.get(tp);
            }
            for (Ack ack : load.acks) {
                if (ack.cluster().equals("A") && ack.ackedAt() < t0
                        && ack.offset() >= stopOffsets.get(new TopicPartition(ack.topic(), ack.partition()))) {
                    notMirroredAtRequest++;
                }
            }

            // ---- on B ----
            Thread.sleep(STEADY_SECONDS * 1000L / 2);

            // ---- fail back ----
            Map<String, List<PartitionLog>> divergedA = new HashMap<>();
            for (String t : topics) {
                divergedA.put(t, KafkaClusters.readLogs(a, t, IsolationLevel.READ_COMMITTED, READ));
            }
            System.out.println("Fail back: truncate-and-restore of every mirror");
            long t1 = System.nanoTime();
            long setAside = restoreAll();
            double restoreAnswered = seconds(t1);
            awaitRestored(ends(adminB, topics));
            double failback = seconds(t1);

            load.stop();
            for (GroupReader r : readers) {
                r.awaitCaughtUp(adminB, topics, WAIT);
            }
            readers.forEach(GroupReader::stop);

            // ---- checks ----
            long recordsOnB = 0;
            long compared = 0;
            Map<String, Long> missing = new TreeMap<>();
            awaitSameEnds();
            for (String t : topics) {
                List<PartitionLog> logB = KafkaClusters.readLogs(b, t, IsolationLevel.READ_UNCOMMITTED, READ);
                for (PartitionLog log : logB) {
                    for (ConsumerRecord<byte[], byte[]> r : log.records()) {
                        recordsOnB++;
                        long seq = sequence(r);
                        for (GroupReader reader : readers) {
                            if (!reader.seen.contains(seq)) {
                                missing.merge(reader.group, 1L, Long::sum);
                            }
                        }
                    }
                }
                List<PartitionLog> logA = KafkaClusters.readLogs(a, t, IsolationLevel.READ_UNCOMMITTED, READ);
                compared += MirrorVerifier.compare("restored " + t + " on A", logB, logA).recordsCompared();
                checkRecoveryTopic(t, divergedA.get(t), stopOffsets);
            }

            figures.put("mirrors", String.format("%d topics x %d partitions (%d partitions)", topics.size(),
                    PARTITIONS, topics.size() * PARTITIONS));
            figures.put("load", String.format("%,d records/s, %d consumer groups, consumer.offset.sync.ms=%d", RATE,
                    GROUPS, OFFSET_SYNC_MS));
            figures.put("failover request answered", String.format("%.2f s", answered));
            figures.put("all mirrors STOPPED", String.format("%.2f s", stopped));
            figures.put("producer writing to B", String.format("%.2f s", producerMoved));
            for (GroupReader r : readers) {
                figures.put("group " + r.group + " reading on B", String.format("%.2f s (offsets synced to B for %d "
                        + "of %d partitions)", (r.firstOnB - t0) / 1e9, synced.get(r.group),
                        topics.size() * PARTITIONS));
            }
            figures.put("RTO", String.format("%.2f s", rto));
            figures.put("RPO: lag reported just before the failover", String.format("%,d records", lagBefore));
            figures.put("RPO: records A acknowledged before the failover request that never reached B",
                    String.format("%,d records", notMirroredAtRequest));
            figures.put("records on A past B's stop offsets (the above and those written to A while the failover ran)",
                    String.format("%,d records", onANotOnB));
            for (GroupReader r : readers) {
                figures.put("group " + r.group + ": records read twice", String.format("%,d (missed: %d)",
                        r.duplicates, missing.getOrDefault(r.group, 0L)));
            }
            figures.put("fail back requests answered",
                    String.format("%.2f s (%d concurrent requests; topics asked again "
                            + "after an error: %d)", restoreAnswered, RESTORE_REQUESTS, restoreRetries));
            figures.put("fail back: every restored mirror on A ACTIVE and holding what B held at the answer",
                    String.format("%.2f s", failback));
            figures.put("records set aside in recovery topics", String.format("%,d", setAside));
            figures.put("records produced", String.format("%,d (on B at the end: %,d; A compared with B record by "
                    + "record: %,d identical)", load.sent.get(), recordsOnB, compared));
            print();

            if (!missing.isEmpty()) {
                throw new IllegalStateException("Consumer groups missed records of B: " + missing);
            }
            if (setAside != onANotOnB) {
                throw new IllegalStateException("truncate-and-restore set " + setAside + " records aside, but A had "
                        + onANotOnB + " past B's stop offsets");
            }
            if (notMirroredAtRequest > onANotOnB) {
                throw new IllegalStateException("more records unmirrored at the request than past the stop offsets");
            }
            if (load.failure.get() != null) {
                throw new IllegalStateException("The producer failed", load.failure.get());
            }
        }

        private void print() {
            System.out.println();
            System.out.println("| disaster recovery drill | |");
            System.out.println("|---|---|");
            figures.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
            System.out.println();
            System.out.println("(times of the failover from its request, of the fail back from its request)");
        }

        /**
         * Truncate-and-restore of every mirror: {@value #RESTORE_REQUESTS} requests at a time, each naming a
         * share of the mirrors (one request restores its mirrors one after the other). A topic whose
         * restore answers an error is asked again, as the answer says to (a repeated call continues
         * where it stopped), at most {@value #RESTORE_ATTEMPTS} times. Returns the records set aside.
         */
        private long restoreAll() throws Exception {
            long setAside = 0;
            List<String> left = new ArrayList<>(topics);
            ExecutorService clients = Executors.newFixedThreadPool(RESTORE_REQUESTS);
            try {
                for (int attempt = 1; !left.isEmpty(); attempt++) {
                    List<Future<JsonNode>> answers = new ArrayList<>();
                    int share = (left.size() + RESTORE_REQUESTS - 1) / RESTORE_REQUESTS;
                    for (int i = 0; i < left.size(); i += share) {
                        List<String> names = left.subList(i, Math.min(left.size(), i + share));
                        String body = JSON.writeValueAsString(Map.of("mirror_topic_names", names));
                        answers.add(clients.submit(() -> post("/kafka/v3/clusters/" + idB + "/links/" + LINK
                                + "/mirrors:truncate-and-restore", body)));
                    }
                    List<String> failed = new ArrayList<>();
                    for (Future<JsonNode> answer : answers) {
                        for (JsonNode item : answer.get(30, TimeUnit.MINUTES).get("data")) {
                            if (item.path("error_code").isNull() || item.path("error_code").isMissingNode()) {
                                setAside += item.get("messages_truncated").asLong();
                            } else if (attempt < RESTORE_ATTEMPTS) {
                                System.out.printf("truncate-and-restore of %s answered %s; asking again%n",
                                        item.get("mirror_topic_name").asText(), item.get("error_message").asText());
                                restoreRetries++;
                                failed.add(item.get("mirror_topic_name").asText());
                            } else {
                                throw new IllegalStateException("truncate-and-restore failed: " + item);
                            }
                        }
                    }
                    left = failed;
                }
            } finally {
                clients.shutdownNow();
            }
            return setAside;
        }

        // ---- service ----

        private void createLink(String onCluster, LocalKafkaCluster source) throws Exception {
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("bootstrap.servers", source.bootstrapServers());
            configs.put("consumer.offset.sync.enable", "true");
            configs.put("consumer.offset.group.filters", "{\"groupFilters\":[{\"name\":\"" + GROUP_PREFIX
                    + "\",\"patternType\":\"PREFIXED\",\"filterType\":\"INCLUDE\"}]}");
            configs.put("consumer.offset.sync.ms", Integer.toString(OFFSET_SYNC_MS));
            List<Map<String, String>> items = new ArrayList<>();
            configs.forEach((k, v) -> items.add(Map.of("name", k, "value", v)));
            post("/kafka/v3/clusters/" + onCluster + "/links?link_name=" + LINK,
                    JSON.writeValueAsString(Map.of("configs", items)));
        }

        /** Creates the mirrors, four requests at a time. */
        private void createMirrors() throws Exception {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> answers = new ArrayList<>();
                for (String t : topics) {
                    answers.add(clients.submit(() -> post("/kafka/v3/clusters/" + idB + "/links/" + LINK + "/mirrors",
                            "{\"source_topic_name\":\"" + t + "\"}")));
                }
                for (Future<?> f : answers) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                clients.shutdownNow();
            }
        }

        private JsonNode mirrors(String cluster) throws Exception {
            return get("/kafka/v3/clusters/" + cluster + "/links/" + LINK + "/mirrors").get("data");
        }

        /** Waits until every drill mirror of the link on {@code cluster} is in {@code status}. */
        private void awaitMirrors(String cluster, String status) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                int done = 0;
                for (JsonNode m : mirrors(cluster)) {
                    if (topics.contains(m.get("mirror_topic_name").asText())
                            && status.equals(m.get("mirror_status").asText())) {
                        done++;
                    }
                }
                if (done == topics.size()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(done + " of " + topics.size() + " mirrors on " + cluster + " are "
                            + status + " after " + WAIT);
                }
                Thread.sleep(50);
            }
        }

        /**
         * Waits until every restored mirror on A is ACTIVE and holds what B held when the fail back was
         * answered ({@code endsB}): B takes writes all along, so a lag of 0 on every partition at one
         * moment would measure the load's timing, not the fail back.
         */
        private void awaitRestored(Map<TopicPartition, Long> endsB) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long active = 0;
                for (JsonNode m : mirrors(idA)) {
                    if (topics.contains(m.get("mirror_topic_name").asText())
                            && "ACTIVE".equals(m.get("mirror_status").asText())) {
                        active++;
                    }
                }
                if (active == topics.size()) {
                    Map<TopicPartition, Long> endsA = ends(adminA, topics);
                    if (endsB.entrySet().stream().allMatch(e -> endsA.get(e.getKey()) >= e.getValue())) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(active + " of " + topics.size() + " restored mirrors on A are "
                            + "ACTIVE after " + WAIT + ", or they have not copied what B held");
                }
                Thread.sleep(50);
            }
        }

        /** The sum of the drill mirrors' lags on B; a lag that is not known counts as 0. */
        private long totalLag(String cluster) throws Exception {
            long sum = 0;
            for (JsonNode m : mirrors(cluster)) {
                for (JsonNode lag : m.get("mirror_lags")) {
                    sum += Math.max(0, lag.get("lag").asLong());
                }
            }
            return sum;
        }

        private static void checkNoErrors(String action, JsonNode answer) {
            for (JsonNode item : answer.get("data")) {
                if (!item.path("error_code").isNull() && !item.path("error_code").isMissingNode()) {
                    throw new IllegalStateException(action + " of " + item.get("mirror_topic_name").asText()
                            + " failed: " + item);
                }
            }
        }

        private JsonNode get(String path) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(service.baseUri() + path)).GET());
        }

        private JsonNode post(String path, String json) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(service.baseUri() + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        private static JsonNode send(HttpRequest.Builder request) throws Exception {
            HttpResponse<String> response = HTTP.send(request.header("Authorization",
                    TestUsers.operatorAuthorization()).timeout(Duration.ofMinutes(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.build().uri() + " -> " + response.statusCode() + " "
                        + response.body());
            }
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        }

        // ---- Kafka ----

        /** Waits until every group has offsets synced to B for every partition. */
        private void awaitSyncedOffsets(List<GroupReader> readers) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (GroupReader r : readers) {
                while (committed(adminB, r.group).size() < topics.size() * PARTITIONS) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The offsets of group " + r.group + " are not synced to B");
                    }
                    Thread.sleep(200);
                }
            }
        }

        /** Waits until every topic on A ends where it ends on B (the load has stopped). */
        private void awaitSameEnds() throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!ends(adminA, topics).equals(ends(adminB, topics))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("A's restored mirrors did not reach B's end offsets");
                }
                Thread.sleep(200);
            }
        }

        /** The recovery topic of {@code topic} on A holds exactly A's records at or past B's stop offsets. */
        private void checkRecoveryTopic(String topic, List<PartitionLog> before, Map<TopicPartition, Long> stops)
                throws Exception {
            List<String> names = adminA.listTopics().names().get(1, TimeUnit.MINUTES).stream()
                    .filter(n -> n.startsWith(topic + ".truncated-")).toList();
            List<List<ConsumerRecord<byte[], byte[]>>> expected = new ArrayList<>();
            long count = 0;
            for (PartitionLog log : before) {
                long stop = stops.get(new TopicPartition(topic, log.partition()));
                List<ConsumerRecord<byte[], byte[]>> past = log.records().stream().filter(r -> r.offset() >= stop)
                        .toList();
                expected.add(past);
                count += past.size();
            }
            if (count == 0) {
                if (!names.isEmpty()) {
                    throw new IllegalStateException("A recovery topic for " + topic + " that diverged not at all: "
                            + names);
                }
                return;
            }
            if (names.size() != 1) {
                throw new IllegalStateException("Recovery topics of " + topic + ": " + names);
            }
            List<PartitionLog> recovered = KafkaClusters.readLogs(a, names.get(0), IsolationLevel.READ_COMMITTED,
                    READ);
            for (int p = 0; p < expected.size(); p++) {
                List<ConsumerRecord<byte[], byte[]>> want = expected.get(p);
                List<ConsumerRecord<byte[], byte[]>> got = recovered.get(p).records();
                if (want.size() != got.size()) {
                    throw new IllegalStateException(names.get(0) + " partition " + p + " holds " + got.size()
                            + " records, A had " + want.size() + " past the stop offset");
                }
                for (int i = 0; i < want.size(); i++) {
                    ConsumerRecord<byte[], byte[]> w = want.get(i);
                    ConsumerRecord<byte[], byte[]> g = got.get(i);
                    if (!Arrays.equals(w.key(), g.key()) || !Arrays.equals(w.value(), g.value())
                            || w.timestamp() != g.timestamp()
                            || !Arrays.equals(w.headers().toArray(), g.headers().toArray())) {
                        throw new IllegalStateException(names.get(0) + " partition " + p + " record " + i
                                + " is not A's record at offset " + w.offset());
                    }
                }
            }
        }

        private static Map<TopicPartition, Long> ends(Admin admin, List<String> topics) throws Exception {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (String t : topics) {
                for (int p = 0; p < PARTITIONS; p++) {
                    request.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request).all().get(1, TimeUnit.MINUTES).forEach((tp, info) -> ends.put(tp,
                    info.offset()));
            return ends;
        }

        private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) throws Exception {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(
                    Map.of(group, new ListConsumerGroupOffsetsSpec())).partitionsToOffsetAndMetadata(group)
                    .get(1, TimeUnit.MINUTES));
            offsets.values().removeIf(o -> o == null);
            return offsets;
        }

        private static KafkaProducer<byte[], byte[]> producer(LocalKafkaCluster cluster) {
            return KafkaClusters.producer(cluster, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A record the producer had acknowledged: where it landed, and when the acknowledgement came. */
    private record Ack(String cluster, String topic, int partition, long offset, long ackedAt) {
    }

    private static long sequence(ConsumerRecord<byte[], byte[]> record) {
        return Long.parseLong(new String(record.key(), StandardCharsets.UTF_8));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * The steady load: {@link #RATE} records per second, spread round robin over every partition, each
     * with its own sequence number as its key and in a header; moved from A to B by the drill.
     */
    private static final class Load implements Runnable {
        private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        private final List<String> topics;
        private final Thread thread = new Thread(this, "drill-producer");
        private final AtomicLong sent = new AtomicLong();
        private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private KafkaProducer<byte[], byte[]> producer;
        private String cluster;
        private volatile boolean running = true;

        Load(List<String> topics, KafkaProducer<byte[], byte[]> producer, String cluster) {
            this.topics = topics;
            this.producer = producer;
            this.cluster = cluster;
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            long perTick = Math.max(1, RATE / 100);
            long next = System.nanoTime();
            byte[] padding = new byte[VALUE_BYTES];
            Arrays.fill(padding, (byte) 'x');
            while (running) {
                synchronized (this) {
                    for (int i = 0; i < perTick; i++) {
                        long seq = sent.getAndIncrement();
                        String topic = topics.get((int) (seq % topics.size()));
                        int partition = (int) (seq / topics.size() % PARTITIONS);
                        byte[] key = Long.toString(seq).getBytes(StandardCharsets.UTF_8);
                        List<Header> headers = List.of(new RecordHeader("drill-seq", key));
                        String to = cluster;
                        producer.send(new ProducerRecord<>(topic, partition, System.currentTimeMillis(), key,
                                padding, headers), (metadata, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    } else {
                                        acks.add(new Ack(to, metadata.topic(), metadata.partition(),
                                                metadata.offset(), System.nanoTime()));
                                    }
                                });
                    }
                }
                next += TICK_NANOS;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        /** The application moves: what it sent to the old cluster is acknowledged, then it writes to the new one. */
        synchronized void moveTo(KafkaProducer<byte[], byte[]> newProducer, String newCluster) {
            KafkaProducer<byte[], byte[]> old = producer;
            old.flush();
            old.close();
            producer = newProducer;
            cluster = newCluster;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
            synchronized (this) {
                producer.flush();
                producer.close();
            }
        }
    }

    /**
     * One consumer group (one consumer reading every topic), committing after every poll; it records
     * every sequence number it reads and how many it read twice. Moved to B by the drill; its
     * consumer is only touched by its own thread.
     */
    private static final class GroupReader implements Runnable {
        private final String group;
        private final List<String> topics;
        private final Thread thread;
        private final Set<Long> seen = new HashSet<>();
        private long duplicates;
        /** The cluster it reads first (A). */
        private final String home;
        private volatile String bootstrap;
        private volatile boolean running = true;
        /** When it read its first records on B. */
        private volatile long firstOnB;
        private volatile String movingTo;

        GroupReader(String group, List<String> topics, String bootstrap) {
            this.group = group;
            this.topics = topics;
            this.home = bootstrap;
            this.bootstrap = bootstrap;
            this.thread = new Thread(this, "drill-" + group);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            while (running) {
                String current = bootstrap;
                try (KafkaConsumer<byte[], byte[]> consumer = consumer(current)) {
                    consumer.subscribe(topics);
                    while (running && movingTo == null) {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                        if (records.isEmpty()) {
                            continue;
                        }
                        if (firstOnB == 0 && !current.equals(home)) {
                            firstOnB = System.nanoTime();
                        }
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            if (!seen.add(sequence(r))) {
                                duplicates++;
                            }
                        }
                        consumer.commitSync();
                    }
                }
                if (movingTo != null) {
                    bootstrap = movingTo;
                    movingTo = null;
                }
            }
        }

        private KafkaConsumer<byte[], byte[]> consumer(String servers) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
            return new KafkaConsumer<>(props);
        }

        /** The group leaves A and reads on B, from the offsets it has there. */
        void moveTo(String servers) {
            movingTo = servers;
        }

        void awaitReadingOnB(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (firstOnB == 0) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new IllegalStateException("Group " + group + " does not read on B");
                }
                Thread.sleep(5);
            }
        }

        /** Waits until the group has committed B's end offsets of every partition. */
        void awaitCaughtUp(Admin adminB, List<String> topics, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, Long> ends = Drill.ends(adminB, topics);
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = Drill.committed(adminB, group);
                boolean done = ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue());
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new IllegalStateException("Group " + group + " did not read B to its end");
                }
                Thread.sleep(200);
            }
        }

        void stop() {
            running = false;
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
