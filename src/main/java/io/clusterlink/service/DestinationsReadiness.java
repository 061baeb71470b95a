package io.clusterlink.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.clusterlink.kafka.DestinationClusters;

/**
 * Readiness per destination cluster: each configured cluster is asked for its id now (within
 * {@link #TIMEOUT}); the check is DOWN while any does not answer, with each cluster's answer as data.
 */
@Readiness
@ApplicationScoped
public class DestinationsReadiness implements HealthCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final DestinationClusters clusters;

    DestinationsReadiness(DestinationClusters clusters) {
        this.clusters = clusters;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("destination clusters").up();
        for (DestinationClusters.Probe p : clusters.probe(TIMEOUT)) {
            if (p.up()) {
                response.withData(p.name(), "UP, cluster id " + p.clusterId() + " at " + p.bootstrapServers());
            } else {
                response.down().withData(p.name(), "DOWN, " + p.bootstrapServers() + " does not answer: " + p.error());
            }
        }
        return response.build();
    }
}
