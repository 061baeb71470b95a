package io.clusterlink.security;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createLinkResponse;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.agroal.api.AgroalDataSource;
import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.CapturedLog;
import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.clusterlink.testing.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Links to secured source clusters (SASL_SSL and SASL_PLAINTEXT with PLAIN and SCRAM, TLS with
 * client certificates, PEM material inline), credential failures, and secrets that never leave
 * the service: not in the database, not in responses, not in the log.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class SecuredClustersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KafkaClusters KAFKA = KafkaClusters.get();

    @Inject
    AgroalDataSource dataSource;

    static Stream<Arguments> securedSources() {
        LocalKafkaCluster source = KAFKA.source();
        TestCertificates certs = KAFKA.certificates();
        String admin = KafkaClusters.ADMIN;
        String password = KafkaClusters.ADMIN_PASSWORD;
        Map<String, String> pemClientCertificate = new LinkedHashMap<>();
        pemClientCertificate.put("security.protocol", "SSL");
        pemClientCertificate.put("ssl.truststore.type", "PEM");
        pemClientCertificate.put("ssl.truststore.certificates", certs.caPem());
        pemClientCertificate.put("ssl.keystore.type", "PEM");
        pemClientCertificate.put("ssl.keystore.key", certs.clientKeyPem());
        pemClientCertificate.put("ssl.keystore.certificate.chain", certs.clientChainPem());
        Map<String, String> storeClientCertificate = new LinkedHashMap<>();
        storeClientCertificate.put("security.protocol", "SSL");
        storeClientCertificate.put("ssl.truststore.type", "PKCS12");
        storeClientCertificate.put("ssl.truststore.location", certs.truststore().toString());
        storeClientCertificate.put("ssl.truststore.password", certs.password());
        storeClientCertificate.put("ssl.keystore.type", "PKCS12");
        storeClientCertificate.put("ssl.keystore.location", certs.clientKeystore().toString());
        storeClientCertificate.put("ssl.keystore.password", certs.password());
        storeClientCertificate.put("ssl.key.password", certs.password());
        return Stream.of(
                Arguments.of("SASL_SSL PLAIN", "127.0.0.1:" + source.saslSslPort(),
                        strings(KAFKA.saslSslClientProperties(source, admin, password, "PLAIN"))),
                Arguments.of("SASL_SSL SCRAM-SHA-256", "127.0.0.1:" + source.saslSslPort(),
                        strings(KAFKA.saslSslClientProperties(source, admin, password, "SCRAM-SHA-256"))),
                Arguments.of("SASL_SSL SCRAM-SHA-512", "127.0.0.1:" + source.saslSslPort(),
                        strings(KAFKA.saslSslClientProperties(source, admin, password, "SCRAM-SHA-512"))),
                Arguments.of("SASL_PLAINTEXT SCRAM-SHA-256", "127.0.0.1:" + source.saslPort(), Map.of(
                        "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256",
                        "sasl.jaas.config", LocalKafkaCluster.scramJaas(admin, password))),
                Arguments.of("SSL client certificate, PEM inline", "127.0.0.1:" + source.sslPort(),
                        pemClientCertificate),
                Arguments.of("SSL client certificate, PKCS12 files", "127.0.0.1:" + source.sslPort(),
                        storeClientCertificate));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("securedSources")
    void mirrorsFromASecuredSource(String label, String bootstrap, Map<String, String> security) throws Exception {
        // Given a topic on the source
        String link = uniqueName("secured");
        String topic = uniqueName("secured");
        KafkaClusters.createTopic(KAFKA.source(), topic, 2, Map.of());
        produce(topic, 200);

        // When a link reaches the source through the secured listener and mirrors the topic
        createLink(link, bootstrap, security);
        createMirror(link, topic);

        // Then the mirror is an exact copy, and no sensitive value is shown
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(KAFKA.source(), topic, KAFKA.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(200);
        String configs = given().get("/kafka/v3/clusters/{c}/links/{l}/configs", ClusterLinkApi.clusterId(), link)
                .then().statusCode(200).extract().asString();
        security.forEach((name, value) -> {
            if (name.contains("jaas") || name.contains("password") || name.equals("ssl.keystore.key")
                    || name.endsWith("certificates") || name.endsWith("certificate.chain")) {
                assertThat(configs).as(label + ": " + name).doesNotContain(value);
            }
        });
        given().delete("/links/{l}?force=true", link).then().statusCode(200);
    }

    @Test
    void aWrongPasswordIsA400WithTheReasonAndALinkWhoseCredentialsStopWorkingSaysSo() throws Exception {
        // Given a SCRAM user of its own on the source, allowed to read its topic
        String user = uniqueName("rotating");
        String topic = uniqueName("rotating");
        String link = uniqueName("rotating");
        setScramPassword(user, "first-" + user);
        allowAll(user, topic);
        KafkaClusters.createTopic(KAFKA.source(), topic, 1, Map.of());
        produce(topic, 20);

        // A wrong password: 400 with the reason
        createLinkResponse(link, "127.0.0.1:" + KAFKA.source().saslSslPort(), scram(user, "not-the-password")).then()
                .statusCode(400)
                .body("error_code", equalTo(40003))
                .body("message", containsString("authentication failed"));

        // The right one: the link mirrors
        Map<String, String> right = scram(user, "first-" + user);
        right.put("availability.check.ms", "1000");
        right.put("availability.check.consecutive.failure.threshold", "2");
        createLink(link, "127.0.0.1:" + KAFKA.source().saslSslPort(), right);
        createMirror(link, topic);
        awaitCaughtUp(link, topic);

        // When the source changes the user's password, the link is UNAVAILABLE with AUTHENTICATION_ERROR
        setScramPassword(user, "second-" + user);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> "UNAVAILABLE".equals(linkView(link).getString("link_state")));
        JsonPath view = linkView(link);
        assertThat(view.getString("link_error")).isEqualTo("AUTHENTICATION_ERROR");
        assertThat(view.getString("link_error_message")).contains("authentication failed");

        // When the link gets the new password at runtime, it is ACTIVE and copies again
        given().contentType(ContentType.JSON).body(Map.of("value", LocalKafkaCluster.scramJaas(user, "second-" + user)))
                .put("/kafka/v3/clusters/{c}/links/{l}/configs/sasl.jaas.config", ClusterLinkApi.clusterId(), link)
                .then().statusCode(204);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> "ACTIVE".equals(linkView(link).getString("link_state")));
        produce(topic, 20);
        awaitCaughtUp(link, topic);
        assertThat(MirrorVerifier.assertIdentical(KAFKA.source(), topic, KAFKA.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(40);
        given().delete("/links/{l}?force=true", link).then().statusCode(200);
    }

    @Test
    void secretsAreNeitherStoredNorShownNorLogged() throws Exception {
        String secret = "pw-" + uniqueName("secret");
        String user = uniqueName("secret-user");
        String link = uniqueName("secrets");
        String topic = uniqueName("secrets");
        setScramPassword(user, secret);
        allowAll(user, topic);
        KafkaClusters.createTopic(KAFKA.source(), topic, 1, Map.of());
        produce(topic, 5);
        String keyBody = KAFKA.certificates().clientKeyPem().split("\n")[1];
        List<String> responses = new ArrayList<>();
        List<String> logged;
        try (CapturedLog log = CapturedLog.start()) {
            // Everything a user does with a link whose configs hold a password and a private key
            Map<String, String> configs = scram(user, secret);
            configs.put("ssl.keystore.type", "PEM");
            configs.put("ssl.keystore.key", KAFKA.certificates().clientKeyPem());
            configs.put("ssl.keystore.certificate.chain", KAFKA.certificates().clientChainPem());
            responses.add(createLinkResponse(link, "127.0.0.1:" + KAFKA.source().saslSslPort(), configs).then()
                    .statusCode(204).extract().asString());
            createMirror(link, topic);
            awaitCaughtUp(link, topic);
            String base = "/kafka/v3/clusters/" + ClusterLinkApi.clusterId() + "/links/" + link;
            responses.add(given().get(base + "?include_tasks=true").then().statusCode(200).extract().asString());
            responses.add(given().get("/links").then().statusCode(200).extract().asString());
            responses.add(given().get(base + "/configs").then().statusCode(200).extract().asString());
            responses.add(given().get(base + "/configs/sasl.jaas.config").then().statusCode(200)
                    .body("value", nullValue()).body("is_sensitive", equalTo(true)).extract().asString());
            responses.add(given().get(base + "/configs/ssl.keystore.key").then().statusCode(200)
                    .body("value", nullValue()).body("is_sensitive", equalTo(true)).extract().asString());
            responses.add(given().contentType(ContentType.JSON)
                    .body(Map.of("value", LocalKafkaCluster.scramJaas(user, secret)))
                    .put(base + "/configs/sasl.jaas.config").then().statusCode(204).extract().asString());
            // Rejected requests that carry the secret do not echo it
            responses.add(given().contentType(ContentType.JSON).body(Map.of("value", "not a jaas config " + secret))
                    .put(base + "/configs/sasl.jaas.config").then().statusCode(400).body("error_code", equalTo(40002))
                    .body("message", containsString("'sasl.jaas.config' is not a valid JAAS configuration"))
                    .extract().asString());
            responses.add(given().contentType(ContentType.JSON).body(Map.of("value", "-----BEGIN PRIVATE KEY-----\n"
                    + secret + "\n-----END PRIVATE KEY-----")).put(base + "/configs/ssl.keystore.key").then()
                    .statusCode(400).body("message", containsString("Invalid source TLS configs")).extract()
                    .asString());
            responses.add(createLinkResponse(uniqueName("secrets"), "127.0.0.1:" + KAFKA.source().saslSslPort(),
                    scram(user, secret + "-wrong")).then().statusCode(400).extract().asString());
            responses.add(given().delete(base + "?force=true").then().statusCode(200).extract().asString());
            logged = log.lines();
        }

        assertThat(responses).allSatisfy(r -> assertThat(r).doesNotContain(secret).doesNotContain(keyBody));
        assertThat(logged).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain(secret).doesNotContain(keyBody));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("select configs from cluster_links union all "
                        + "select coalesce(reason, '') from state_transitions")) {
            int count = 0;
            while (rows.next()) {
                count++;
                assertThat(rows.getString(1)).doesNotContain(secret).doesNotContain(keyBody);
            }
            assertThat(count).isPositive();
        }
    }

    private static JsonPath linkView(String link) {
        return given().get("/links/{l}", link).then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, String> scram(String user, String password) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("security.protocol", "SASL_SSL");
        configs.put("sasl.mechanism", "SCRAM-SHA-256");
        configs.put("sasl.jaas.config", LocalKafkaCluster.scramJaas(user, password));
        configs.put("ssl.truststore.type", "PEM");
        configs.put("ssl.truststore.certificates", KAFKA.certificates().caPem());
        return configs;
    }

    private static void setScramPassword(String user, String password) throws Exception {
        KAFKA.sourceAdmin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password))).all()
                .get(30, TimeUnit.SECONDS);
    }

    private static void allowAll(String user, String topic) throws Exception {
        KAFKA.sourceAdmin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic,
                PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", AclOperation.ALL,
                        AclPermissionType.ALLOW))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static Map<String, String> strings(Map<String, Object> properties) {
        Map<String, String> result = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                result.put(k, String.valueOf(v));
            }
        });
        return result;
    }

    private static void produce(String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(KAFKA.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }
}
