package io.clusterlink.sync;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.Link;
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
    private final SourceTopics sourceTopics;
    /** Consecutive failed checks per link id. */
    private final Map<Long, Integer> failures = new ConcurrentHashMap<>();

    AvailabilityCheckTask(LinkService links, SourceTopics sourceTopics) {
        this.links = links;
        this.sourceTopics = sourceTopics;
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
    public boolean run(Link link) {
        Duration wait = Duration.ofMillis(Math.min(sourceTopics.timeout().toMillis(),
                link.settings().availabilityCheckMs()));
        try {
            sourceTopics.clusterId(link, wait);
            failures.remove(link.id());
            links.availabilityChecked(link, null, null);
            return true;
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.INTERRUPTED)) {
                return true;
            }
            int failed = failures.merge(link.id(), 1, Integer::sum);
            if (failed >= link.settings().availabilityFailureThreshold()) {
                links.availabilityChecked(link, KafkaErrors.linkError(e), "The source cluster at "
                        + link.settings().bootstrapServers() + " did not answer " + failed
                        + " consecutive availability checks: " + e.getMessage());
            }
            return false;
        }
    }
}
