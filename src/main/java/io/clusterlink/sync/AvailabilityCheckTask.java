package io.clusterlink.sync;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.config.ConfigException;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkError;
import io.clusterlink.service.LinkService;

/**
 * Checks every {@code availability.check.ms} that a link's source answers. After
 * {@code availability.check.consecutive.failure.threshold} failed checks in a row the link is
 * {@code UNAVAILABLE} (its mirrors show {@code SOURCE_UNAVAILABLE}); the first check that
 * succeeds makes it {@code ACTIVE} again. Replication keeps retrying meanwhile.
 */
@ApplicationScoped
class AvailabilityCheckTask implements LinkSyncTask {

    private final LinkService links;
    private final Duration timeout;
    /** Consecutive failed checks per link id. */
    private final Map<Long, Integer> failures = new ConcurrentHashMap<>();

    AvailabilityCheckTask(LinkService links, ClusterlinkConfig config) {
        this.links = links;
        this.timeout = config.sourceTimeout();
    }

    @Override
    public String name() {
        return "AvailabilityCheck";
    }

    @Override
    public boolean runsWhileUnavailable() {
        return true;
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().availabilityCheckMs();
    }

    @Override
    public void run(Link link) {
        Duration wait = Duration.ofMillis(Math.min(timeout.toMillis(), link.settings().availabilityCheckMs()));
        try (Admin admin = KafkaClients.admin(link.settings().sourceClientProperties(),
                "clusterlink-availability-" + link.name(), wait)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) wait.toMillis())).clusterId()
                    .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
            failures.remove(link.id());
            links.availabilityChecked(link, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            int failed = failures.merge(link.id(), 1, Integer::sum);
            if (failed >= link.settings().availabilityFailureThreshold()) {
                links.availabilityChecked(link, errorOf(e), "The source cluster at " + link.settings().bootstrapServers()
                        + " did not answer " + failed + " consecutive availability checks: " + KafkaErrors.describe(e));
            }
        }
    }

    static LinkError errorOf(Throwable t) {
        Throwable cause = KafkaErrors.unwrap(t);
        if (cause instanceof AuthenticationException) {
            return LinkError.AUTHENTICATION_ERROR;
        }
        if (cause instanceof ConfigException) {
            return LinkError.UNRESOLVABLE_BOOTSTRAP_ERROR;
        }
        if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return LinkError.TIMEOUT_ERROR;
        }
        return LinkError.BOOTSTRAP_TCP_CONNECTION_FAILED_ERROR;
    }
}
