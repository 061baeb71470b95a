package io.clusterlink.sync;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Liveness of the link sync scheduler: its rounds (every second) keep finishing. */
@Liveness
@ApplicationScoped
public class SyncLiveness implements HealthCheck {

    static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    private final SyncScheduler scheduler;

    SyncLiveness(SyncScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = scheduler.notLive(STUCK_AFTER);
        return problem == null ? HealthCheckResponse.up("link sync scheduler")
                : HealthCheckResponse.named("link sync scheduler").down().withData("reason", problem).build();
    }
}
