package io.clusterlink.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.store.FleetSession;
import io.clusterlink.store.MirrorPartitions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Who does which work when several instances share one database. Each mirror partition and each
 * link's sync tasks is owned by the instance whose {@link FleetSession} holds its PostgreSQL
 * advisory lock; an instance that exits, is killed or loses its connection loses its locks, and
 * the others take the work over. The locks are also the hand-over fence:
 * <ul>
 * <li>an owner gives a partition's lock back only once nothing of it is in flight, and records
 * that it left it quiet;</li>
 * <li>an instance that takes a partition its writer did not leave quiet (a vanished writer) waits
 * {@code takeover-wait}, the vanished writer's write bound, before its first write (and then the
 * start verifies the mirror's tail, as every start does);</li>
 * <li>an instance whose session is gone, or not confirmed for {@code session-timeout}, stops every
 * write at once ({@link #onLost});</li>
 * <li>a halt (pause, failover, the end of a promotion) on any instance holds every lock of the
 * mirror before it reports that nothing writes it.</li>
 * </ul>
 * Keys: mirror partition {@code (mirror id << 20) | partition}, link sync tasks {@code -link id},
 * a mirror's promotion completion {@code Long.MIN_VALUE / 2 + mirror id}.
 */
@ApplicationScoped
public class Fleet {

    private static final Logger LOG = Logger.getLogger(Fleet.class);
    private static final int PARTITION_BITS = 20;
    private static final long POLL_MS = 100;

    /** A partition of a mirror. */
    public record MirrorPartitionId(long mirrorId, int partition) {
    }

    /** A partition this instance just took over; {@code quiet} when its last writer left nothing in flight. */
    public record Acquired(MirrorPartitionId id, boolean quiet) {
    }

    /** Who holds what, as the database shows it. */
    public record Ownership(List<String> members, Map<MirrorPartitionId, String> partitions, Map<Long, String> links) {
    }

    private enum Kind {
        PARTITION, LINK, HALT, EXCLUSIVE
    }

    private static final class Held {
        final Kind kind;
        final long usableAt;
        boolean releasing;

        Held(Kind kind, long usableAt) {
            this.kind = kind;
            this.usableAt = usableAt;
        }
    }

    private final MirrorPartitions rows;
    private final Duration sessionTimeout;
    private final Duration takeoverWait;
    private final Duration checkInterval;
    private final FleetSession session;
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    /** Partitions taken over from a writer that vanished (so with a takeover wait), by mirror id (metrics). */
    private final Map<Long, LongAdder> takeovers = new ConcurrentHashMap<>();

    /** Guards the session and {@link #held}. */
    private final Object monitor = new Object();
    private final Map<Long, Held> held = new HashMap<>();
    private long epoch;
    private volatile long confirmedAt;
    private volatile boolean running;
    private Thread checker;

    @Inject
    Fleet(MirrorPartitions rows, ClusterlinkConfig config,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.rows = rows;
        ClusterlinkConfig.Fleet settings = config.fleet();
        this.sessionTimeout = settings.sessionTimeout();
        this.takeoverWait = settings.takeoverWait();
        // Confirmed at least three times per session timeout, so one slow check does not look like a lost session.
        this.checkInterval = settings.checkInterval().compareTo(sessionTimeout.dividedBy(3)) < 0
                ? settings.checkInterval() : sessionTimeout.dividedBy(3);
        this.session = new FleetSession(url, user, password, settings.instanceId().orElseGet(Fleet::defaultId),
                sessionTimeout);
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String id = host + "-" + ProcessHandle.current().pid();
        return id.length() > 50 ? id.substring(id.length() - 50) : id;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        confirm();
        checker = new Thread(this::checkLoop, "fleet-session");
        checker.setDaemon(true);
        checker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        // Not interrupted: a check cut short would look like a lost session and abort the hand-over.
        running = false;
    }

    /**
     * Ends the session after the data plane let go of its work: every lock is released at once, and
     * the session check, which may still run once, does not join again (a stopped application in a
     * JVM that goes on, as in tests and dev mode, would otherwise stay a member that takes no work).
     */
    public void leave() {
        synchronized (monitor) {
            held.clear();
            session.end();
        }
    }

    public String instanceId() {
        return session.instanceId();
    }

    /** Called, on the fleet's thread, when this instance may have lost its locks: stop every write now. */
    public void onLost(Runnable listener) {
        lostListeners.add(listener);
    }

    private void checkLoop() {
        while (running) {
            try {
                Thread.sleep(checkInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                confirm();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Fleet session check failed");
            }
        }
    }

    private void confirm() {
        boolean lost;
        synchronized (monitor) {
            long e = session.confirm();
            lost = !held.isEmpty() && e != epoch;
            if (e >= 0) {
                epoch = e;
                confirmedAt = System.nanoTime();
            } else {
                epoch = -1;
            }
            if (lost) {
                held.clear();
            }
        }
        if (lost) {
            lose();
        }
    }

    /** The session answered recently: locks this instance holds are still its own. */
    private boolean confirmed() {
        return epoch > 0 && System.nanoTime() - confirmedAt < sessionTimeout.toNanos();
    }

    private void lose() {
        LOG.warnf("Instance %s may have lost its locks: every write stops, and its work is taken again with a "
                + "fence wait", instanceId());
        lostListeners.forEach(Runnable::run);
    }

    /** After a session call: a call that failed closed the session, and the locks went with it. */
    private boolean sessionFailed() {
        if (session.open() || held.isEmpty()) {
            return !session.open();
        }
        held.clear();
        epoch = -1;
        return true;
    }

    // ---- mirror partitions (the reconciler's thread) ----

    public static long key(MirrorPartitionId id) {
        return id.mirrorId() << PARTITION_BITS | id.partition();
    }

    private static MirrorPartitionId partitionOf(long key) {
        return new MirrorPartitionId(key >>> PARTITION_BITS, (int) (key & ((1L << PARTITION_BITS) - 1)));
    }

    /**
     * Moves this instance towards its share of {@code work}: takes free partitions while it has
     * fewer, marks those beyond its share (and those no longer work) for release.
     *
     * @return the partitions taken now
     */
    public List<Acquired> balance(Set<MirrorPartitionId> work) {
        List<Acquired> acquired = new ArrayList<>();
        boolean lost = false;
        synchronized (monitor) {
            if (!confirmed()) {
                return acquired;
            }
            Balance.Decision decision;
            try {
                Set<Long> keys = new HashSet<>();
                work.forEach(id -> keys.add(key(id)));
                decision = Balance.decide(instanceId(), session.members(), keys, session.holders(),
                        heldKeys(Kind.PARTITION));
            } catch (SQLException e) {
                LOG.warnf("Cannot read the fleet's members and locks: %s", e.getMessage());
                lost = sessionFailed();
                decision = new Balance.Decision(List.of(), List.of());
            }
            for (long k : decision.release()) {
                held.get(k).releasing = true;
            }
            for (long k : decision.acquire()) {
                if (!session.tryLock(k)) {
                    if (sessionFailed()) {
                        lost = true;
                        break;
                    }
                    continue;
                }
                MirrorPartitionId id = partitionOf(k);
                boolean quiet;
                try {
                    quiet = rows.takeQuiet(id.mirrorId(), id.partition());
                } catch (RuntimeException e) {
                    session.unlock(k);
                    continue;
                }
                long now = System.nanoTime();
                held.put(k, new Held(Kind.PARTITION, quiet ? now : now + takeoverWait.toNanos()));
                acquired.add(new Acquired(id, quiet));
                if (!quiet) {
                    takeovers.computeIfAbsent(id.mirrorId(), m -> new LongAdder()).increment();
                    LOG.infof("Instance %s takes over partition %d of mirror %d from a writer that vanished: it "
                            + "writes after %s", instanceId(), id.partition(), id.mirrorId(), takeoverWait);
                }
            }
        }
        if (lost) {
            lose();
        }
        return acquired;
    }

    /** Partitions of the mirror this instance took over from a writer that vanished, waiting {@code takeover-wait}. */
    public long takeoverWaits(long mirrorId) {
        LongAdder n = takeovers.get(mirrorId);
        return n == null ? 0 : n.sum();
    }

    /** Forgets the takeovers of mirrors that no longer exist. */
    void forgetTakeoversExcept(Set<Long> mirrorIds) {
        takeovers.keySet().retainAll(mirrorIds);
    }

    /**
     * Partitions this instance may write now: held, not being released, past any takeover wait.
     * (A session that is gone or unconfirmed stops the writes through {@link #onLost}, at once and
     * for all partitions; a merely slow check does not take partitions away.)
     */
    public Set<MirrorPartitionId> writable() {
        Set<MirrorPartitionId> ids = new HashSet<>();
        synchronized (monitor) {
            long now = System.nanoTime();
            held.forEach((k, h) -> {
                if (h.kind == Kind.PARTITION && !h.releasing && now - h.usableAt >= 0) {
                    ids.add(partitionOf(k));
                }
            });
        }
        return ids;
    }

    /** Partitions this instance holds and is to give back (beyond its share, or no longer work). */
    public Set<MirrorPartitionId> releasing() {
        Set<MirrorPartitionId> ids = new HashSet<>();
        synchronized (monitor) {
            held.forEach((k, h) -> {
                if (h.kind == Kind.PARTITION && h.releasing) {
                    ids.add(partitionOf(k));
                }
            });
        }
        return ids;
    }

    /**
     * Gives a partition back; call only once nothing of it is in flight from this instance.
     *
     * @param quiet whether every write this instance sent to it was answered
     */
    public void release(MirrorPartitionId id, boolean quiet) {
        long k = key(id);
        synchronized (monitor) {
            Held h = held.get(k);
            if (h == null || h.kind != Kind.PARTITION) {
                return;
            }
            try {
                rows.released(id.mirrorId(), id.partition(), quiet);
            } catch (RuntimeException e) {
                LOG.debugf("Cannot record partition %d of mirror %d as quiet: %s", id.partition(), id.mirrorId(),
                        e.getMessage());
            }
            session.unlock(k);
            held.remove(k);
        }
    }

    private Set<Long> heldKeys(Kind kind) {
        Set<Long> keys = new HashSet<>();
        held.forEach((k, h) -> {
            if (h.kind == kind) {
                keys.add(k);
            }
        });
        return keys;
    }

    // ---- halts (any thread) ----

    /**
     * Waits until no instance writes any partition of a mirror whose state no longer lets it be
     * copied: holds each partition's lock in turn (owners give them back once their writes have
     * landed), waits out a vanished writer's bound where one left writes in flight, then lets
     * them go. This instance's own copy threads must have let go of the mirror already.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean halt(long mirrorId, int partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> pending = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            pending.add(key(new MirrorPartitionId(mirrorId, p)));
        }
        List<Long> taken = new ArrayList<>();
        List<Long> unquiet = new ArrayList<>();
        try {
            while (true) {
                synchronized (monitor) {
                    for (var it = pending.iterator(); it.hasNext();) {
                        long k = it.next();
                        if (held.containsKey(k)) {
                            it.remove();
                        } else if (session.tryLock(k)) {
                            held.put(k, new Held(Kind.HALT, System.nanoTime()));
                            taken.add(k);
                            it.remove();
                            MirrorPartitionId id = partitionOf(k);
                            if (!rows.quiet(id.mirrorId(), id.partition())) {
                                unquiet.add(k);
                            }
                        }
                    }
                }
                if (pending.isEmpty()) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(POLL_MS);
            }
            if (!unquiet.isEmpty()) {
                if (deadline - System.nanoTime() < takeoverWait.toNanos()) {
                    return false;
                }
                LOG.infof("Mirror %d: %d partition(s) were left by a writer that vanished; waiting %s for its "
                        + "writes to land", mirrorId, unquiet.size(), takeoverWait);
                Thread.sleep(takeoverWait.toMillis());
                for (long k : unquiet) {
                    MirrorPartitionId id = partitionOf(k);
                    rows.released(id.mirrorId(), id.partition(), true);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            synchronized (monitor) {
                for (long k : taken) {
                    if (held.remove(k) != null) {
                        session.unlock(k);
                    }
                }
            }
        }
    }

    /**
     * Runs {@code work} while holding a mirror's exclusive lock, on no other instance at the same
     * time; returns false without running it when another instance holds it.
     */
    public boolean exclusively(long mirrorId, Runnable work) {
        long k = Long.MIN_VALUE / 2 + mirrorId;
        synchronized (monitor) {
            if (held.containsKey(k) || !confirmed() || !session.tryLock(k)) {
                return false;
            }
            held.put(k, new Held(Kind.EXCLUSIVE, System.nanoTime()));
        }
        try {
            work.run();
            return true;
        } finally {
            synchronized (monitor) {
                if (held.remove(k) != null) {
                    session.unlock(k);
                }
            }
        }
    }

    // ---- links (the sync scheduler's thread) ----

    /**
     * Moves towards this instance's share of the links' sync tasks; returns the links it owns now.
     * Links in {@code busy} (a run in progress) are not given back yet.
     */
    public Set<Long> balanceLinks(Set<Long> linkIds, Set<Long> busy) {
        Set<Long> owned = new HashSet<>();
        boolean lost = false;
        synchronized (monitor) {
            if (!confirmed()) {
                return owned;
            }
            Set<Long> keys = new HashSet<>();
            linkIds.forEach(id -> keys.add(-id));
            try {
                Balance.Decision d = Balance.decide(instanceId(), session.members(), keys, session.holders(),
                        heldKeys(Kind.LINK));
                for (long k : d.release()) {
                    if (!busy.contains(-k)) {
                        session.unlock(k);
                        held.remove(k);
                    }
                }
                for (long k : d.acquire()) {
                    if (session.tryLock(k)) {
                        held.put(k, new Held(Kind.LINK, System.nanoTime()));
                    }
                }
            } catch (SQLException e) {
                LOG.warnf("Cannot read the fleet's members and locks: %s", e.getMessage());
            }
            lost = sessionFailed();
            heldKeys(Kind.LINK).forEach(k -> owned.add(-k));
        }
        if (lost) {
            lose();
        }
        return owned;
    }

    /** Whether this instance runs a link's sync tasks now. */
    public boolean ownsLink(long linkId) {
        synchronized (monitor) {
            Held h = held.get(-linkId);
            return h != null && h.kind == Kind.LINK && confirmed();
        }
    }

    // ---- the view ----

    /** The fleet's members and who holds which partition and link. */
    public Ownership ownership() {
        synchronized (monitor) {
            try {
                Map<MirrorPartitionId, String> partitions = new HashMap<>();
                Map<Long, String> links = new HashMap<>();
                session.holders().forEach((k, instance) -> {
                    if (k > 0) {
                        partitions.put(partitionOf(k), instance);
                    } else if (k > Long.MIN_VALUE / 4) {
                        links.put(-k, instance);
                    }
                });
                return new Ownership(session.members(), partitions, links);
            } catch (SQLException e) {
                throw new IllegalStateException("The fleet's locks cannot be read now: " + e.getMessage(), e);
            }
        }
    }
}
