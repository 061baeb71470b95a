package io.clusterlink.link;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every rule about mirror states, in one place: the legal transitions, which states an action
 * starts from and why it is refused, what each state means for replication, read-only, the
 * offset and config syncs, and what a mirror shows given its link. Nothing else compares
 * {@link MirrorStatus} values.
 * <p>
 * A mirror is {@code PENDING_MIRROR} while its offsets are aligned, {@code ACTIVE} while it copies,
 * {@code PAUSED} while it does not, {@code PENDING_STOPPED} from a promote or failover request to
 * its end, and {@code STOPPED} for good. {@code FAILED} mirrors cannot be repaired; failover makes
 * them writable. The stop mode tells a promote (copy up to the stop offsets) from a failover
 * (stop where the mirror is).
 */
public final class MirrorLifecycle {

    private static final Set<MirrorStatus> MIRRORING = Collections.unmodifiableSet(
            EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE, MirrorStatus.PAUSED));

    /** A state change: from any of {@code from} to {@code to}. */
    public record Move(Set<MirrorStatus> from, MirrorStatus to) {
    }

    /** All partitions are aligned to their start offsets. */
    public static final Move ALIGNED = new Move(EnumSet.of(MirrorStatus.PENDING_MIRROR), MirrorStatus.ACTIVE);
    /** A promote or failover is done: the mirror is an ordinary topic. */
    public static final Move STOP_FINISHED = new Move(EnumSet.of(MirrorStatus.PENDING_STOPPED), MirrorStatus.STOPPED);
    /** An error the data plane or the metadata sync cannot repair, in any state before the stop. */
    public static final Move FAIL = new Move(EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
            MirrorStatus.PAUSED, MirrorStatus.PENDING_STOPPED), MirrorStatus.FAILED);

    private MirrorLifecycle() {
    }

    /** The move an action makes. */
    public static Move move(MirrorAction action) {
        return new Move(startsFrom(action), target(action));
    }

    /** The stored states a mirror may move to from {@code from}. */
    public static Set<MirrorStatus> next(MirrorStatus from) {
        return switch (from) {
            case PENDING_MIRROR -> EnumSet.of(MirrorStatus.ACTIVE, MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
            case ACTIVE -> EnumSet.of(MirrorStatus.PAUSED, MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
            case PAUSED -> EnumSet.of(MirrorStatus.ACTIVE, MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
            case PENDING_STOPPED -> EnumSet.of(MirrorStatus.STOPPED, MirrorStatus.FAILED);
            case FAILED -> EnumSet.of(MirrorStatus.PENDING_STOPPED);
            case STOPPED, SOURCE_UNAVAILABLE, LINK_PAUSED, LINK_FAILED -> EnumSet.noneOf(MirrorStatus.class);
        };
    }

    public static boolean canMove(MirrorStatus from, MirrorStatus to) {
        return next(from).contains(to);
    }

    /** The states from which an action moves a mirror on (the action's target is {@link #target}). */
    private static Set<MirrorStatus> startsFrom(MirrorAction action) {
        return switch (action) {
            case PROMOTE, REVERSE_AND_START, REVERSE_AND_PAUSE -> EnumSet.copyOf(MIRRORING);
            case FAILOVER -> EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE, MirrorStatus.PAUSED,
                    MirrorStatus.FAILED);
            case PAUSE -> EnumSet.of(MirrorStatus.ACTIVE);
            case RESUME -> EnumSet.of(MirrorStatus.PAUSED);
            // Moves no mirror: the stopped one stays STOPPED, the restored one is created.
            case TRUNCATE_AND_RESTORE -> EnumSet.noneOf(MirrorStatus.class);
        };
    }

    /** Where an action moves a mirror. */
    private static MirrorStatus target(MirrorAction action) {
        return switch (action) {
            case PROMOTE, FAILOVER, REVERSE_AND_START, REVERSE_AND_PAUSE -> MirrorStatus.PENDING_STOPPED;
            case TRUNCATE_AND_RESTORE -> MirrorStatus.STOPPED;
            case PAUSE -> MirrorStatus.PAUSED;
            case RESUME -> MirrorStatus.ACTIVE;
        };
    }

    /**
     * Whether {@code action} may run on {@code mirror} of a link in {@code linkState}; refused with
     * a message that says why and what to do instead. A failover of a mirror that is already
     * failing over finishes that failover.
     *
     * @throws ClusterLinkException.InvalidRequest when it may not
     */
    public static void check(MirrorAction action, Mirror mirror, LinkState linkState) {
        MirrorStatus s = mirror.status();
        switch (action) {
            case PROMOTE -> {
                if (s == MirrorStatus.STOPPED) {
                    throw stopped(mirror);
                }
                if (s == MirrorStatus.PENDING_STOPPED) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic()
                            + "' is already stopping its mirror from '" + mirror.linkName() + "'");
                }
                if (s == MirrorStatus.FAILED) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic() + "' is FAILED ("
                            + mirror.error() + "): it cannot catch up; use failover to make it writable");
                }
                if (linkState == LinkState.PAUSED) {
                    throw new ClusterLinkException.InvalidRequest("Cluster link '" + mirror.linkName()
                            + "' is paused: resume it (cluster.link.paused=false) or use failover");
                }
            }
            case FAILOVER -> {
                if (s == MirrorStatus.STOPPED) {
                    throw stopped(mirror);
                }
            }
            case REVERSE_AND_START, REVERSE_AND_PAUSE -> {
                if (s == MirrorStatus.STOPPED) {
                    if (mirror.stopOffsets() == null) {
                        throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic()
                                + "' has no stop offsets to continue from");
                    }
                    return;
                }
                if (s == MirrorStatus.PENDING_STOPPED) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic()
                            + "' is stopping its mirror from '" + mirror.linkName()
                            + "': reverse it once it is STOPPED");
                }
                if (s == MirrorStatus.FAILED) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic() + "' is FAILED ("
                            + mirror.error() + "): it cannot be promoted, so it cannot be reversed");
                }
                check(MirrorAction.PROMOTE, mirror, linkState);
            }
            case TRUNCATE_AND_RESTORE -> {
                if (s != MirrorStatus.STOPPED) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic() + "' is " + s
                            + ": truncate-and-restore needs a STOPPED mirror (promote or fail it over first)");
                }
                if (mirror.stopOffsets() == null) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic()
                            + "' has no stop offsets to truncate to");
                }
            }
            case PAUSE, RESUME -> {
                MirrorStatus needed = action == MirrorAction.PAUSE ? MirrorStatus.ACTIVE : MirrorStatus.PAUSED;
                if (s != needed) {
                    throw new ClusterLinkException.InvalidRequest("Topic '" + mirror.mirrorTopic() + "' is " + s
                            + " and can only be " + (action == MirrorAction.PAUSE ? "paused" : "resumed") + " when "
                            + needed);
                }
            }
        }
    }

    private static ClusterLinkException stopped(Mirror m) {
        return new ClusterLinkException.InvalidRequest(
                "Topic '" + m.mirrorTopic() + "' has already stopped its mirror from '" + m.linkName() + "'");
    }

    /**
     * The state a reversed mirror starts in: its topic holds the records of its new source up to
     * their end already, so there is nothing to align; {@code ACTIVE}, or {@code PAUSED} when asked.
     */
    public static MirrorStatus reversed(MirrorAction action) {
        return action == MirrorAction.REVERSE_AND_PAUSE ? MirrorStatus.PAUSED : MirrorStatus.ACTIVE;
    }

    /** Whether a reverse must promote the mirror first: it still mirrors. */
    public static boolean promotedBeforeReverse(Mirror m) {
        return MIRRORING.contains(m.status());
    }

    /** Whether a mirror is stopped for good, so that its topic can be registered as another link's mirror. */
    public static boolean isStopped(Mirror m) {
        return m.status() == MirrorStatus.STOPPED;
    }

    /** A promote in progress: the mirror copies up to its stop offsets. */
    public static boolean promoting(Mirror m) {
        return m.status() == MirrorStatus.PENDING_STOPPED && m.stopMode() == StopMode.PROMOTE;
    }

    /** Whether the mirror is aligning its offsets (and becomes ACTIVE once aligned). */
    public static boolean aligning(Mirror m) {
        return m.status() == MirrorStatus.PENDING_MIRROR;
    }

    /** Whether the mirror is stopping: a promote or failover was requested and has not finished. */
    public static boolean stopping(Mirror m) {
        return m.status() == MirrorStatus.PENDING_STOPPED;
    }

    /** A failover that was requested and has not finished (e.g. the service stopped in between). */
    public static boolean failingOver(Mirror m) {
        return m.status() == MirrorStatus.PENDING_STOPPED && m.stopMode() != StopMode.PROMOTE;
    }

    /** Whether the data plane copies the mirror now: aligning, active or promoting, on a link that is not paused. */
    public static boolean replicates(Mirror m, LinkState linkState) {
        if (linkState == LinkState.PAUSED || m.creating()) {
            return false;
        }
        return m.status() == MirrorStatus.PENDING_MIRROR || m.status() == MirrorStatus.ACTIVE || promoting(m);
    }

    /**
     * States whose topics are read-only and get their ACL back if it is missing: every state before
     * the mirror stops. A {@code FAILED} mirror stays read-only until it is failed over. A
     * {@code PENDING_STOPPED} one keeps its ACL until it is {@code STOPPED} but does not get it
     * back, so that a check never races with a stop that is lifting it.
     */
    public static boolean readOnly(MirrorStatus s) {
        return MIRRORING.contains(s) || s == MirrorStatus.FAILED;
    }

    /**
     * Whether the periodic check keeps the mirror's topic read-only: {@link #readOnly(MirrorStatus)},
     * once it is created (a creation protects its own topic, and one cut short may find a topic of
     * that name that is not its own).
     */
    public static boolean keptReadOnly(Mirror m) {
        return !m.creating() && readOnly(m.status());
    }

    /** Whether the consumer offsets of the mirror's groups are synced: until it stops; a promote's last sync included. */
    public static boolean offsetsSynced(Mirror m) {
        return MIRRORING.contains(m.status()) || promoting(m);
    }

    /** A mirror that failed because its source topic was missing: watched on, to name what happened once it is back. */
    public static boolean sourceMayBeDeleted(Mirror m) {
        return m.status() == MirrorStatus.FAILED && m.error() == MirrorTopicError.SOURCE_TOPIC_MAY_BE_DELETED;
    }

    /** Whether the topic config sync looks at the mirror: while it mirrors, and while its source may be deleted. */
    public static boolean configsSynced(Mirror m) {
        return MIRRORING.contains(m.status()) || sourceMayBeDeleted(m);
    }

    /** Whether the mirror grows with its source; one that is stopping keeps the partitions of its stop offsets. */
    public static boolean grows(MirrorStatus s) {
        return MIRRORING.contains(s);
    }

    /** A mirror that keeps a link from being deleted without {@code force}. */
    public static boolean live(MirrorStatus s) {
        return s != MirrorStatus.STOPPED;
    }

    /** What the API shows: an aligning or active mirror takes the state of a link that is not active. */
    public static MirrorStatus shown(Mirror m, LinkState linkState) {
        if (linkState == null || m.status() != MirrorStatus.ACTIVE && m.status() != MirrorStatus.PENDING_MIRROR) {
            return m.status();
        }
        return switch (linkState) {
            case PAUSED -> MirrorStatus.LINK_PAUSED;
            case UNAVAILABLE -> MirrorStatus.SOURCE_UNAVAILABLE;
            case FAILED -> MirrorStatus.LINK_FAILED;
            case ACTIVE -> m.status();
        };
    }

    /**
     * The state shown to a client that only knows the five states of early v3 clients (the
     * Terraform provider's pinned SDK refuses any other): {@code ACTIVE}, {@code PAUSED},
     * {@code FAILED}, {@code PENDING_STOPPED}, {@code STOPPED}. A mirror that aligns its offsets, or
     * whose link is paused, failed or cannot reach the source, is an {@code ACTIVE} mirror by its own
     * state (only those take the link's state, see {@link #shown}): it copies as soon as it can, and
     * {@code pause} acts on it as on any active mirror. Showing {@code PAUSED} for a paused link would
     * make such a client plan a {@code resume} that the mirror's own state refuses.
     */
    public static MirrorStatus fiveStateStatus(MirrorStatus shown) {
        return switch (shown) {
            case PENDING_MIRROR, SOURCE_UNAVAILABLE, LINK_PAUSED, LINK_FAILED -> MirrorStatus.ACTIVE;
            case ACTIVE, PAUSED, PENDING_STOPPED, STOPPED, FAILED -> shown;
        };
    }

    /**
     * The category a mirror's partitions count in for its link's {@code category_counts}, by its
     * shown state: copying, paused (by itself or its link), in error (failed, or its link cannot
     * copy), pending (aligning or stopping), or not applicable (stopped: no longer a mirror).
     */
    public static StateCategory category(MirrorStatus shown) {
        return switch (shown) {
            case ACTIVE -> StateCategory.ACTIVE;
            case PAUSED, LINK_PAUSED -> StateCategory.PAUSED;
            case FAILED, SOURCE_UNAVAILABLE, LINK_FAILED -> StateCategory.IN_ERROR;
            case PENDING_MIRROR, PENDING_STOPPED -> StateCategory.PENDING;
            case STOPPED -> StateCategory.NOT_APPLICABLE;
        };
    }

    /** Whether a stored mirror may show lag: a stopped mirror has nothing more to copy. */
    public static boolean hasLag(MirrorStatus s) {
        return s != MirrorStatus.STOPPED;
    }
}
