package io.clusterlink.service;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.NoAuthorizerClusterResource;
import io.clusterlink.testing.WithAClusterWithoutAuthorizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * Readiness per destination cluster (DOWN while one of them does not answer, UP again when it is
 * back), and for the database; liveness of the reconciler and the sync scheduler. Runs with a
 * second destination cluster of its own ("plain"), which it stops and starts again.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithAClusterWithoutAuthorizer.class)
class HealthIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void readinessIsDownWhileADestinationClusterIsStoppedAndUpWhenItIsBack() {
        LocalKafkaCluster plain = NoAuthorizerClusterResource.cluster();
        ready(200).body("checks.find { it.name == 'destination clusters' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'destination clusters' }.data.plain", containsString("UP, cluster id"))
                .body("checks.find { it.name == 'destination clusters' }.data.destination", containsString("UP"))
                .body("checks.name", hasItems("links", "Database connections health check"));
        plain.stop();
        try {
            await().atMost(WAIT).untilAsserted(() -> ready(503)
                    .body("checks.find { it.name == 'destination clusters' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'destination clusters' }.data.plain", containsString("DOWN"))
                    .body("checks.find { it.name == 'destination clusters' }.data.destination",
                            containsString("UP")));
            given().get("/q/health/live").then().statusCode(200);
        } finally {
            plain.start();
        }
        await().atMost(WAIT).untilAsserted(() -> ready(200)
                .body("checks.find { it.name == 'destination clusters' }.data.plain", containsString("UP")));
    }

    @Test
    void livenessChecksTheReconcilerAndTheSyncScheduler() {
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'replication reconciler' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'link sync scheduler' }.status", equalTo("UP"));
    }

    private static ValidatableResponse ready(int status) {
        return given().get("/q/health/ready").then().statusCode(status);
    }
}
