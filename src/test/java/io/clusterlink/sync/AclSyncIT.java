package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.clusterId;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.agroal.api.AgroalDataSource;
import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * acl.sync.enable with acl.filters: source ACLs reach the destination, and only the ones a link
 * created are ever deleted again. Every test uses its own principals and deletes its link at the
 * end, so a match-everything link does not outlive its test.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class AclSyncIT {

    /** The match-everything filter of the seed walkthroughs, verbatim. */
    private static final String ALL_ACLS = "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\","
            + "\"patternType\":\"any\"},\"accessFilter\":{\"operation\":\"any\",\"permissionType\":\"any\"}}]}";
    private static final Duration SYNCED = Duration.ofSeconds(20);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusters kafka = KafkaClusters.get();

    @Inject
    AgroalDataSource dataSource;

    @Test
    void createsMatchingSourceAclsOnTheDestinationAndShowsAclSyncActive() throws Exception {
        // Given
        String principal = "User:" + uniqueName("acl-reader");
        String link = uniqueName("acl-link");
        AclBinding topicRead = allow(principal, ResourceType.TOPIC, uniqueName("orders"), PatternType.LITERAL,
                AclOperation.READ);
        AclBinding groupRead = allow(principal, ResourceType.GROUP, uniqueName("billing") + "-",
                PatternType.PREFIXED, AclOperation.READ);
        createAcls(kafka.sourceAdmin(), topicRead, groupRead);

        try {
            // When
            createLink(link, kafka.source().bootstrapServers(), aclSync(ALL_ACLS));

            // Then
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), principal).equals(Set.of(topicRead, groupRead)));
            assertThat(ownedAcls(link)).contains(topicRead, groupRead);
            JsonPath view = given().get("/kafka/v3/clusters/{c}/links/{link}?include_tasks=true", clusterId(), link)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(view.getString("tasks.find { it.task_name == 'AclSync' }.state")).isEqualTo("ACTIVE");
            assertThat(view.getList("tasks.find { it.task_name == 'AclSync' }.errors")).isEmpty();
        } finally {
            deleteLink(link);
        }
    }

    @Test
    void deletesOnlyTheAclsTheLinkCreatedWhenTheyLeaveTheSource() throws Exception {
        // Given: 'synced' is only on the source, 'preExisting' on both clusters before the link,
        // 'destinationOnly' never on the source
        String principal = "User:" + uniqueName("acl-owner");
        String link = uniqueName("acl-link");
        AclBinding synced = allow(principal, ResourceType.TOPIC, uniqueName("synced"), PatternType.LITERAL,
                AclOperation.READ);
        AclBinding preExisting = allow(principal, ResourceType.TOPIC, uniqueName("pre-existing"),
                PatternType.LITERAL, AclOperation.WRITE);
        AclBinding destinationOnly = allow(principal, ResourceType.TOPIC, uniqueName("local"), PatternType.PREFIXED,
                AclOperation.DESCRIBE);
        createAcls(kafka.sourceAdmin(), synced, preExisting);
        createAcls(kafka.destinationAdmin(), preExisting, destinationOnly);
        try {
            createLink(link, kafka.source().bootstrapServers(), aclSync(principalFilter(principal)));
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), principal).contains(synced));
            assertThat(ownedAcls(link)).containsExactly(synced);

            // When
            deleteAcls(kafka.sourceAdmin(), synced, preExisting);

            // Then
            // (The ACL is deleted on the destination first, then the record that the link owned it.)
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> !acls(kafka.destinationAdmin(), principal).contains(synced)
                            && ownedAcls(link).isEmpty());
            assertThat(acls(kafka.destinationAdmin(), principal)).containsExactlyInAnyOrder(preExisting,
                    destinationOnly);
        } finally {
            deleteLink(link);
        }
    }

    @Test
    void syncsOnlyMatchingAclsAndFollowsAFilterChangeWithoutRestart() throws Exception {
        // Given
        String first = "User:" + uniqueName("acl-first");
        String second = "User:" + uniqueName("acl-second");
        String topic = uniqueName("filtered");
        String link = uniqueName("acl-link");
        AclBinding firstRead = allow(first, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
        AclBinding secondRead = allow(second, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
        createAcls(kafka.sourceAdmin(), firstRead, secondRead);
        try {
            createLink(link, kafka.source().bootstrapServers(), aclSync(principalFilter(first)));
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), first).contains(firstRead));
            assertThat(acls(kafka.destinationAdmin(), second)).isEmpty();

            // When
            given().contentType(ContentType.JSON)
                    .body(Map.of("data", List.of(Map.of("name", "acl.filters", "value", principalFilter(second)))))
                    .put("/kafka/v3/clusters/{c}/links/{link}/configs:alter", clusterId(), link)
                    .then().statusCode(204);

            // Then: the second principal's ACL is synced, the first one's no longer matches and goes
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), second).contains(secondRead)
                            && acls(kafka.destinationAdmin(), first).isEmpty());
            assertThat(ownedAcls(link)).containsExactly(secondRead);
            assertThat(acls(kafka.sourceAdmin(), first)).containsExactly(firstRead);
        } finally {
            deleteLink(link);
        }
    }

    @Test
    void deletingTheLinkKeepsTheSyncedAclsAndDropsItsOwnershipRecords() throws Exception {
        // Given
        String principal = "User:" + uniqueName("acl-kept");
        String link = uniqueName("acl-link");
        AclBinding read = allow(principal, ResourceType.TOPIC, uniqueName("kept"), PatternType.LITERAL,
                AclOperation.READ);
        createAcls(kafka.sourceAdmin(), read);
        createLink(link, kafka.source().bootstrapServers(), aclSync(principalFilter(principal)));
        await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                .until(() -> acls(kafka.destinationAdmin(), principal).contains(read));
        long linkId = linkId(link);
        assertThat(ownedRows(linkId)).isEqualTo(1);

        // When
        deleteLink(link);

        // Then
        assertThat(ownedRows(linkId)).isZero();
        assertThat(acls(kafka.destinationAdmin(), principal)).containsExactly(read);
    }

    @Test
    void disablingAclSyncLeavesTheSyncedAclsAndTheirOwnershipRecords() throws Exception {
        // Given: two links, each syncing its own principal's ACLs
        String principal = "User:" + uniqueName("acl-disabled");
        String otherPrincipal = "User:" + uniqueName("acl-barrier");
        String link = uniqueName("acl-link");
        String otherLink = uniqueName("acl-link");
        AclBinding read = allow(principal, ResourceType.TOPIC, uniqueName("disabled"), PatternType.LITERAL,
                AclOperation.READ);
        AclBinding otherRead = allow(otherPrincipal, ResourceType.TOPIC, uniqueName("barrier"), PatternType.LITERAL,
                AclOperation.READ);
        createAcls(kafka.sourceAdmin(), read);
        try {
            createLink(link, kafka.source().bootstrapServers(), aclSync(principalFilter(principal)));
            createLink(otherLink, kafka.source().bootstrapServers(), aclSync(principalFilter(otherPrincipal)));
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), principal).contains(read));

            // When: ACL sync is disabled, then the ACL leaves the source. The other link syncing an ACL
            // created after the change shows that no run with the old settings is still in flight
            // (one scheduler thread runs the links one after another).
            given().contentType(ContentType.JSON).body(Map.of("value", "false"))
                    .put("/kafka/v3/clusters/{c}/links/{link}/configs/acl.sync.enable", clusterId(), link)
                    .then().statusCode(204);
            createAcls(kafka.sourceAdmin(), otherRead);
            await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), otherPrincipal).contains(otherRead));
            deleteAcls(kafka.sourceAdmin(), read);

            // Then: for several sync intervals nothing is deleted, and the link still owns the ACL
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250))
                    .until(() -> acls(kafka.destinationAdmin(), principal).contains(read));
            assertThat(ownedAcls(link)).containsExactly(read);
        } finally {
            deleteLink(link);
            deleteLink(otherLink);
        }
    }

    @Test
    void reportsAnAuthorizationErrorWhenTheSourcePrincipalCannotDescribeAcls() {
        // Given: test-user is not a super user and has no ACLs on the source cluster
        String link = uniqueName("acl-link");
        Map<String, Object> sasl = kafka.source().saslClientProperties(KafkaClusters.TEST_USER);
        Map<String, String> configs = new LinkedHashMap<>(aclSync(ALL_ACLS));
        configs.put("security.protocol", "SASL_PLAINTEXT");
        configs.put("sasl.mechanism", "PLAIN");
        configs.put("sasl.jaas.config", (String) sasl.get("sasl.jaas.config"));
        try {
            // When
            createLink(link, (String) sasl.get("bootstrap.servers"), configs);

            // Then
            List<Map<String, String>> errors = errors(awaitAclSyncInError(link));
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).get("error_code")).isEqualTo("AUTHORIZATION_ERROR");
            assertThat(errors.get(0).get("error_message"))
                    .startsWith("Cannot describe the source cluster's ACLs: the link's principal on the source "
                            + "needs DESCRIBE on the source cluster");
        } finally {
            deleteLink(link);
        }
    }

    @Test
    void reportsSecurityDisabledForASourceWithoutAuthorizer(@TempDir Path dataDir) {
        // Given: a source cluster without an authorizer
        String link = uniqueName("acl-link");
        try (LocalKafkaCluster plain = LocalKafkaCluster.builder("acl-plain").dataDir(dataDir).build().start()) {
            try {
                // When
                createLink(link, plain.bootstrapServers(), aclSync(ALL_ACLS));

                // Then
                List<Map<String, String>> errors = errors(awaitAclSyncInError(link));
                assertThat(errors).hasSize(1);
                assertThat(errors.get(0).get("error_code")).isEqualTo("SECURITY_DISABLED_ERROR");
                assertThat(errors.get(0).get("error_message")).isEqualTo("Cannot describe the source "
                        + "cluster's ACLs: the source cluster has no authorizer, so it has no ACLs");
            } finally {
                deleteLink(link);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>> errors(Map<String, Object> task) {
        return (List<Map<String, String>>) task.get("errors");
    }

    private static Map<String, String> aclSync(String filters) {
        return Map.of("acl.sync.enable", "true", "acl.filters", filters, "acl.sync.ms", "1000");
    }

    /** Every ACL of one principal, on any resource. */
    private static String principalFilter(String principal) {
        return "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":\"any\"},"
                + "\"accessFilter\":{\"principal\":\"" + principal + "\",\"operation\":\"any\","
                + "\"permissionType\":\"any\"}}]}";
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType patternType,
            AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, patternType),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static void createAcls(Admin admin, AclBinding... bindings) throws Exception {
        admin.createAcls(List.of(bindings)).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void deleteAcls(Admin admin, AclBinding... bindings) throws Exception {
        admin.deleteAcls(List.of(bindings).stream().map(AclBinding::toFilter).toList()).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Set<AclBinding> acls(Admin admin, String principal) throws Exception {
        AclBindingFilter filter = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
        return new HashSet<>(admin.describeAcls(filter).values().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private static void deleteLink(String link) {
        given().delete("/links/{link}", link).then().statusCode(200);
    }

    /** Waits until the link's AclSync task is IN_ERROR; returns the task. */
    private static Map<String, Object> awaitAclSyncInError(String link) {
        await().atMost(SYNCED).pollInterval(Duration.ofMillis(250))
                .until(() -> "IN_ERROR".equals(aclSyncTask(link).get("state")));
        return aclSyncTask(link);
    }

    private static Map<String, Object> aclSyncTask(String link) {
        return given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract().jsonPath()
                .getMap("tasks.find { it.task_name == 'AclSync' }");
    }

    /** The ACLs the link's ownership records name, read from the database. */
    private Set<AclBinding> ownedAcls(String link) throws Exception {
        String sql = "select s.resource_type, s.resource_name, s.pattern_type, s.principal, s.host, s.operation, "
                + "s.permission_type from synced_acls s join cluster_links l on l.id = s.link_id where l.link_name = ?";
        Set<AclBinding> owned = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, link);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    owned.add(new AclBinding(
                            new ResourcePattern(ResourceType.valueOf(rows.getString(1)), rows.getString(2),
                                    PatternType.valueOf(rows.getString(3))),
                            new AccessControlEntry(rows.getString(4), rows.getString(5),
                                    AclOperation.valueOf(rows.getString(6)),
                                    AclPermissionType.valueOf(rows.getString(7)))));
                }
            }
        }
        return owned;
    }

    private long linkId(String link) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id from cluster_links where link_name = ?")) {
            statement.setString(1, link);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).as("link row of " + link).isTrue();
                return rows.getLong(1);
            }
        }
    }

    private int ownedRows(long linkId) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from synced_acls where link_id = ?")) {
            statement.setLong(1, linkId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
