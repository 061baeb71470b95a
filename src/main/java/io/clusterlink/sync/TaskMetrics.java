package io.clusterlink.sync;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.link.Link;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The runs of the link tasks as metrics, on the instance that runs them (the one holding the
 * link): {@code clusterlink_link_task_duration_seconds} (a histogram: its count is the runs) and
 * {@code clusterlink_link_task_errors_total} (runs that met errors: the ones the link shows on the
 * task, or an exception), labelled by cluster, link and task. A deleted link's series go with it.
 */
@ApplicationScoped
class TaskMetrics {

    /** Bucket bounds: a sync is a few Admin calls, from milliseconds to its timeout. */
    private static final Duration[] BUCKETS = { Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60) };

    private record Key(long linkId, String task) {
    }

    private record Meters(Timer duration, Counter errors) {
    }

    private final MeterRegistry registry;
    private final Map<Key, Meters> meters = new ConcurrentHashMap<>();

    TaskMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One run of {@code task} on the link took {@code nanos}; {@code failed} when it met errors. */
    void ran(Link link, String task, long nanos, boolean failed) {
        Meters m = meters.computeIfAbsent(new Key(link.id(), task), k -> {
            Tags tags = Tags.of("cluster", link.clusterId(), "link", link.name(), "task", task);
            return new Meters(Timer.builder("clusterlink.link.task.duration")
                    .description("Runs of the link's periodic tasks and how long they took")
                    .serviceLevelObjectives(BUCKETS).tags(tags).register(registry),
                    Counter.builder("clusterlink.link.task.errors")
                            .description("Runs of the link's periodic tasks that met errors")
                            .tags(tags).register(registry));
        });
        m.duration().record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            m.errors().increment();
        }
    }

    /** Removes the series of links that no longer exist. */
    void retain(Set<Long> linkIds) {
        meters.entrySet().removeIf(e -> {
            if (linkIds.contains(e.getKey().linkId())) {
                return false;
            }
            registry.remove(e.getValue().duration());
            registry.remove(e.getValue().errors());
            return true;
        });
    }
}
