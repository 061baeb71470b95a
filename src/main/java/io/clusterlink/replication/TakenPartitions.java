package io.clusterlink.replication;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.clusterlink.service.Fleet;

/**
 * Whether the partitions this instance took from the fleet were left quiet by their last writer,
 * until their mirror's progress holds it. A partition can be taken in a round whose plan no
 * longer copies its mirror (paused between the two reads); what it was taken with must still be
 * what it is given back with, or a partition a vanished writer left would be handed on as quiet
 * (and its next owner would skip the fence), or a quiet one as not (and its next owner would wait
 * for nothing).
 */
final class TakenPartitions {

    private final Map<Fleet.MirrorPartitionId, Boolean> notYetCopied = new ConcurrentHashMap<>();

    /** Partitions taken now, with what their last writer left. */
    void taken(Iterable<Fleet.Acquired> acquired) {
        acquired.forEach(a -> notYetCopied.put(a.id(), a.quiet()));
    }

    /** Hands what was taken to the progress of the mirrors in the plan ({@code progress} gives null for others). */
    void apply(Function<Long, PartitionProgress[]> progress) {
        notYetCopied.entrySet().removeIf(e -> {
            PartitionProgress[] p = progress.apply(e.getKey().mirrorId());
            if (p == null || e.getKey().partition() >= p.length) {
                return false;
            }
            p[e.getKey().partition()].quiet(e.getValue());
            return true;
        });
    }

    /**
     * Whether a partition is given back with nothing of it in flight: as it was taken when it was
     * never handed to a copy thread since, else as its progress says ({@code progress} may be null).
     */
    boolean quiet(Fleet.MirrorPartitionId id, PartitionProgress[] progress) {
        Boolean taken = notYetCopied.get(id);
        if (taken != null) {
            return taken;
        }
        return progress != null && id.partition() < progress.length && progress[id.partition()].quiet();
    }

    /** The partition was given back. */
    void released(Fleet.MirrorPartitionId id) {
        notYetCopied.remove(id);
    }
}
