package io.clusterlink.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.clusterlink.link.Link;
import io.clusterlink.link.LinkLifecycle;
import io.clusterlink.service.Fleet;
import io.clusterlink.service.LinkService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the periodic metadata sync tasks of the links this instance owns in the fleet (each link's
 * tasks run on exactly one instance, see {@link Fleet}) on one named thread. Each task runs at its own
 * interval per link; a run that fails is logged and never cancels the schedule. Of a paused
 * link only the read-only check runs; while a link is unavailable only its availability check
 * and the read-only check run.
 */
@ApplicationScoped
public class SyncScheduler {

    private static final Logger LOG = Logger.getLogger(SyncScheduler.class);
    private static final long TICK_MS = 500;

    private final LinkService links;
    private final Fleet fleet;
    private final List<LinkSyncTask> tasks;
    /**
     * Last run per link and task, in epoch millis: scheduler thread only. A task is due when its
     * link's current interval has passed since, so a changed interval applies at once.
     */
    private final Map<String, Long> lastRun = new HashMap<>();
    private ScheduledExecutorService executor;

    SyncScheduler(LinkService links, Fleet fleet, Instance<LinkSyncTask> tasks) {
        this.links = links;
        this.fleet = fleet;
        this.tasks = tasks.stream().toList();
    }

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "link-sync");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            List<Link> all = links.allLinks();
            Set<Long> owned = fleet.balanceLinks(all.stream().map(Link::id).collect(Collectors.toSet()));
            lastRun.keySet().removeIf(key -> owned.stream().noneMatch(id -> key.startsWith(id + "/")));
            for (Link link : all) {
                if (!owned.contains(link.id())) {
                    continue;
                }
                for (LinkSyncTask task : tasks) {
                    String key = link.id() + "/" + task.name();
                    Long last = lastRun.get(key);
                    if (!task.enabled(link) || last != null && now - last < task.intervalMs(link)
                            || !LinkLifecycle.taskRuns(link.state(), task.runsWhilePaused(),
                                    task.runsWhileUnavailable())) {
                        continue;
                    }
                    lastRun.put(key, now);
                    run(task, link);
                }
            }
        } catch (Exception e) {
            LOG.warnf(e, "Link sync round failed; the next one runs in %d ms", TICK_MS);
        }
    }

    private static void run(LinkSyncTask task, Link link) {
        long start = System.nanoTime();
        try {
            task.run(link);
        } catch (Exception e) {
            LOG.warnf(e, "%s of link '%s' failed", task.name(), link.name());
        }
        LOG.debugf("%s of link '%s' took %d ms", task.name(), link.name(), (System.nanoTime() - start) / 1_000_000);
    }
}
