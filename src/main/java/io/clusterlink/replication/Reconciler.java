package io.clusterlink.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationLimits;
import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.SourceClusters;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.service.DataPlaneEvents;
import io.clusterlink.service.Fleet;
import io.clusterlink.service.ReplicationAssignment;
import io.clusterlink.service.ReplicationControl;
import io.clusterlink.service.RestartCause;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * The replication reconciler. One thread compares the mirror partitions this instance owns in the
 * fleet (see {@link Fleet}) and the database says must replicate with the running copy threads,
 * starts and stops partitions accordingly, and turns per-partition progress into recorded facts:
 * aligned partitions (the last makes its mirror ACTIVE), partitions that reached their stop
 * offsets; promoted mirrors whose partitions all did are handed to the stopper, which halts them
 * and finishes the promotion off this thread. Database reads and Kafka calls happen before it takes
 * its lock, which it holds only for in-memory changes, so a halt (pause, failover) waits at most
 * for those; a halt that took the lock meanwhile makes the round start again. Reports from the copy
 * threads are applied on this thread and kept until they are (a database that is briefly away
 * loses none).
 */
@ApplicationScoped
public class Reconciler implements ReplicationControl, CopyListener {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);
    private static final Duration HALT_TIMEOUT = Duration.ofSeconds(60);
    /** A promotion whose completion failed is tried again after this long. */
    private static final Duration STOP_RETRY = Duration.ofSeconds(5);
    /** Failovers left unfinished (a crash, a halt that timed out) are looked for this often. */
    private static final Duration FAILOVER_SWEEP = Duration.ofSeconds(10);
    private static final Duration PRUNE_INTERVAL = Duration.ofSeconds(60);

    private final DataPlaneEvents events;
    private final Fleet fleet;
    private final DestinationClusters clusters;
    private final DestinationTopics destinationTopics;
    private final SourceClusters sources;
    private final ClusterlinkConfig.Replication settings;
    private final Duration sourceTimeout;
    private final ReplicationBudget budget;

    private final ReentrantLock lock = new ReentrantLock();
    /** Counts halts that took the lock: a round whose plan was read before one of them is done again. */
    private final AtomicLong halts = new AtomicLong();
    private final Object wakeSignal = new Object();
    private boolean wakeRequested;
    private volatile boolean running;
    private Thread reconciler;
    private ExecutorService startPool;
    private ExecutorService alignPool;
    private ExecutorService stopper;

    private final Map<String, LinkReplicator> groups = new HashMap<>();
    private final List<LinkReplicator> retiring = new ArrayList<>();
    private final Map<Long, PartitionProgress[]> progress = new ConcurrentHashMap<>();
    private final TakenPartitions taken = new TakenPartitions();
    private final Reports reports = new Reports();
    /** Problems reported per mirror and partition (in memory: they describe the running copy). */
    private final Map<Long, Map<Integer, String>> problems = new ConcurrentHashMap<>();
    /** Mirrors the stopper is finishing; the plan leaves them alone meanwhile. */
    private final Set<Long> stopping = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> stopRetryAt = new ConcurrentHashMap<>();
    /** Every link's copy threads, also retiring ones: what {@link #abortAll} stops (any thread). */
    private final Set<LinkReplicator> live = ConcurrentHashMap.newKeySet();
    /** The partitions the copy threads were given in the last round (reconciler thread writes). */
    private volatile Set<Fleet.MirrorPartitionId> copying = Set.of();
    /** The last plan read, whose partitions are the work the fleet shares (reconciler thread). */
    private List<ReplicationAssignment> lastPlan;
    private long lastSweep;
    /** When the reconciler last finished a round (failed or not): what liveness looks at. */
    private volatile long lastRound = System.nanoTime();
    private long lastPrune;

    Reconciler(DataPlaneEvents events, Fleet fleet, DestinationClusters clusters, DestinationTopics destinationTopics,
            SourceClusters sources, ClusterlinkConfig config) {
        this.events = events;
        this.sources = sources;
        this.fleet = fleet;
        this.clusters = clusters;
        this.destinationTopics = destinationTopics;
        this.settings = config.replication();
        this.sourceTimeout = config.sourceTimeout();
        this.budget = new ReplicationBudget(settings.memoryBudget().map(MemorySize::asLongValue)
                .orElse(Runtime.getRuntime().maxMemory() * 2 / 5), settings.maxCopyThreads());
    }

    void start(@Observes StartupEvent event) {
        running = true;
        fleet.onLost(this::abortAll);
        startPool = Executors.newFixedThreadPool(settings.startThreads(), named("mirror-start"));
        alignPool = Executors.newFixedThreadPool(settings.alignThreads(), named("mirror-align"));
        stopper = Executors.newSingleThreadExecutor(named("mirror-stopper"));
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
            handOverAll();
            List<LinkReplicator> all = new ArrayList<>(groups.values());
            all.addAll(retiring);
            all.forEach(LinkReplicator::shutdown);
            all.forEach(g -> g.awaitTermination(SHUTDOWN_WAIT));
            groups.clear();
            retiring.clear();
        } finally {
            lock.unlock();
            fleet.leave();
        }
        for (ExecutorService pool : new ExecutorService[] { stopper, alignPool, startPool }) {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> LOG.errorf(e, "Thread %s died", th.getName()));
            return t;
        };
    }

    @Override
    public void wake() {
        synchronized (wakeSignal) {
            wakeRequested = true;
            wakeSignal.notifyAll();
        }
    }

    @Override
    public Set<Long> halt(Collection<Mirror> mirrors, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, List<CompletableFuture<Void>>> removals = new LinkedHashMap<>();
        try {
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Set.of();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
        try {
            halts.incrementAndGet();
            // Every mirror's partitions are removed before any removal is waited for: the copy
            // threads let go of all of them in their next step, and their writes land together.
            for (Mirror mirror : mirrors) {
                List<CompletableFuture<Void>> ofMirror = removals.computeIfAbsent(mirror.id(), id -> new ArrayList<>());
                for (LinkReplicator g : groups.values()) {
                    ofMirror.addAll(g.removeMirror(mirror.id()));
                }
                for (LinkReplicator g : retiring) {
                    ofMirror.addAll(g.removeMirror(mirror.id()));
                }
            }
        } finally {
            lock.unlock();
        }
        Set<Long> halted = new LinkedHashSet<>();
        for (Mirror mirror : mirrors) {
            long mirrorId = mirror.id();
            try {
                CompletableFuture.allOf(removals.get(mirrorId).toArray(CompletableFuture[]::new))
                        .get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return halted;
            } catch (Exception e) {
                LOG.warnf("Mirror %d did not halt within %s: writes are still in flight", mirrorId, timeout);
                continue;
            }
            // Other instances see the new state at their next round and let go of their partitions.
            if (!fleet.halt(mirrorId, mirror.partitions(),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                LOG.warnf("Mirror %d did not halt within %s: another instance still holds one of its partitions",
                        mirrorId, timeout);
                continue;
            }
            halted.add(mirrorId);
        }
        return halted;
    }

    /**
     * The fleet session is gone or unconfirmed: another instance may take this one's partitions
     * any moment, so every write stops now (producers closed without waiting, starts cancelled).
     * Called on the fleet's thread; the reconciler retires the stopped threads at its next round.
     */
    private void abortAll() {
        live.forEach(LinkReplicator::abort);
        wake();
    }

    /**
     * A normal shutdown: every partition is removed (its writes land first), recorded as quiet
     * when nothing of it was left in flight, and given back, so the instances that take it over
     * start writing at once.
     */
    private void handOverAll() {
        Map<Fleet.MirrorPartitionId, CompletableFuture<Void>> removals = new HashMap<>();
        groups.values().forEach(g -> removals.putAll(g.removeAll()));
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        removals.forEach((id, done) -> {
            try {
                done.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
                release(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warnf("Partition %d of mirror %d still has writes in flight at shutdown", id.partition(),
                        id.mirrorId());
            }
        });
    }

    private void release(Fleet.MirrorPartitionId id) {
        fleet.release(id, taken.quiet(id, progress.get(id.mirrorId())));
        taken.released(id);
    }

    @Override
    public Map<Integer, PartitionLag> lags(Mirror mirror) {
        Map<Integer, PartitionLag> lags = new HashMap<>();
        PartitionProgress[] p = progress.get(mirror.id());
        if (p == null) {
            return lags;
        }
        Set<Fleet.MirrorPartitionId> copied = copying;
        for (int i = 0; i < Math.min(p.length, mirror.partitions()); i++) {
            if (copied.contains(new Fleet.MirrorPartitionId(mirror.id(), i))) {
                PartitionLag lag = p[i].lag();
                lags.put(i, MirrorLifecycle.hasLag(mirror.status()) ? lag
                        : new PartitionLag(i, 0, lag.lastSourceFetchOffset()));
            }
        }
        return lags;
    }

    /**
     * Why the reconciler is not live (its thread ended, or no round finished for {@code stuckAfter}),
     * or null when it is.
     */
    String notLive(Duration stuckAfter) {
        if (reconciler == null) {
            return null; // not started yet
        }
        if (!reconciler.isAlive()) {
            return running ? "the reconciler thread ended" : null;
        }
        long since = System.nanoTime() - lastRound;
        return since > stuckAfter.toNanos() ? "the reconciler finished no round for " + since / 1_000_000_000 + " s"
                : null;
    }

    @Override
    public long copiedRecords(long mirrorId) {
        return sum(mirrorId, PartitionProgress::copied);
    }

    @Override
    public long copiedBytes(long mirrorId) {
        return sum(mirrorId, PartitionProgress::copiedBytes);
    }

    @Override
    public long restarts(long mirrorId, RestartCause cause) {
        return sum(mirrorId, p -> p.restarts(cause));
    }

    @Override
    public long fenceWaits(long mirrorId) {
        return sum(mirrorId, PartitionProgress::fenceWaits);
    }

    private long sum(long mirrorId, ToLongFunction<PartitionProgress> counter) {
        PartitionProgress[] p = progress.get(mirrorId);
        long sum = 0;
        if (p != null) {
            for (PartitionProgress x : p) {
                sum += counter.applyAsLong(x);
            }
        }
        return sum;
    }

    @Override
    public Optional<String> activity(Mirror mirror) {
        List<String> notes = new ArrayList<>();
        Map<Integer, String> byPartition = problems.get(mirror.id());
        if (byPartition != null) {
            new TreeMap<>(byPartition).forEach((partition, message) -> notes.add(message));
        }
        return notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes));
    }

    // ---- CopyListener: from copy threads and starts; applied by the reconciler ----

    @Override
    public void failed(long mirrorId, MirrorTopicError error, String message) {
        reports.add("failure of mirror " + mirrorId, () -> {
            events.failed(mirrorId, error, message);
            problems.remove(mirrorId);
        });
        wake();
    }

    @Override
    public void recordsSkipped(long mirrorId, int partition, long count, long newStart) {
        reports.add("skipped records of mirror " + mirrorId,
                () -> events.recordsSkipped(mirrorId, partition, count, newStart));
        wake();
    }

    @Override
    public void problem(long mirrorId, int partition, String message) {
        if (message == null) {
            Map<Integer, String> byPartition = problems.get(mirrorId);
            if (byPartition != null && byPartition.remove(partition) != null) {
                LOG.infof("Mirror %d, partition %d moves again", mirrorId, partition);
            }
            return;
        }
        String previous = problems.computeIfAbsent(mirrorId, id -> new ConcurrentHashMap<>()).put(partition, message);
        if (!message.equals(previous)) {
            LOG.warnf("Mirror %d, partition %d: %s", mirrorId, partition, message);
        }
    }

    // ---- the reconciler ----

    private void reconcileLoop() {
        while (running) {
            try {
                reconcile();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Replication reconcile failed; retrying in %s", settings.reconcileInterval());
            }
            lastRound = System.nanoTime();
            synchronized (wakeSignal) {
                if (!wakeRequested && running) {
                    try {
                        wakeSignal.wait(settings.reconcileInterval().toMillis());
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
        events.lookUpClusters();
        reports.applyAll();
        // Take this instance's share before reading the plan that is applied: a partition taken
        // now is copied only if the plan read after it still says so (a halt changes the state first).
        if (lastPlan == null) {
            lastPlan = events.replicationPlan();
        }
        Set<Fleet.MirrorPartitionId> work = work(lastPlan);
        List<Fleet.Acquired> acquired = new ArrayList<>(fleet.balance(work));
        // Remote reads happen before the lock; a halt that takes the lock meanwhile makes this
        // round's plan stale, and the round is done again.
        long seen = halts.get();
        List<ReplicationAssignment> plan = events.replicationPlan();
        if (!work.containsAll(work(plan))) {
            // New work (a mirror created or grown): its share is taken now, not a round later, and
            // the plan read again after that.
            acquired.addAll(fleet.balance(work(plan)));
            seen = halts.get();
            plan = events.replicationPlan();
        }
        lastPlan = plan;
        plan.forEach(a -> {
            if (clusters.knownLimits(a.destination()).isEmpty()) {
                clusters.limits(a.destination());
            }
        });
        Set<Fleet.MirrorPartitionId> writable = fleet.writable();
        List<ReplicationAssignment> mine;
        Set<Fleet.MirrorPartitionId> busy = new HashSet<>();
        lock.lock();
        try {
            if (halts.get() != seen) {
                wake();
                return;
            }
            Map<Long, Mirror> mirrors = new HashMap<>();
            plan.forEach(a -> mirrors.put(a.mirror().id(), a.mirror()));
            taken.taken(acquired);
            taken.apply(id -> mirrors.containsKey(id) ? progressOf(mirrors.get(id)) : null);
            plan.removeIf(a -> stopping.contains(a.mirror().id()));
            mine = owned(plan, writable);
            apply(mine);
            Set<Fleet.MirrorPartitionId> given = new HashSet<>();
            mine.forEach(a -> a.partitions().forEach(p -> given.add(new Fleet.MirrorPartitionId(a.mirror().id(), p))));
            copying = given;
            busy.addAll(given);
            List<LinkReplicator> all = new ArrayList<>(groups.values());
            all.addAll(retiring);
            all.forEach(g -> busy.addAll(g.heldPartitions()));
        } finally {
            lock.unlock();
        }
        for (ReplicationAssignment a : mine) {
            try {
                report(a);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Cannot record the progress of mirror topic '%s'", a.mirror().mirrorTopic());
            }
        }
        for (Fleet.MirrorPartitionId id : fleet.releasing()) {
            if (!busy.contains(id)) {
                release(id);
            }
        }
        for (ReplicationAssignment a : plan) {
            if (MirrorLifecycle.promoting(a.mirror()) && a.allReachedStop() && stopDue(a.mirror())) {
                completePromotion(a.mirror());
            }
        }
        long now = System.currentTimeMillis();
        if (now - lastSweep >= FAILOVER_SWEEP.toMillis()) {
            lastSweep = now;
            sweepFailovers();
        }
        if (now - lastPrune >= PRUNE_INTERVAL.toMillis()) {
            lastPrune = now;
            Set<Long> ids = events.mirrorIds();
            progress.keySet().removeIf(id -> !ids.contains(id));
            problems.keySet().removeIf(id -> !ids.contains(id));
        }
    }

    /** The partitions the fleet shares: those of mirrors to copy, less those that reached their stop. */
    private static Set<Fleet.MirrorPartitionId> work(List<ReplicationAssignment> plan) {
        Set<Fleet.MirrorPartitionId> work = new HashSet<>();
        for (ReplicationAssignment a : plan) {
            boolean promoting = MirrorLifecycle.promoting(a.mirror());
            for (int p : a.partitions()) {
                if (!promoting || !a.reachedStop().contains(p)) {
                    work.add(new Fleet.MirrorPartitionId(a.mirror().id(), p));
                }
            }
        }
        return work;
    }

    /** The plan narrowed to the partitions this instance may write now. */
    private static List<ReplicationAssignment> owned(List<ReplicationAssignment> plan,
            Set<Fleet.MirrorPartitionId> writable) {
        List<ReplicationAssignment> mine = new ArrayList<>();
        for (ReplicationAssignment a : plan) {
            boolean promoting = MirrorLifecycle.promoting(a.mirror());
            Set<Integer> partitions = new HashSet<>();
            for (int p : a.partitions()) {
                if (writable.contains(new Fleet.MirrorPartitionId(a.mirror().id(), p))
                        && !(promoting && a.reachedStop().contains(p))) {
                    partitions.add(p);
                }
            }
            if (!partitions.isEmpty()) {
                mine.add(a.only(partitions));
            }
        }
        return mine;
    }

    private void apply(List<ReplicationAssignment> plan) {
        Map<String, List<ReplicationAssignment>> byGroup = new HashMap<>();
        for (ReplicationAssignment a : plan) {
            byGroup.computeIfAbsent(a.fetcherGroupKey(), k -> new ArrayList<>()).add(a);
        }
        for (Iterator<LinkReplicator> it = retiring.iterator(); it.hasNext();) {
            if (it.next().closeIfTerminated()) {
                it.remove();
            }
        }
        Set<String> gone = new HashSet<>(groups.keySet());
        gone.removeAll(byGroup.keySet());
        for (String key : gone) {
            retire(groups.remove(key));
        }
        for (Map.Entry<String, List<ReplicationAssignment>> e : byGroup.entrySet()) {
            LinkReplicator existing = groups.get(e.getKey());
            if (existing != null && !existing.healthy()) {
                LOG.warnf("A copy thread of link '%s' died; its partitions start again from the mirrors' end offsets",
                        existing.linkName());
                retire(groups.remove(e.getKey()));
            }
        }
        int threads = 0;
        for (List<ReplicationAssignment> assignments : byGroup.values()) {
            threads += budget.fetchersFor(assignments.get(0).fetchers(), byGroup.size());
        }
        budget.planned(threads);
        Set<Fleet.MirrorPartitionId> retiringHeld = new HashSet<>();
        retiring.forEach(g -> retiringHeld.addAll(g.heldPartitions()));
        for (Map.Entry<String, List<ReplicationAssignment>> e : byGroup.entrySet()) {
            LinkReplicator group = groups.computeIfAbsent(e.getKey(), k -> newGroup(e.getValue().get(0),
                    budget.fetchersFor(e.getValue().get(0).fetchers(), byGroup.size())));
            Set<Fleet.MirrorPartitionId> busy = new HashSet<>(retiringHeld);
            groups.forEach((key, other) -> {
                if (other != group) {
                    busy.addAll(other.heldPartitions());
                }
            });
            group.throttle().rate(e.getValue().get(0).maxBytesPerSecond());
            group.apply(e.getValue(), this::progressOf, busy);
        }
    }

    /** Stops a link's copy threads; their partitions go to another group only once these have ended. */
    private void retire(LinkReplicator group) {
        group.shutdown();
        retiring.add(group);
    }

    private LinkReplicator newGroup(ReplicationAssignment first, int fetchers) {
        // Looked up before the lock (see reconcile): the defaults when the cluster did not say.
        DestinationLimits limits = clusters.knownLimits(first.destination()).orElse(DestinationLimits.DEFAULTS);
        Duration timeout = sourceTimeout;
        CopyClients clientsOf = new CopyClients("clusterlink-" + first.linkName(), first.sourceProperties(),
                first.destination(), destinationTopics,
                sources.admin(first.mirror().linkId(), first.linkName(), first.sourceProperties()),
                limits.maxBatchBytes(), timeout, budget);
        PartitionCopier.Settings copierSettings = new PartitionCopier.Settings(settings.fenceInterval(),
                settings.maxRetryBackoff(), settings.silenceBeforeTopicCheck(), settings.topicCheckInterval(),
                settings.stuckAfter());
        PartitionStarter.Settings starterSettings = new PartitionStarter.Settings(settings.fenceInterval(),
                timeout.compareTo(Duration.ofSeconds(30)) > 0 ? timeout : Duration.ofSeconds(30),
                settings.alignChunk());
        List<PartitionCopier> copiers = new ArrayList<>();
        Throttle throttle = new Throttle();
        for (int i = 0; i < fetchers; i++) {
            String name = "replicator-" + first.linkName() + "-" + i;
            PartitionStarter starter = new PartitionStarter(name, clientsOf, startPool, alignPool, this,
                    starterSettings);
            copiers.add(new PartitionCopier(name, clientsOf, starter, this, copierSettings,
                    System::currentTimeMillis, throttle));
        }
        LinkReplicator[] self = new LinkReplicator[1];
        self[0] = new LinkReplicator(first.linkName(), copiers, throttle, () -> {
            live.remove(self[0]);
            clientsOf.close();
        });
        live.add(self[0]);
        return self[0];
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

    /**
     * Records what the partitions this instance copies reached and the database does not know
     * yet: aligned to their start offsets (the last one makes the mirror ACTIVE), caught up with
     * their stop offsets (then the fleet no longer gives them to anyone, and the promotion is
     * finished once all are).
     */
    private void report(ReplicationAssignment a) {
        Mirror m = a.mirror();
        PartitionProgress[] p = progress.get(m.id());
        if (p == null || p.length < m.partitions()) {
            return;
        }
        for (int i : a.partitions()) {
            if (MirrorLifecycle.aligning(m) && p[i].aligned() && !a.aligned().contains(i)) {
                events.partitionAligned(m.id(), i);
            } else if (MirrorLifecycle.promoting(m) && p[i].reachedStop() && !a.reachedStop().contains(i)) {
                events.partitionReachedStop(m.id(), i);
            }
        }
    }

    private boolean stopDue(Mirror m) {
        Long retryAt = stopRetryAt.get(m.id());
        return retryAt == null || System.currentTimeMillis() >= retryAt;
    }

    /**
     * Halts a promoted mirror whose partitions all reached their stop offsets and finishes its
     * promotion, on the stopper thread, on one instance of the fleet at a time.
     */
    private void completePromotion(Mirror m) {
        if (!stopping.add(m.id())) {
            return;
        }
        stopper.execute(() -> {
            try {
                fleet.exclusively(m.id(), () -> {
                    if (!halt(m, HALT_TIMEOUT)) {
                        throw new IllegalStateException("its writes did not stop within " + HALT_TIMEOUT.toSeconds()
                                + " s");
                    }
                    events.stopCaughtUp(m.id());
                });
                stopRetryAt.remove(m.id());
            } catch (RuntimeException e) {
                LOG.warnf("Cannot finish the promotion of mirror topic '%s' yet (%s); copying goes on and it is tried "
                        + "again", m.mirrorTopic(), e.getMessage());
                stopRetryAt.put(m.id(), System.currentTimeMillis() + STOP_RETRY.toMillis());
            } finally {
                stopping.remove(m.id());
                wake();
            }
        });
    }

    /**
     * Finishes what was left unfinished: failovers that were requested but not finished (the
     * service stopped, a halt timed out) and mirror creations that were cut short.
     */
    private void sweepFailovers() {
        try {
            events.finishInterruptedCreations(fleet::ownsLink);
        } catch (RuntimeException e) {
            LOG.warnf("Cannot look for interrupted mirror creations: %s", e.getMessage());
        }
        for (long id : events.unfinishedFailovers(fleet::ownsLink)) {
            if (!stopping.add(id)) {
                continue;
            }
            stopper.execute(() -> {
                try {
                    events.finishFailover(id);
                } catch (RuntimeException e) {
                    LOG.warnf("Cannot finish the failover of mirror %d yet: %s", id, e.getMessage());
                } finally {
                    stopping.remove(id);
                }
            });
        }
    }
}
