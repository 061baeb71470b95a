package io.clusterlink.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.clusterlink.link.Link;
import io.clusterlink.link.LinkError;
import io.clusterlink.store.LinkStore;

/**
 * The links' availability as data of a readiness check that stays UP: a source cluster that does
 * not answer concerns its link's mirrors, not whether this instance can serve the API.
 */
@Readiness
@ApplicationScoped
public class LinksReadiness implements HealthCheck {

    private final LinkStore store;

    LinksReadiness(LinkStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("links").up();
        for (Link link : store.listAllLinks()) {
            String state = link.state().name();
            if (link.error() != null && link.error() != LinkError.NO_ERROR) {
                state += ", " + link.error().name() + (link.errorMessage() == null ? "" : ": " + link.errorMessage());
            }
            response.withData(link.name(), state);
        }
        return response.build();
    }
}
