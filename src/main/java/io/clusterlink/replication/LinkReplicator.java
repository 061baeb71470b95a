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
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.service.Fleet;
import io.clusterlink.service.ReplicationAssignment;

/**
 * The copy threads of one link (one per {@code num.cluster.link.fetchers}) and which partition each
 * one holds. A partition belongs to exactly one copy thread; one that is being removed is not
 * given to any copy thread again until nothing of it is in flight, and its removal can be waited
 * for by whoever asks (a halt, a later halt, the reconciler).
 */
final class LinkReplicator {

    private static final Logger LOG = Logger.getLogger(LinkReplicator.class);

    private final String linkName;
    private final List<PartitionCopier> copiers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable onClose;
    private final Throttle throttle;
    private boolean closed;
    private final Map<TopicPartition, Integer> owner = new HashMap<>();
    private final Map<TopicPartition, Long> mirrorOf = new HashMap<>();
    private final Map<TopicPartition, Long> stopOf = new HashMap<>();
    /** Removals not yet complete, by partition, with the mirror they belonged to. */
    private final Map<TopicPartition, Removal> removing = new ConcurrentHashMap<>();

    private record Removal(long mirrorId, CompletableFuture<Void> done) {
    }

    LinkReplicator(String linkName, List<PartitionCopier> copiers, Throttle throttle, Runnable onClose) {
        this.linkName = linkName;
        this.throttle = throttle;
        this.onClose = onClose;
        for (PartitionCopier copier : copiers) {
            Thread t = new Thread(copier, copier.name());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> LOG.errorf(e, "Thread %s died", th.getName()));
            this.copiers.add(copier);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    String linkName() {
        return linkName;
    }

    /** The link's bandwidth bound, shared by its copy threads. */
    Throttle throttle() {
        return throttle;
    }

    /** Partitions being removed: nothing else may write them yet. */
    Set<TopicPartition> busy() {
        removing.values().removeIf(r -> r.done().isDone());
        return new HashSet<>(removing.keySet());
    }

    /**
     * Brings the copy threads in line with the assignments of this link: new partitions are added
     * (unless {@code busy} elsewhere or still being removed here), stop offsets updated, partitions
     * no longer assigned removed.
     */
    void apply(List<ReplicationAssignment> assignments, Function<Mirror, PartitionProgress[]> progress,
            Set<Fleet.MirrorPartitionId> busyElsewhere) {
        Set<TopicPartition> wanted = new HashSet<>();
        Set<TopicPartition> busyHere = busy();
        Map<Integer, List<MirrorPartition>> added = new HashMap<>();
        for (ReplicationAssignment a : assignments) {
            Mirror m = a.mirror();
            PartitionProgress[] p = progress.apply(m);
            for (int i : a.partitions()) {
                TopicPartition source = new TopicPartition(m.sourceTopic(), i);
                wanted.add(source);
                Long stop = MirrorLifecycle.promoting(m) ? m.stopOffsets().get(i) : null;
                Integer index = owner.get(source);
                if (index == null || !Long.valueOf(m.id()).equals(mirrorOf.get(source))) {
                    // Busy elsewhere: the same mirror partition, still held by another group (the
                    // link's connection settings changed). Other links may mirror the same source topic.
                    if (busyHere.contains(source) || busyElsewhere.contains(new Fleet.MirrorPartitionId(m.id(), i))) {
                        continue;
                    }
                    if (index != null) {
                        remove(Set.of(source));
                        continue;
                    }
                    index = Math.floorMod(source.hashCode(), copiers.size());
                    owner.put(source, index);
                    mirrorOf.put(source, m.id());
                    stopOf.put(source, stop);
                    added.computeIfAbsent(index, k -> new ArrayList<>()).add(new MirrorPartition(m.id(), source,
                            new TopicPartition(m.mirrorTopic(), i), m.sourceTopicId(), m.startOffsets().get(i), stop,
                            p[i]));
                } else if (!Objects.equals(stopOf.get(source), stop)) {
                    stopOf.put(source, stop);
                    copiers.get(index).updateStop(source, stop);
                }
            }
        }
        // One command per copy thread: an idle copy thread woken by its first new partition would
        // otherwise start the partitions of one mirror one by one.
        added.forEach((index, partitions) -> copiers.get(index).add(partitions));
        Set<TopicPartition> removed = new HashSet<>(owner.keySet());
        removed.removeAll(wanted);
        remove(removed);
    }

    /** Removes a mirror's partitions; the futures complete once nothing of them is in flight, also earlier removals. */
    List<CompletableFuture<Void>> removeMirror(long mirrorId) {
        Set<TopicPartition> held = new HashSet<>();
        mirrorOf.forEach((tp, id) -> {
            if (id == mirrorId) {
                held.add(tp);
            }
        });
        List<CompletableFuture<Void>> futures = new ArrayList<>(remove(held));
        removing.values().stream().filter(r -> r.mirrorId() == mirrorId).forEach(r -> futures.add(r.done()));
        return futures;
    }

    private List<CompletableFuture<Void>> remove(Set<TopicPartition> partitions) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        Map<Integer, Set<TopicPartition>> byCopier = new HashMap<>();
        Map<TopicPartition, Long> mirrors = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Integer index = owner.remove(tp);
            Long mirror = mirrorOf.remove(tp);
            stopOf.remove(tp);
            if (index != null) {
                byCopier.computeIfAbsent(index, k -> new HashSet<>()).add(tp);
                mirrors.put(tp, mirror);
            }
        }
        byCopier.forEach((index, tps) -> {
            CompletableFuture<Void> done = copiers.get(index).remove(tps);
            futures.add(done);
            for (TopicPartition tp : tps) {
                removing.put(tp, new Removal(mirrors.get(tp), done));
            }
        });
        return futures;
    }

    /** Removes every partition; each future completes once nothing of its partition is in flight. */
    Map<Fleet.MirrorPartitionId, CompletableFuture<Void>> removeAll() {
        remove(new HashSet<>(owner.keySet()));
        Map<Fleet.MirrorPartitionId, CompletableFuture<Void>> futures = new HashMap<>();
        removing.forEach((tp, r) -> futures.put(new Fleet.MirrorPartitionId(r.mirrorId(), tp.partition()), r.done()));
        return futures;
    }

    /** The mirror partitions this link's copy threads hold or are removing. */
    Set<Fleet.MirrorPartitionId> heldPartitions() {
        Set<Fleet.MirrorPartitionId> all = new HashSet<>();
        mirrorOf.forEach((tp, id) -> all.add(new Fleet.MirrorPartitionId(id, tp.partition())));
        removing.values().removeIf(r -> r.done().isDone());
        removing.forEach((tp, r) -> all.add(new Fleet.MirrorPartitionId(r.mirrorId(), tp.partition())));
        return all;
    }

    void shutdown() {
        copiers.forEach(PartitionCopier::stop);
    }

    /** Stops every write now: the copy threads end without waiting for what is in flight (any thread). */
    void abort() {
        copiers.forEach(PartitionCopier::abort);
    }

    /** False once a copy thread has died (e.g. an Error): its partitions no longer move. */
    boolean healthy() {
        return threads.stream().allMatch(Thread::isAlive);
    }

    boolean terminated() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** Waits for the copy threads to end; they finish what they have in flight first. */
    boolean awaitTermination(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return closeIfTerminated();
    }

    /** Releases the link's clients once every copy thread has ended; true when they have. */
    boolean closeIfTerminated() {
        if (!terminated()) {
            return false;
        }
        if (!closed) {
            closed = true;
            onClose.run();
        }
        return true;
    }
}
