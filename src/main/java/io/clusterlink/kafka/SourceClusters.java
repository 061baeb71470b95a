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
 * Admin clients for the source clusters of links: one per link, shared by its sync tasks and its
 * copy threads, kept while its client configs stay the same and closed when they change or the
 * link is deleted, so neither the periodic syncs nor the replication open a connection of their own.
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
        return admin(link.id(), link.name(), link.settings().sourceClientProperties());
    }

    /** The Admin client of link {@code linkId} for its source client {@code properties} (decrypted). */
    public Admin admin(long linkId, String linkName, Map<String, Object> properties) {
        Pooled pooled = admins.compute(linkId, (id, current) -> {
            if (current != null && current.properties().equals(properties)) {
                return current;
            }
            if (current != null) {
                current.admin().close(Duration.ZERO);
            }
            return new Pooled(properties, create(properties, "clusterlink-source-" + linkName));
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
