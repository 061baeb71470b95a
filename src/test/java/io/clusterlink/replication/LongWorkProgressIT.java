package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.ClusterLinkApi.setLinkConfig;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.service.MirrorMetrics;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.MonitoringFiles;
import io.clusterlink.testing.ScrapedMetrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Long work shows how far it has come, in the mirror view and in the metrics, while it runs: the
 * alignment of a mirror whose source starts at a high offset (offsets filled of the target), and a
 * promote held back by the link's bandwidth bound (records left up to the stop offsets). The
 * dashboard and the alert rules query only metrics the service exports while such work runs.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class LongWorkProgressIT {

    private static final Duration READ = Duration.ofSeconds(120);
    private static final String IO_MAX = "cluster.link.io.max.bytes.per.second";
    private static final Pattern ALIGNING = Pattern.compile(
            "Aligning offsets: (\\d+) of (\\d+) offsets filled \\((\\d+)%\\) in 1 partition\\(s\\)");
    private static final Pattern PROMOTING = Pattern.compile(
            "Promoting: (\\d+) record\\(s\\) left to copy up to the stop offsets");

    private final KafkaClusters kafka = KafkaClusters.get();
    private final List<String> links = new ArrayList<>();

    @Inject
    MirrorMetrics metrics;

    @AfterEach
    void deleteLinks() {
        links.forEach(l -> given().delete("/links/" + l + "?force=true"));
    }

    @Test
    void anAligningMirrorShowsTheOffsetsItFilledOfItsTargetInItsViewAndItsMetrics() throws Exception {
        // Given a source partition whose log starts at offset 30,000,000, with 10 records after it
        long start = 30_000_000;
        String topic = sourceStartingAt(start, 10);
        String link = link(Map.of());

        // When its mirror aligns its offsets
        createMirror(link, topic);

        // Then its view shows the offsets filled of the target, for the partition and in sum
        JsonPath first = awaitAligning(link, topic);
        long filled = first.getLong("mirror_lags[0].alignment_filled_offsets");
        assertThat(first.getString("mirror_status")).isEqualTo("PENDING_MIRROR");
        assertThat(first.getLong("mirror_lags[0].alignment_target_offset")).isEqualTo(start);
        assertThat(filled).isBetween(0L, start - 1);
        Matcher message = ALIGNING.matcher(first.getString("mirror_status_message"));
        assertThat(message.matches()).as(first.getString("mirror_status_message")).isTrue();
        assertThat(Long.parseLong(message.group(2))).isEqualTo(start);
        assertThat(Long.parseLong(message.group(1))).isEqualTo(filled);
        // ... growing as the alignment goes on
        await().atMost(READ).pollInterval(Duration.ofMillis(100)).until(() -> {
            Number now = mirror(link, topic).get("mirror_lags[0].alignment_filled_offsets");
            assertThat(now).as("still aligning").isNotNull();
            return now.longValue() > filled;
        });
        // ... and so do the metrics of the partition
        Map<String, String> p0 = Map.of("link", link, "mirror_topic", topic, "partition", "0");
        AtomicReference<Double> seen = new AtomicReference<>();
        await().atMost(READ).pollInterval(Duration.ofMillis(100)).until(() -> {
            metrics.refresh();
            ScrapedMetrics m = ScrapedMetrics.scrape();
            double target = m.value("clusterlink_mirror_partition_alignment_target_offset", p0);
            double now = m.value("clusterlink_mirror_partition_alignment_filled_offsets", p0);
            if (seen.get() == null && !Double.isNaN(now)) {
                seen.set(now);
            } else if (seen.get() != null) {
                assertThat(now).as("still aligning").isNotNaN();
            }
            assertThat(target).isIn(Double.NaN, (double) start);
            return seen.get() != null && now > seen.get();
        });
        assertThat(seen.get()).isBetween(0.0, start - 1.0);

        // Then, aligned, the mirror is ACTIVE and identical to its source, and the progress is gone
        awaitCaughtUp(link, topic);
        JsonPath done = mirror(link, topic);
        assertThat(done.getMap("mirror_lags[0]")).doesNotContainKeys("alignment_filled_offsets",
                "alignment_target_offset", "stop_offset");
        assertThat(done.getString("mirror_status_message")).isNull();
        metrics.refresh();
        assertThat(ScrapedMetrics.scrape().all("clusterlink_mirror_partition_alignment_filled_offsets",
                Map.of("link", link))).isEmpty();
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(10);
        assertThat(KafkaClusters.startOffsets(kafka.destination(), topic))
                .containsEntry(new TopicPartition(topic, 0), start);
    }

    @Test
    void aPromoteShowsTheRecordsItStillHasToCopyUpToItsStopOffsets() throws Exception {
        // Given a link bound to 100 KB/s, and 2 MB on a source topic of two partitions
        String topic = uniqueName("promoting");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 1_000, 1_000);
        String link = link(Map.of(IO_MAX, "102400"));
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");

        // When the mirror is promoted far behind its source
        JsonPath promoted = action(link, "promote", topic);

        // Then the answer shows each partition's stop offset and what is left up to it
        assertThat(promoted.getString("data[0].error_code")).isNull();
        assertThat(promoted.getList("data[0].mirror_lags.stop_offset", Long.class)).containsExactly(1_000L, 1_000L);
        assertThat(promoted.getList("data[0].mirror_lags.lag", Long.class)).anyMatch(lag -> lag > 0);
        // ... so do the view and its message
        JsonPath view = mirror(link, topic);
        assertThat(view.getString("mirror_status")).isEqualTo("PENDING_STOPPED");
        assertThat(view.getList("mirror_lags.stop_offset", Long.class)).containsExactly(1_000L, 1_000L);
        long left = view.getList("mirror_lags.lag", Long.class).stream().mapToLong(Long::longValue).sum();
        Matcher message = PROMOTING.matcher(view.getString("mirror_status_message"));
        assertThat(message.matches()).as(view.getString("mirror_status_message")).isTrue();
        assertThat(Long.parseLong(message.group(1))).isEqualTo(left).isBetween(1L, 2_000L);
        // ... and the metrics, per partition, falling as the promote copies
        AtomicReference<Double> first = new AtomicReference<>();
        await().atMost(READ).pollInterval(Duration.ofMillis(200)).until(() -> {
            metrics.refresh();
            double remaining = remaining(link, topic);
            if (first.get() == null && remaining > 0) {
                first.set(remaining);
            }
            return first.get() != null && remaining > 0 && remaining < first.get();
        });
        assertThat(first.get()).isBetween(1.0, 2_000.0);

        // When the bound is lifted, the promote completes at its stop offsets, and its progress is gone
        setLinkConfig(link, IO_MAX, Long.toString(Long.MAX_VALUE));
        awaitStatus(link, topic, "STOPPED");
        JsonPath stopped = mirror(link, topic);
        assertThat(stopped.getMap("mirror_lags[0]")).doesNotContainKey("stop_offset");
        metrics.refresh();
        assertThat(remaining(link, topic)).isNaN();
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(2_000);
    }

    @Test
    void everyQueryOfTheDashboardAndTheAlertRulesNamesAMetricTheServiceExports() throws Exception {
        // Given the metric names the dashboard's queries (panels and variables) and the alert rules read
        Map<String, Set<String>> wanted = new HashMap<>();
        MonitoringFiles.dashboardQueries().forEach((where, query) -> MonitoringFiles.metricNames(where, query)
                .forEach(name -> wanted.computeIfAbsent(name, n -> new TreeSet<>()).add("dashboard " + where)));
        MonitoringFiles.alertExpressions().forEach((alert, expr) -> io.clusterlink.testing.PromQlNames.of(expr)
                .forEach(name -> wanted.computeIfAbsent(name, n -> new TreeSet<>()).add("alert " + alert)));
        assertThat(wanted).containsKeys("clusterlink_mirror_partition_lag_records",
                "clusterlink_mirror_partition_time_lag_ms", "clusterlink_mirror_copied_bytes_total",
                "clusterlink_mirror_partition_alignment_filled_offsets",
                "clusterlink_mirror_partition_promote_remaining_records", "clusterlink_link_task_errors_total");

        // When a mirror aligns, another one is promoted slowly, and the API is used
        String aligning = sourceStartingAt(20_000_000, 5);
        String plain = link(Map.of());
        createMirror(plain, aligning);
        String promoting = uniqueName("promoting");
        KafkaClusters.createTopic(kafka.source(), promoting, 1, Map.of());
        produce(promoting, 2_000, 1_000);
        String throttled = link(Map.of(IO_MAX, "102400"));
        createMirror(throttled, promoting);
        awaitStatus(throttled, promoting, "ACTIVE");
        action(throttled, "promote", promoting);
        given().get("/links/{link}", plain).then().statusCode(200);

        // Then every name is exported while they run (series of progress exist only during the work)
        Set<String> exported = new TreeSet<>();
        await().atMost(READ).pollInterval(Duration.ofMillis(200)).until(() -> {
            metrics.refresh();
            exported.addAll(ScrapedMetrics.scrape().names());
            return exported.containsAll(wanted.keySet());
        });
        Map<String, Set<String>> missing = new HashMap<>(wanted);
        missing.keySet().removeAll(exported);
        assertThat(missing).as("metrics queried but not exported").isEmpty();
        setLinkConfig(throttled, IO_MAX, Long.toString(Long.MAX_VALUE));
        awaitStatus(throttled, promoting, "STOPPED");
        awaitCaughtUp(plain, aligning);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), promoting, kafka.destination(), promoting, READ)
                .recordsCompared()).isEqualTo(2_000);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), aligning, kafka.destination(), aligning, READ)
                .recordsCompared()).isEqualTo(5);
    }

    // ---- helpers ----

    private String link(Map<String, String> configs) {
        String link = uniqueName("link");
        createLink(link, kafka.source().bootstrapServers(), configs);
        links.add(link);
        return link;
    }

    /** A one-partition source topic whose log starts at {@code start}, with {@code records} records after it. */
    private String sourceStartingAt(long start, int records) throws Exception {
        String topic = uniqueName("aligning");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (RawFiller filler = new RawFiller(new HashMap<>(kafka.source().clientProperties()), 10 * 1024 * 1024,
                Duration.ofSeconds(30))) {
            filler.fill(tp, start, () -> false, n -> {});
        }
        kafka.sourceAdmin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(start))).all()
                .get(30, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis(), bytes("k" + i),
                        bytes("v" + i))).get();
            }
        }
        return topic;
    }

    /** The mirror's view once it shows an alignment in progress on its one partition. */
    private static JsonPath awaitAligning(String link, String topic) {
        AtomicReference<JsonPath> view = new AtomicReference<>();
        await().atMost(READ).pollInterval(Duration.ofMillis(50)).until(() -> {
            view.set(mirror(link, topic));
            return view.get().get("mirror_lags[0].alignment_target_offset") != null;
        });
        return view.get();
    }

    /** Records left to the stop offsets, all partitions, as the metrics say; NaN without series. */
    private static double remaining(String link, String topic) {
        List<ScrapedMetrics.Sample> samples = ScrapedMetrics.scrape().all(
                "clusterlink_mirror_partition_promote_remaining_records", Map.of("link", link, "mirror_topic", topic));
        return samples.isEmpty() ? Double.NaN : samples.stream().mapToDouble(ScrapedMetrics.Sample::value).sum();
    }

    /** {@code perPartition} records with values of {@code valueBytes} bytes on each partition of the topic. */
    private void produce(String topic, int perPartition, int valueBytes) throws Exception {
        byte[] value = new byte[valueBytes];
        java.util.Arrays.fill(value, (byte) 'x');
        int partitions = KafkaClusters.endOffsets(kafka.source(), topic).size();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, System.currentTimeMillis(), bytes("k" + i), value));
                }
            }
            producer.flush();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
