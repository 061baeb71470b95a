package io.clusterlink.testing;

import java.util.Map;

import io.clusterlink.kafka.local.LocalKafkaCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Registers the shared source cluster as the service's second destination cluster {@code origin}
 * (the default cluster stays {@code destination}), reached like the destination over SASL_SSL as a
 * super user: each cluster can hold links and mirrors of the other, as a fail back needs.
 */
public class SourceAsDestinationResource implements QuarkusTestResourceLifecycleManager {

    /** The configured name of the source cluster in the service. */
    public static final String NAME = "origin";

    @Override
    public Map<String, String> start() {
        KafkaClusters clusters = KafkaClusters.get();
        TestCertificates certificates = clusters.certificates();
        String properties = "clusterlink.clusters." + NAME + ".properties.";
        return Map.of(
                "clusterlink.clusters." + NAME + ".bootstrap-servers", "127.0.0.1:" + clusters.source().saslSslPort(),
                properties + "\"security.protocol\"", "SASL_SSL",
                properties + "\"sasl.mechanism\"", "SCRAM-SHA-512",
                properties + "\"sasl.jaas.config\"",
                LocalKafkaCluster.scramJaas(KafkaClusters.ADMIN, KafkaClusters.ADMIN_PASSWORD),
                properties + "\"ssl.truststore.type\"", "PKCS12",
                properties + "\"ssl.truststore.location\"", certificates.truststore().toString(),
                properties + "\"ssl.truststore.password\"", certificates.password());
    }

    @Override
    public void stop() {
        // The shared clusters stop when the JVM exits.
    }
}
