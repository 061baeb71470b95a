package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Link;

/**
 * Admin clients for the source clusters of links: one per link, kept while its client configs
 * stay the same and closed when they change or the link is deleted, so the periodic syncs do not
 * open a new authenticated connection per run.
 */
@ApplicationScoped
public class SourceClusters {

    private record Pooled(Map<String, Object> properties, Admin admin) {
    }

    private final Duration timeout;
    private final Map<Long, Pooled> admins = new ConcurrentHashMap<>();

    SourceClusters(ClusterlinkConfig config) {
        this.timeout = config.sourceTimeout();
    }

    /** Bound on one call to a source cluster ({@code clusterlink.source-timeout}). */
    public Duration timeout() {
        return timeout;
    }

    /** The link's Admin client, made when first needed or after its client configs changed. */
    Admin admin(Link link) {
        Map<String, Object> properties = link.settings().sourceClientProperties();
        Pooled pooled = admins.compute(link.id(), (id, current) -> {
            if (current != null && current.properties().equals(properties)) {
                return current;
            }
            if (current != null) {
                current.admin().close(Duration.ZERO);
            }
            return new Pooled(properties, create(properties, "clusterlink-source-" + link.name()));
        });
        return pooled.admin();
    }

    /** Runs {@code call} with a client that is closed afterwards: for a source that is no link yet. */
    <T> T withProbe(Map<String, Object> properties, Function<Admin, T> call) {
        try (Admin admin = create(properties, "clusterlink-validate")) {
            return call.apply(admin);
        }
    }

    /** Closes the client of a deleted link. */
    public void forget(long linkId) {
        Pooled pooled = admins.remove(linkId);
        if (pooled != null) {
            pooled.admin().close(Duration.ZERO);
        }
    }

    private Admin create(Map<String, Object> properties, String clientId) {
        try {
            return KafkaClients.admin(properties, clientId, timeout);
        } catch (RuntimeException e) {
            throw new KafkaCallException(KafkaErrors.unwrap(e));
        }
    }

    @PreDestroy
    void close() {
        admins.values().forEach(p -> p.admin().close(Duration.ofSeconds(1)));
        admins.clear();
    }
}
