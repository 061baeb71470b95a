package io.clusterlink.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkLifecycle;
import io.clusterlink.service.Fleet;
import io.clusterlink.service.LinkService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the periodic metadata sync tasks of the links this instance owns in the fleet (each link's
 * tasks run on exactly one instance, see {@link Fleet}). One named thread decides what is due; the
 * runs go to a bounded pool ({@code clusterlink.sync.threads}), one run per link at a time (its due
 * tasks in turn), so a slow or unreachable source delays only its own link. A run that fails is
 * logged and never cancels the schedule; one that takes longer than its interval is reported. Of a
 * paused link only the read-only check runs; while a link is unavailable only its availability
 * check and the read-only check run. Every run is timed and counted ({@link TaskMetrics}).
 */
@ApplicationScoped
public class SyncScheduler {

    private static final Logger LOG = Logger.getLogger(SyncScheduler.class);
    private static final long TICK_MS = 500;

    private final LinkService links;
    private final Fleet fleet;
    private final List<LinkSyncTask> tasks;
    private final TaskMetrics metrics;
    private final int threads;
    /**
     * Last run per link and task, in epoch millis: scheduler thread only. A task is due when its
     * link's current interval has passed since, so a changed interval applies at once.
     */
    private final Map<String, Long> lastRun = new HashMap<>();
    /** Links with a run in progress on the pool. */
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;
    private ExecutorService pool;
    private volatile long lastTick = System.nanoTime();

    SyncScheduler(LinkService links, Fleet fleet, Instance<LinkSyncTask> tasks, TaskMetrics metrics,
            ClusterlinkConfig config) {
        this.links = links;
        this.fleet = fleet;
        this.tasks = tasks.stream().toList();
        this.metrics = metrics;
        this.threads = config.sync().threads();
    }

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "link-sync");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "link-sync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        for (ExecutorService executor : new ExecutorService[] { scheduler, pool }) {
            if (executor == null) {
                continue;
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
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            List<Link> all = links.allLinks();
            Set<Long> owned = fleet.balanceLinks(all.stream().map(Link::id).collect(Collectors.toSet()),
                    Set.copyOf(running));
            lastRun.keySet().removeIf(key -> owned.stream().noneMatch(id -> key.startsWith(id + "/")));
            metrics.retain(all.stream().map(Link::id).collect(Collectors.toSet()));
            for (Link link : all) {
                if (!owned.contains(link.id()) || running.contains(link.id())) {
                    continue;
                }
                List<LinkSyncTask> due = new ArrayList<>();
                for (LinkSyncTask task : tasks) {
                    String key = link.id() + "/" + task.name();
                    Long last = lastRun.get(key);
                    if (!task.enabled(link) || last != null && now - last < task.intervalMs(link)
                            || !LinkLifecycle.taskRuns(link.state(), task.runsWhilePaused(),
                                    task.runsWhileUnavailable())) {
                        continue;
                    }
                    lastRun.put(key, now);
                    due.add(task);
                }
                if (!due.isEmpty()) {
                    running.add(link.id());
                    try {
                        pool.execute(() -> runAll(due, link));
                    } catch (RejectedExecutionException e) {
                        running.remove(link.id());
                    }
                }
            }
        } catch (Exception e) {
            LOG.warnf(e, "Link sync round failed; the next one runs in %d ms", TICK_MS);
        } finally {
            lastTick = System.nanoTime();
        }
    }

    /** Why the scheduler is not live (no round finished for {@code stuckAfter}), or null when it is. */
    String notLive(java.time.Duration stuckAfter) {
        if (scheduler == null || scheduler.isShutdown()) {
            return null; // not started, or stopping
        }
        long since = System.nanoTime() - lastTick;
        return since > stuckAfter.toNanos() ? "the link sync scheduler finished no round for "
                + since / 1_000_000_000 + " s" : null;
    }

    private void runAll(List<LinkSyncTask> due, Link link) {
        try {
            for (LinkSyncTask task : due) {
                run(task, link);
            }
        } finally {
            running.remove(link.id());
        }
    }

    private void run(LinkSyncTask task, Link link) {
        long start = System.nanoTime();
        boolean done = false;
        try {
            done = task.run(link);
        } catch (Exception e) {
            LOG.warnf(e, "%s of link '%s' failed", task.name(), link.name());
        }
        long nanos = System.nanoTime() - start;
        metrics.ran(link, task.name(), nanos, !done);
        long ms = nanos / 1_000_000;
        if (ms > task.intervalMs(link)) {
            LOG.warnf("%s of link '%s' took %d ms, longer than its interval (%d ms)", task.name(), link.name(), ms,
                    task.intervalMs(link));
        } else {
            LOG.debugf("%s of link '%s' took %d ms", task.name(), link.name(), ms);
        }
    }
}
