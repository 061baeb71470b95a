package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import io.clusterlink.store.embedded.EmbeddedPostgresServer;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.SteadyLoad;
import io.clusterlink.testing.TempDirectories;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Several packaged service processes on one PostgreSQL share the work: each mirror partition has
 * one writer at a time, also while instances are killed, restarted one by one, or added; every
 * mirror stays identical to its source, record by record.
 */
class FleetIT {

    private static final int PARTITIONS = 12;
    private static final int RATE = 400;
    private static final Duration TAKEOVER = Duration.ofSeconds(30);
    private static EmbeddedPostgresServer postgres;
    private static String jdbcUrl;

    private final KafkaClusters kafka = KafkaClusters.get();
    private final String link = KafkaClusters.uniqueName("fleet-link");
    private final List<ServiceProcess> started = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws Exception {
        postgres = EmbeddedPostgresServer.startEphemeral(0);
        postgres.createDatabaseIfMissing("clusterlink");
        jdbcUrl = postgres.jdbcUrl("clusterlink");
    }

    @AfterAll
    static void stopDatabase() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    @AfterEach
    void stopInstances(TestInfo test) throws Exception {
        Path logs = Path.of("target", "fleet-logs", test.getTestMethod().orElseThrow().getName());
        Files.createDirectories(logs);
        // The database outlives the test: its link goes, so later tests' instances have only their own work.
        started.stream().filter(ServiceProcess::alive).findFirst().ifPresent(s -> RestAssured.given()
                .queryParam("force", true).delete(s.baseUri() + "/links/" + link));
        for (ServiceProcess s : started) {
            s.stop();
            for (Path log : s.logs()) {
                Files.copy(log, logs.resolve(s.port() + "-" + log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        RestAssured.reset();
        for (Path dir : directories) {
            TempDirectories.deleteRecursively(dir);
        }
    }

    @Test
    void twoInstancesSideBySideForAMinuteUnderLoadKeepTheMirrorActiveAndIdentical() throws Exception {
        // Given two instances on one database and a mirror of a topic under load
        ServiceProcess a = instance("side-a", Map.of()).start();
        ServiceProcess b = instance("side-b", Map.of()).start();
        String topic = mirrorUnderLoad(a);
        try (SteadyLoad load = SteadyLoad.start(kafka.source(), topic, RATE)) {
            awaitSpread(b, topic, List.of("side-a", "side-b"));

            // When both run side by side for a minute
            await().during(Duration.ofSeconds(60)).atMost(Duration.ofSeconds(80)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> "ACTIVE".equals(status(a, topic)) && "ACTIVE".equals(status(b, topic)));
            load.close();

            // Then the mirror is identical, and either instance shows it caught up
            assertCaughtUpAndIdentical(topic, load.acknowledged(), a, b);
        }
    }

    @Test
    void killingTheOwnerOfPartitionsUnderLoadMovesThemWithNothingLostOrDuplicated() throws Exception {
        // Given two instances sharing a mirror under load
        ServiceProcess a = instance("kill-a", Map.of()).start();
        ServiceProcess b = instance("kill-b", Map.of()).start();
        String topic = mirrorUnderLoad(a);
        try (SteadyLoad load = SteadyLoad.start(kafka.source(), topic, RATE)) {
            awaitSpread(a, topic, List.of("kill-a", "kill-b"));

            for (ServiceProcess[] pair : new ServiceProcess[][] { { a, b }, { b, a } }) {
                ServiceProcess victim = pair[0];
                ServiceProcess survivor = pair[1];
                String victimId = victim == a ? "kill-a" : "kill-b";
                Set<Integer> victims = new HashSet<>();
                owners(survivor, topic).forEach((p, owner) -> {
                    if (owner.equals(victimId)) {
                        victims.add(p);
                    }
                });
                assertThat(victims).as("partitions of %s", victimId).isNotEmpty();

                // When the owner of those partitions is killed with SIGKILL
                victim.kill();
                Map<TopicPartition, Long> sourceAtKill = KafkaClusters.endOffsets(kafka.source(), topic);

                // Then the other instance continues them within 30 s
                await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<TopicPartition, Long> mirror = KafkaClusters.endOffsets(kafka.destination(), topic);
                    return victims.stream().allMatch(p -> mirror.get(new TopicPartition(topic, p)) > sourceAtKill
                            .get(new TopicPartition(topic, p)));
                });
                assertThat(owners(survivor, topic).keySet()).hasSize(PARTITIONS);

                // and the restarted instance takes its share again
                victim.start();
                awaitSpread(survivor, topic, List.of("kill-a", "kill-b"));
            }
            load.close();
            assertCaughtUpAndIdentical(topic, load.acknowledged(), a, b);
        }
    }

    @Test
    void aRollingRestartAndAThirdInstanceUnderLoadKeepTheMirrorIdenticalAndSpreadTheWork() throws Exception {
        // Given two instances sharing a mirror under load
        ServiceProcess a = instance("roll-a", Map.of()).start();
        ServiceProcess b = instance("roll-b", Map.of()).start();
        String topic = mirrorUnderLoad(a);
        try (SteadyLoad load = SteadyLoad.start(kafka.source(), topic, RATE)) {
            awaitSpread(a, topic, List.of("roll-a", "roll-b"));

            // When each instance is stopped and started again in turn, then a third one joins
            a.stop();
            a.start();
            awaitSpread(b, topic, List.of("roll-a", "roll-b"));
            b.stop();
            b.start();
            awaitSpread(a, topic, List.of("roll-a", "roll-b"));
            ServiceProcess c = instance("roll-c", Map.of()).start();

            // Then the partitions spread over all three, each with its share
            awaitSpread(c, topic, List.of("roll-a", "roll-b", "roll-c"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<String, Integer> shares = new HashMap<>();
                owners(b, topic).values().forEach(owner -> shares.merge(owner, 1, Integer::sum));
                assertThat(shares).containsOnlyKeys("roll-a", "roll-b", "roll-c");
                assertThat(shares.values()).containsOnly(PARTITIONS / 3);
            });
            load.close();
            assertCaughtUpAndIdentical(topic, load.acknowledged(), a, b, c);
        }
    }

    @Test
    void aLinksSyncTasksRunOnOneInstanceOnly() throws Exception {
        // Given two instances with a destination they may change ACLs on
        Map<String, String> destination = new HashMap<>(new KafkaClustersResource().start());
        ServiceProcess a = instance("sync-a", destination).start();
        ServiceProcess b = instance("sync-b", destination).start();
        String prefix = KafkaClusters.uniqueName("auto") + "-";
        String principal = "User:" + KafkaClusters.uniqueName("fleet-reader");
        List<AclBinding> acls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, prefix + "acl-" + i, PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW)));
        }
        kafka.sourceAdmin().createAcls(acls).all().get();
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            topics.add(prefix + i);
            KafkaClusters.createTopic(kafka.source(), prefix + i, 1, Map.of());
        }
        String aclFilter = "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":\"any\"},"
                + "\"accessFilter\":{\"principal\":\"" + principal + "\",\"operation\":\"any\","
                + "\"permissionType\":\"any\"}}]}";
        String topicFilter = "{\"topicFilters\":[{\"name\":\"" + prefix + "\",\"patternType\":\"PREFIXED\","
                + "\"filterType\":\"INCLUDE\"}]}";

        // When a link syncs ACLs and auto-creates mirrors
        use(a);
        RestAssured.given().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("configs", List.of(
                        Map.of("name", "bootstrap.servers", "value", kafka.source().bootstrapServers()),
                        Map.of("name", "acl.sync.enable", "value", "true"),
                        Map.of("name", "acl.sync.ms", "value", "1000"),
                        Map.of("name", "acl.filters", "value", aclFilter),
                        Map.of("name", "auto.create.mirror.topics.enable", "value", "true"),
                        Map.of("name", "auto.create.mirror.topics.filters", "value", topicFilter))))
                .post("/links").then().statusCode(204);
        try {
            // Then the ACLs and mirrors appear, and stay put for a while with both instances running
            Admin destinationAdmin = kafka.destinationAdmin();
            AclBindingFilter byPrincipal = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> destinationAdmin.describeAcls(byPrincipal).values().get().size() == acls.size()
                            && mirrors(b, link).containsAll(topics));
            await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
                    .until(() -> mirrors(a, link).size() == topics.size());

            // each ACL was created by one instance, once; each mirror auto-created once
            assertThat(count(a, b, Pattern.compile("ACL sync of link '" + link + "': created (\\d+)")))
                    .isEqualTo(acls.size());
            assertThat(count(a, b, Pattern.compile("Auto-created a mirror of '" + Pattern.quote(prefix)
                    + "\\d' on link '" + link + "'()"))).isEqualTo(topics.size());
            JsonPath fleet = RestAssured.given().get(b.baseUri() + "/fleet").then().statusCode(200).extract()
                    .jsonPath();
            assertThat(fleet.getList("instances.findAll { it.links.contains('" + link + "') }")).hasSize(1);
        } finally {
            RestAssured.given().queryParam("force", true).delete("/links/" + link).then()
                    .statusCode(anyOf(is(200), is(204)));
        }
    }

    // ---- fixtures ----

    private ServiceProcess instance(String id, Map<String, String> destination) throws IOException {
        Path dir = Files.createTempDirectory("clusterlink-" + id);
        directories.add(dir);
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.datasource.jdbc.url", jdbcUrl);
        props.put("quarkus.datasource.username", EmbeddedPostgresServer.USER);
        props.put("quarkus.datasource.password", postgres.password());
        props.put("clusterlink.secrets.key", "ZmxlZXQtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0xMjM=");
        props.put("clusterlink.fleet.instance-id", id);
        props.put("clusterlink.fleet.session-timeout", "4s");
        props.put("clusterlink.fleet.takeover-wait", "6s");
        props.put("clusterlink.replication.fence-interval", "500ms");
        props.put("clusterlink.default-cluster", "destination");
        props.put("clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers());
        props.putAll(destination);
        ServiceProcess s = new ServiceProcess(dir, props);
        started.add(s);
        return s;
    }

    private static void use(ServiceProcess s) {
        RestAssured.baseURI = s.baseUri();
        RestAssured.port = s.port();
    }

    /** A link and a mirror of a new topic, made through {@code s}. */
    private String mirrorUnderLoad(ServiceProcess s) {
        String topic = KafkaClusters.uniqueName("fleet");
        KafkaClusters.createTopic(kafka.source(), topic, PARTITIONS, Map.of());
        use(s);
        RestAssured.given().contentType(ContentType.JSON).queryParam("link_name", link)
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers",
                        "value", kafka.source().bootstrapServers()))))
                .post("/links").then().statusCode(204);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("source_topic_name", topic))
                .post("/links/" + link + "/mirrors").then().statusCode(204);
        return topic;
    }

    private String status(ServiceProcess s, String topic) {
        return RestAssured.given().get(s.baseUri() + "/links/" + link + "/mirrors/" + topic).then().statusCode(200)
                .extract().jsonPath().getString("mirror_status");
    }

    private static List<String> mirrors(ServiceProcess s, String link) {
        return RestAssured.given().get(s.baseUri() + "/links/" + link + "/mirrors").then().statusCode(200).extract()
                .jsonPath().getList("data.mirror_topic_name", String.class);
    }

    /** Who holds each partition of the mirror, as {@code s} shows the fleet. */
    private static Map<Integer, String> owners(ServiceProcess s, String topic) {
        JsonPath fleet = RestAssured.given().get(s.baseUri() + "/fleet").then().statusCode(200).extract().jsonPath();
        Map<Integer, String> owners = new HashMap<>();
        List<Map<String, Object>> instances = fleet.getList("instances");
        for (Map<String, Object> instance : instances) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> parts = (List<Map<String, Object>>) instance.get("mirror_partitions");
            for (Map<String, Object> p : parts) {
                if (topic.equals(p.get("mirror_topic_name"))) {
                    String previous = owners.put((Integer) p.get("partition"), (String) instance.get("instance_id"));
                    assertThat(previous).as("a second holder of partition %s", p.get("partition")).isNull();
                }
            }
        }
        return owners;
    }

    /** Every partition is held, by exactly the given instances, each with some. */
    private static void awaitSpread(ServiceProcess s, String topic, List<String> instances) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<Integer, String> owners = owners(s, topic);
            return owners.size() == PARTITIONS && new HashSet<>(owners.values()).equals(new HashSet<>(instances));
        });
    }

    private void assertCaughtUpAndIdentical(String topic, long records, ServiceProcess... instances) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> KafkaClusters.endOffsets(kafka.destination(), topic).equals(
                        KafkaClusters.endOffsets(kafka.source(), topic)));
        for (ServiceProcess s : instances) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                JsonPath m = RestAssured.given().get(s.baseUri() + "/links/" + link + "/mirrors/" + topic).then()
                        .statusCode(200).extract().jsonPath();
                return "ACTIVE".equals(m.getString("mirror_status"))
                        && m.getList("mirror_lags.lag", Integer.class).stream().allMatch(l -> l == 0);
            });
        }
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic,
                Duration.ofSeconds(120));
        assertThat(result.recordsCompared()).isEqualTo(records);
        assertThat(result.fillers()).isZero();
    }

    /** The sum of the first group of every match in both instances' logs (1 per match for an empty group). */
    private static long count(ServiceProcess a, ServiceProcess b, Pattern pattern) throws IOException {
        long total = 0;
        for (ServiceProcess s : new ServiceProcess[] { a, b }) {
            for (Path log : s.logs()) {
                Matcher m = pattern.matcher(Files.readString(log));
                while (m.find()) {
                    total += m.group(1).isEmpty() ? 1 : Long.parseLong(m.group(1));
                }
            }
        }
        return total;
    }
}
