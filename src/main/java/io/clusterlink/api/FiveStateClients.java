package io.clusterlink.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;

/**
 * Recognises clients that decode only the five mirror states of early v3 SDKs by their
 * {@code User-Agent} ({@code clusterlink.api.five-state-user-agents}). The Terraform provider sends
 * {@code ... terraform-provider-confluent/<version> ...} and decodes mirrors with an SDK that fails
 * on any state but {@code ACTIVE, FAILED, PAUSED, STOPPED, PENDING_STOPPED}; such a client is shown
 * {@link MirrorLifecycle#fiveStateStatus}, every other client the real state.
 */
@ApplicationScoped
public class FiveStateClients {

    private final List<String> userAgents;

    FiveStateClients(ClusterlinkConfig config) {
        this.userAgents = config.api().fiveStateUserAgents().orElse(List.of()).stream()
                .filter(s -> !s.isBlank()).toList();
    }

    /** The state to show the client that sent {@code userAgent}. */
    MirrorStatus shown(String userAgent, MirrorStatus status) {
        return knowsFiveStatesOnly(userAgent) ? MirrorLifecycle.fiveStateStatus(status) : status;
    }

    boolean knowsFiveStatesOnly(String userAgent) {
        return userAgent != null && userAgents.stream().anyMatch(userAgent::contains);
    }
}
