package io.clusterlink.testing;

import java.util.Map;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the service under test at the shared {@link KafkaClusters}: their destination is the
 * service's default cluster {@code destination}, reached over SASL_SSL.
 * <p>
 * Quarkus 3.32 offers two ways to apply it to every Quarkus test, so that they all share one
 * application start: {@code @QuarkusTestResource(KafkaClustersResource.class)} (its
 * {@code restrictToAnnotatedClass} defaults to {@code false}), or
 * {@code @WithTestResource(value = KafkaClustersResource.class, scope = TestResourceScope.GLOBAL)}
 * ({@code @WithTestResource} has no {@code restrictToAnnotatedClass}; its default scope,
 * {@code MATCHING_RESOURCES}, restarts the application for test classes with other resources).
 * The clusters live for the whole JVM, so {@link #stop()} leaves them running.
 */
public class KafkaClustersResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaClusters clusters = KafkaClusters.get();
        TestCertificates certificates = clusters.certificates();
        // The service reaches its destination like a production deployment would: SASL_SSL with
        // SCRAM, as a super user, trusting the cluster's CA.
        String properties = "clusterlink.clusters.destination.properties.";
        return Map.of(
                "clusterlink.clusters.destination.bootstrap-servers",
                "127.0.0.1:" + clusters.destination().saslSslPort(),
                properties + "\"security.protocol\"", "SASL_SSL",
                properties + "\"sasl.mechanism\"", "SCRAM-SHA-512",
                properties + "\"sasl.jaas.config\"",
                LocalKafkaCluster.scramJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD),
                properties + "\"ssl.truststore.type\"", "PKCS12",
                properties + "\"ssl.truststore.location\"", certificates.truststore().toString(),
                properties + "\"ssl.truststore.password\"", certificates.password(),
                "clusterlink.default-cluster", "destination");
    }

    @Override
    public void stop() {
        // The clusters are shared by every test class and stop when the JVM exits.
    }
}
