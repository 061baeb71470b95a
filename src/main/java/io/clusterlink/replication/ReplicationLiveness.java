package io.clusterlink.replication;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness of the data plane: the reconciler's thread runs and finishes rounds (it replaces copy
 * threads that died, so they need no check of their own). DOWN makes Kubernetes restart the
 * instance; its partitions move to the others meanwhile.
 */
@Liveness
@ApplicationScoped
public class ReplicationLiveness implements HealthCheck {

    static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    private final Reconciler reconciler;

    ReplicationLiveness(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = reconciler.notLive(STUCK_AFTER);
        return problem == null ? HealthCheckResponse.up("replication reconciler")
                : HealthCheckResponse.named("replication reconciler").down().withData("reason", problem).build();
    }
}
