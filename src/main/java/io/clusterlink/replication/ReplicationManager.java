package io.clusterlink.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.service.DataPlaneEvents;
import io.clusterlink.service.ReplicationAssignment;
import io.clusterlink.service.ReplicationControl;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The replication worker pool. A reconciler thread compares the mirrors the database says must
 * replicate with the running copy tasks, starts and stops partitions accordingly, and turns
 * per-partition progress into mirror state changes (aligned, caught up to the promote offsets).
 * Each link gets {@code num.cluster.link.fetchers} copy threads; a partition always belongs to
 * exactly one of them.
 */
@ApplicationScoped
public class ReplicationManager implements ReplicationControl, CopyListener {

    private static final Logger LOG = Logger.getLogger(ReplicationManager.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final DataPlaneEvents mirrors;
    private final DestinationClusters clusters;
    private final Duration fenceInterval;
    private final Duration reconcileInterval;

    /** Serialises reconciling with halts, so a halted mirror is never started again by a stale plan. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Object wakeSignal = new Object();
    private boolean wakeRequested;
    private volatile boolean running;
    private Thread reconciler;

    private final Map<String, FetcherGroup> groups = new HashMap<>();
    private final Map<Long, PartitionProgress[]> progress = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> reports = new ConcurrentLinkedQueue<>();

    ReplicationManager(DataPlaneEvents mirrors, DestinationClusters clusters, ClusterlinkConfig config) {
        this.mirrors = mirrors;
        this.clusters = clusters;
        this.fenceInterval = config.replication().fenceInterval();
        this.reconcileInterval = config.replication().reconcileInterval();
    }

    void start(@Observes StartupEvent event) {
        running = true;
        reconciler = new Thread(this::reconcileLoop, "replication-reconciler");
        reconciler.setDaemon(true);
        reconciler.setUncaughtExceptionHandler((t, e) -> LOG.errorf(e, "Thread %s died", t.getName()));
        reconciler.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake();
        if (reconciler != null) {
            try {
                reconciler.join(SHUTDOWN_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            groups.values().forEach(FetcherGroup::shutdown);
            groups.values().forEach(g -> g.awaitTermination(SHUTDOWN_WAIT));
            groups.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wake() {
        synchronized (wakeSignal) {
            wakeRequested = true;
            wakeSignal.notifyAll();
        }
    }

    @Override
    public boolean halt(long mirrorId, Duration timeout) {
        try {
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            List<CompletableFuture<Void>> removals = new ArrayList<>();
            for (FetcherGroup g : groups.values()) {
                removals.addAll(g.removeMirror(mirrorId));
            }
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warnf("Mirror %d did not halt within %s: %s", mirrorId, timeout, e.getMessage());
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<PartitionLag> lags(Mirror mirror) {
        PartitionProgress[] p = progress.get(mirror.id());
        List<PartitionLag> lags = new ArrayList<>();
        for (int i = 0; i < mirror.partitions(); i++) {
            if (p != null && i < p.length) {
                PartitionLag lag = p[i].lag();
                lags.add(MirrorLifecycle.hasLag(mirror.status()) ? lag
                        : new PartitionLag(i, 0, lag.lastSourceFetchOffset()));
            } else {
                lags.add(new PartitionLag(i, 0, -1));
            }
        }
        return lags;
    }

    // ---- CopyListener: from copy threads; handled by the reconciler ----

    @Override
    public void failed(long mirrorId, MirrorTopicError error, String message) {
        reports.add(() -> {
            mirrors.failed(mirrorId, error, message);
            for (FetcherGroup g : groups.values()) {
                g.removeMirror(mirrorId);
            }
        });
        wake();
    }

    @Override
    public void recordsSkipped(long mirrorId, int partition, long count, long newStart) {
        reports.add(() -> mirrors.recordsSkipped(mirrorId, partition, count, newStart));
        wake();
    }

    // ---- the reconciler ----

    private void reconcileLoop() {
        while (running) {
            try {
                reconcile();
            } catch (Exception e) {
                LOG.errorf(e, "Replication reconcile failed; retrying in %s", reconcileInterval);
            }
            synchronized (wakeSignal) {
                if (!wakeRequested && running) {
                    try {
                        wakeSignal.wait(reconcileInterval.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                wakeRequested = false;
            }
        }
    }

    void reconcile() {
        lock.lock();
        try {
            Runnable report;
            while ((report = reports.poll()) != null) {
                report.run();
            }
            List<ReplicationAssignment> plan = mirrors.replicationPlan();
            Map<String, List<ReplicationAssignment>> byGroup = new HashMap<>();
            for (ReplicationAssignment a : plan) {
                byGroup.computeIfAbsent(a.fetcherGroupKey(), k -> new ArrayList<>()).add(a);
            }
            Set<String> gone = new HashSet<>(groups.keySet());
            gone.removeAll(byGroup.keySet());
            for (String key : gone) {
                FetcherGroup g = groups.remove(key);
                g.shutdown();
                g.awaitTermination(SHUTDOWN_WAIT);
            }
            for (Map.Entry<String, List<ReplicationAssignment>> e : byGroup.entrySet()) {
                FetcherGroup existing = groups.get(e.getKey());
                if (existing != null && !existing.healthy()) {
                    LOG.warnf("A copy thread of link '%s' died; restarting its partitions from the mirrors' end offsets",
                            e.getValue().get(0).linkName());
                    groups.remove(e.getKey());
                    existing.shutdown();
                    existing.awaitTermination(SHUTDOWN_WAIT);
                }
                ReplicationAssignment first = e.getValue().get(0);
                FetcherGroup group = groups.computeIfAbsent(e.getKey(), k -> new FetcherGroup(first.linkName(),
                        first.fetchers(), first.sourceProperties(), first.destination().clientProperties(),
                        clusters.admin(first.destination()), fenceInterval, this));
                group.apply(e.getValue(), this::progressOf);
            }
            for (ReplicationAssignment a : plan) {
                advanceState(a.mirror());
            }
        } finally {
            lock.unlock();
        }
    }

    private PartitionProgress[] progressOf(Mirror m) {
        return progress.compute(m.id(), (id, existing) -> {
            if (existing != null && existing.length == m.partitions()) {
                return existing;
            }
            PartitionProgress[] p = new PartitionProgress[m.partitions()];
            for (int i = 0; i < p.length; i++) {
                p[i] = existing != null && i < existing.length ? existing[i] : new PartitionProgress(i);
            }
            return p;
        });
    }

    /** Aligned mirrors become ACTIVE; promoted mirrors that caught up are halted and STOPPED. */
    private void advanceState(Mirror m) {
        PartitionProgress[] p = progress.get(m.id());
        if (p == null) {
            return;
        }
        if (MirrorLifecycle.aligning(m) && all(p, PartitionProgress::aligned)) {
            mirrors.alignmentCompleted(m.id());
        } else if (MirrorLifecycle.promoting(m) && all(p, PartitionProgress::reachedStop)) {
            if (halt(m.id(), SHUTDOWN_WAIT)) {
                mirrors.stopCaughtUp(m.id());
            }
        }
    }

    private static boolean all(PartitionProgress[] p, Predicate<PartitionProgress> test) {
        for (PartitionProgress x : p) {
            if (!test.test(x)) {
                return false;
            }
        }
        return true;
    }

    /** The copy threads of one link (one per fetcher) and which partition each one holds. */
    static final class FetcherGroup {
        private final List<CopyTask> tasks = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Map<TopicPartition, Integer> owner = new HashMap<>();
        private final Map<TopicPartition, Long> mirrorOf = new HashMap<>();
        private final Map<TopicPartition, Long> stopOf = new HashMap<>();

        FetcherGroup(String linkName, int fetchers, Map<String, Object> sourceProps, Map<String, Object> destProps,
                Admin destAdmin, Duration fenceInterval, CopyListener listener) {
            for (int i = 0; i < fetchers; i++) {
                String name = "replicator-" + linkName + "-" + i;
                CopyTask task = new CopyTask(name, sourceProps, destProps, destAdmin, fenceInterval, listener);
                Thread t = new Thread(task, name);
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((th, e) -> LOG.errorf(e, "Thread %s died", th.getName()));
                tasks.add(task);
                threads.add(t);
                t.start();
            }
        }

        void apply(List<ReplicationAssignment> assignments, Function<Mirror, PartitionProgress[]> progress) {
            Set<TopicPartition> wanted = new HashSet<>();
            for (ReplicationAssignment a : assignments) {
                Mirror m = a.mirror();
                PartitionProgress[] p = progress.apply(m);
                for (int i = 0; i < m.partitions(); i++) {
                    TopicPartition source = new TopicPartition(m.sourceTopic(), i);
                    wanted.add(source);
                    Long stop = MirrorLifecycle.promoting(m) ? m.stopOffsets().get(i) : null;
                    Integer index = owner.get(source);
                    if (index == null || !Long.valueOf(m.id()).equals(mirrorOf.get(source))) {
                        index = Math.floorMod(source.hashCode(), tasks.size());
                        owner.put(source, index);
                        mirrorOf.put(source, m.id());
                        stopOf.put(source, stop);
                        tasks.get(index).add(new MirrorPartition(m.id(), source,
                                new TopicPartition(m.mirrorTopic(), i), m.startOffsets().get(i), stop, p[i]));
                    } else if (!Objects.equals(stopOf.get(source), stop)) {
                        stopOf.put(source, stop);
                        tasks.get(index).updateStop(source, stop);
                    }
                }
            }
            Set<TopicPartition> removed = new HashSet<>(owner.keySet());
            removed.removeAll(wanted);
            remove(removed);
        }

        List<CompletableFuture<Void>> removeMirror(long mirrorId) {
            Set<TopicPartition> held = new HashSet<>();
            mirrorOf.forEach((tp, id) -> {
                if (id == mirrorId) {
                    held.add(tp);
                }
            });
            return remove(held);
        }

        private List<CompletableFuture<Void>> remove(Set<TopicPartition> partitions) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            if (partitions.isEmpty()) {
                return futures;
            }
            Map<Integer, Set<TopicPartition>> byTask = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Integer index = owner.remove(tp);
                mirrorOf.remove(tp);
                stopOf.remove(tp);
                if (index != null) {
                    byTask.computeIfAbsent(index, k -> new HashSet<>()).add(tp);
                }
            }
            byTask.forEach((index, tps) -> futures.add(tasks.get(index).remove(tps)));
            return futures;
        }

        void shutdown() {
            tasks.forEach(CopyTask::stop);
        }

        /** False once a copy thread has died (e.g. an Error): its partitions no longer move. */
        boolean healthy() {
            return threads.stream().allMatch(Thread::isAlive);
        }

        void awaitTermination(Duration timeout) {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            for (Thread t : threads) {
                try {
                    t.join(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (t.isAlive()) {
                    t.interrupt();
                }
            }
        }
    }
}
