package io.clusterlink.service;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.clusterId;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ScrapedMetrics;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The metrics at /q/metrics for real mirrors and links: records lag and time lag per partition
 * (growing while paused, back to 0 after resume), copied records and bytes, mirrors by state, link
 * availability and state; restarts and fence waits after the destination refused writes; link
 * task runs, errors and durations; API requests by path template.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ALL_ACLS = "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\","
            + "\"patternType\":\"any\"},\"accessFilter\":{\"operation\":\"any\",\"permissionType\":\"any\"}}]}";
    private final KafkaClusters kafka = KafkaClusters.get();
    private final List<String> links = new ArrayList<>();

    @Inject
    MirrorMetrics metrics;

    @AfterEach
    void deleteLinks() {
        links.forEach(l -> given().delete("/links/" + l + "?force=true"));
    }

    @Test
    void lagsGrowWhilePausedAndReturnToZeroAfterResume() throws Exception {
        String topic = uniqueName("metrics");
        String link = link(Map.of());
        long base = System.currentTimeMillis() - 3_600_000;
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        // 100 records per partition, timestamps base .. base + 99
        long bytes = produce(topic, 0, 100, base) + produce(topic, 1, 100, base);
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        Map<String, String> p0 = Map.of("link", link, "mirror_topic", topic, "partition", "0");
        Map<String, String> p1 = Map.of("link", link, "mirror_topic", topic, "partition", "1");
        Map<String, String> ofMirror = Map.of("link", link, "mirror_topic", topic);
        Map<String, String> ofLink = Map.of("link", link);

        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 0);
        ScrapedMetrics m = ScrapedMetrics.scrape();
        assertThat(m.value("clusterlink_mirror_partition_lag_records", p1)).isZero();
        assertThat(m.value("clusterlink_mirror_partition_time_lag_ms", p0)).isZero();
        assertThat(m.value("clusterlink_mirror_records_copied_total", ofMirror)).isEqualTo(200);
        assertThat(m.value("clusterlink_mirror_copied_bytes_total", ofMirror)).as("bytes of keys and values")
                .isEqualTo(bytes);
        assertThat(m.value("clusterlink_mirrors", Map.of("link", link, "state", "ACTIVE"))).isEqualTo(1);
        assertThat(m.value("clusterlink_mirrors", Map.of("link", link, "state", "PAUSED"))).isZero();
        assertThat(m.value("clusterlink_link_available", ofLink)).isEqualTo(1);
        assertThat(m.value("clusterlink_link_state", Map.of("link", link, "state", "ACTIVE"))).isEqualTo(1);
        assertThat(m.all("clusterlink_mirror_restarts_total", ofMirror)).extracting(s -> s.labels().get("cause"))
                .containsExactlyInAnyOrder(Arrays.stream(RestartCause.values()).map(RestartCause::label)
                        .toArray(String[]::new));
        assertThat(m.all("clusterlink_mirror_fence_waits_total", ofMirror)).extracting(s -> s.labels().get("reason"))
                .containsExactlyInAnyOrder("start", "takeover");
        assertThat(m.value("clusterlink_mirror_fence_waits_total", Map.of("link", link, "mirror_topic", topic,
                "reason", "start"))).as("a new mirror's partitions were never written: no fence").isZero();
        // (an ACTIVE mirror shows Confluent's mirror_lags, without the fields of long work)
        assertThat(mirror(link, topic).getMap("mirror_lags[0]")).containsOnlyKeys("partition", "lag",
                "last_source_fetch_offset");

        // Paused: 50 records on partition 0, a minute newer than the mirror's newest
        action(link, "pause", topic);
        awaitStatus(link, topic, "PAUSED");
        bytes += produce(topic, 0, 50, base + 60_000);

        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 50);
        awaitMetric("clusterlink_mirror_partition_time_lag_ms", p0, 60_049 - 99);
        m = ScrapedMetrics.scrape();
        assertThat(m.value("clusterlink_mirror_partition_lag_records", p1)).isZero();
        assertThat(m.value("clusterlink_mirror_partition_time_lag_ms", p1)).isZero();
        assertThat(m.value("clusterlink_mirrors", Map.of("link", link, "state", "PAUSED"))).isEqualTo(1);
        assertThat(m.value("clusterlink_mirrors", Map.of("link", link, "state", "ACTIVE"))).isZero();

        action(link, "resume", topic);
        awaitCaughtUp(link, topic);
        awaitMetric("clusterlink_mirror_partition_lag_records", p0, 0);
        awaitMetric("clusterlink_mirror_partition_time_lag_ms", p0, 0);
        awaitMetric("clusterlink_mirror_records_copied_total", ofMirror, 250);
        assertThat(ScrapedMetrics.scrape().value("clusterlink_mirror_copied_bytes_total", ofMirror)).isEqualTo(bytes);
        MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT);
    }

    @Test
    void writesTheDestinationRefusedAreCountedAsRestartsAndTheNextStartsWaitOutTheFence() throws Exception {
        // Given a caught-up mirror of 20 records
        String topic = uniqueName("refused");
        String link = link(Map.of());
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        long bytes = produce(topic, 0, 20, System.currentTimeMillis());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        Map<String, String> writeFailed = Map.of("link", link, "mirror_topic", topic, "cause", "write_failed");
        Map<String, String> startFence = Map.of("link", link, "mirror_topic", topic, "reason", "start");
        awaitMetric("clusterlink_mirror_restarts_total", writeFailed, 0);
        assertThat(ScrapedMetrics.scrape().value("clusterlink_mirror_fence_waits_total", startFence)).isZero();

        // When the destination refuses records older than a minute, and ten of them come
        setMirrorConfig(topic, "message.timestamp.before.max.ms", "60000");
        bytes += produce(topic, 0, 10, System.currentTimeMillis() - 3_600_000);

        // Then each refused attempt is a restart, and each next start waits out the fence
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ScrapedMetrics m = ScrapedMetrics.scrape();
            assertThat(m.value("clusterlink_mirror_restarts_total", writeFailed)).isGreaterThanOrEqualTo(2);
            assertThat(m.value("clusterlink_mirror_fence_waits_total", startFence)).isGreaterThanOrEqualTo(2);
        });
        assertThat(mirror(link, topic).getString("mirror_status_message"))
                .contains("The destination refuses writes to partition 0 of the mirror");

        // When it takes them again, the mirror catches up: every record counted once, none lost
        setMirrorConfig(topic, "message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE));
        awaitCaughtUp(link, topic);
        Map<String, String> ofMirror = Map.of("link", link, "mirror_topic", topic);
        awaitMetric("clusterlink_mirror_records_copied_total", ofMirror, 30);
        assertThat(ScrapedMetrics.scrape().value("clusterlink_mirror_copied_bytes_total", ofMirror)).isEqualTo(bytes);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(30);
    }

    @Test
    void linkTaskRunsErrorsAndDurationsAreCountedPerLinkAndTaskAndGoWithTheLink() {
        // Given a link whose principal may not describe the source's ACLs, with ACL sync every second
        Map<String, Object> sasl = kafka.source().saslClientProperties(KafkaClusters.TEST_USER);
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("acl.sync.enable", "true");
        configs.put("acl.filters", ALL_ACLS);
        configs.put("acl.sync.ms", "1000");
        configs.put("security.protocol", "SASL_PLAINTEXT");
        configs.put("sasl.mechanism", "PLAIN");
        configs.put("sasl.jaas.config", (String) sasl.get("sasl.jaas.config"));
        String link = uniqueName("link");
        createLink(link, (String) sasl.get("bootstrap.servers"), configs);
        links.add(link);
        Map<String, String> aclSync = Map.of("link", link, "task", "AclSync");
        Map<String, String> availability = Map.of("link", link, "task", "AvailabilityCheck");

        // When its tasks have run a few times
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> ScrapedMetrics.scrape()
                .value("clusterlink_link_task_duration_seconds_count", aclSync) >= 3);

        // Then every ACL sync run met an error, the availability checks none; each run is in the histogram
        ScrapedMetrics m = ScrapedMetrics.scrape();
        double runs = m.value("clusterlink_link_task_duration_seconds_count", aclSync);
        assertThat(m.value("clusterlink_link_task_errors_total", aclSync)).as("a run may end between the two reads")
                .isBetween(runs - 1, runs);
        assertThat(m.value("clusterlink_link_task_duration_seconds_bucket", with(aclSync, "le", "+Inf")))
                .isEqualTo(runs);
        assertThat(m.value("clusterlink_link_task_duration_seconds_sum", aclSync)).isPositive();
        assertThat(m.value("clusterlink_link_task_duration_seconds_count", availability)).isGreaterThanOrEqualTo(1);
        assertThat(m.value("clusterlink_link_task_errors_total", availability)).isZero();
        assertThat(m.all("clusterlink_link_task_duration_seconds_count", Map.of("link", link)))
                .allSatisfy(s -> assertThat(s.labels()).containsEntry("cluster", clusterId()));
        assertThat(given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract().jsonPath()
                .getString("tasks.find { it.task_name == 'AclSync' }.state")).isEqualTo("IN_ERROR");

        // When the link is deleted, its series go with it
        given().delete("/links/{link}", link).then().statusCode(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> ScrapedMetrics.scrape()
                .all("clusterlink_link_task_duration_seconds_count", Map.of("link", link)).isEmpty());
        assertThat(ScrapedMetrics.scrape().all("clusterlink_link_task_errors_total", Map.of("link", link))).isEmpty();
    }

    @Test
    void apiRequestsAreCountedByPathTemplateNeverByTheNamesInThePath() throws IOException {
        // Given a link with a name of its own
        String link = link(Map.of());

        // When it is read, a mirror of it that does not exist is asked for, requests are refused
        // (no credentials, not the role), and paths that are no API are asked for
        given().get("/kafka/v3/clusters/{c}/links/{link}", clusterId(), link).then().statusCode(200);
        given().get("/kafka/v3/clusters/{c}/links/{link}/mirrors/{topic}", clusterId(), link, "no-such-mirror")
                .then().statusCode(404);
        given().auth().none().get("/links/{link}", link).then().statusCode(401);
        given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).contentType(ContentType.JSON)
                .body(Map.of("source_topic_name", "t")).post("/links/{link}/mirrors", link).then().statusCode(403);
        given().get("/kafka/v3/clusters/{c}/links/{link}/no-such-thing/x", clusterId(), link).then().statusCode(404);
        given().get("/no-such-path/{link}", link).then().statusCode(404);
        // ... and requests that fail before any route (a bad percent-escape, a method no route has)
        assertThat(rawStatus("GET", "/links/" + link + "%zz")).isEqualTo(400);
        assertThat(rawStatus("GET", "/kafka/v3/clusters/" + clusterId() + "/links/" + link + "%C3%28")).isEqualTo(400);
        assertThat(rawStatus("PATCH", "/links/" + link)).isEqualTo(405);

        // Then the requests are counted under their path templates, and no series names the link
        ScrapedMetrics m = ScrapedMetrics.scrape();
        assertThat(m.value("http_server_requests_seconds_count", Map.of("method", "GET", "status", "200",
                "uri", "/kafka/v3/clusters/{cluster_id}/links/{link_name}"))).isGreaterThanOrEqualTo(1);
        assertThat(m.value("http_server_requests_seconds_count", Map.of("method", "GET", "status", "404",
                "uri", "/kafka/v3/clusters/{cluster_id}/links/{link_name}/mirrors/{mirror_topic_name}")))
                .isGreaterThanOrEqualTo(1);
        assertThat(m.value("http_server_requests_seconds_count", Map.of("method", "GET", "status", "400",
                "uri", "UNKNOWN"))).as("refused before any route: counted, under no path").isGreaterThanOrEqualTo(1);
        assertThat(m.all("http_server_requests_seconds_count", Map.of()))
                .noneMatch(s -> s.labels().getOrDefault("uri", "").contains(link)
                        || s.labels().getOrDefault("uri", "").contains("no-such-mirror"))
                .as("scrapes of /q/metrics are not counted")
                .noneMatch(s -> s.labels().getOrDefault("uri", "").startsWith("/q/"));
    }

    // ---- helpers ----

    /**
     * The status of a request sent as written, over a socket (REST Assured refuses a bad
     * percent-escape before sending), with the operator's credentials.
     */
    private static int rawStatus(String method, String target) throws IOException {
        String authorization = Base64.getEncoder().encodeToString(
                (TestUsers.OPERATOR + ":" + TestUsers.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic "
                + authorization + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private String link(Map<String, String> configs) {
        String link = uniqueName("link");
        createLink(link, kafka.source().bootstrapServers(), configs);
        links.add(link);
        return link;
    }

    private void awaitMetric(String name, Map<String, String> labels, double value) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            metrics.refresh();
            assertThat(ScrapedMetrics.scrape().value(name, labels)).as(name + labels).isEqualTo(value);
        });
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> all = new HashMap<>(labels);
        all.put(name, value);
        return all;
    }

    /** Produces {@code count} records k0.., v0.. to one partition; returns the bytes of their keys and values. */
    private long produce(String topic, int partition, int count, long firstTimestamp) throws Exception {
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                byte[] key = bytes("k" + i);
                byte[] value = bytes("v" + i);
                producer.send(new ProducerRecord<>(topic, partition, firstTimestamp + i, key, value)).get();
                bytes += key.length + value.length;
            }
        }
        return bytes;
    }

    private void setMirrorConfig(String topic, String name, String value) throws Exception {
        kafka.destinationAdmin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all()
                .get(30, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
