package io.clusterlink.link;

import java.util.EnumSet;
import java.util.Set;

/**
 * Stored mirror states and their legal transitions. {@code SOURCE_UNAVAILABLE}, {@code LINK_PAUSED}
 * and {@code LINK_FAILED} are never stored: they are derived from the link when a mirror is shown.
 */
public enum MirrorStatus {
    PENDING_MIRROR,
    ACTIVE,
    PAUSED,
    PENDING_STOPPED,
    STOPPED,
    FAILED,
    SOURCE_UNAVAILABLE,
    LINK_PAUSED,
    LINK_FAILED;

    public Set<MirrorStatus> next() {
        return switch (this) {
            case PENDING_MIRROR -> EnumSet.of(ACTIVE, PENDING_STOPPED, FAILED);
            case ACTIVE -> EnumSet.of(PAUSED, PENDING_STOPPED, FAILED);
            case PAUSED -> EnumSet.of(ACTIVE, PENDING_STOPPED, FAILED);
            case PENDING_STOPPED -> EnumSet.of(STOPPED, FAILED);
            case FAILED -> EnumSet.of(PENDING_STOPPED);
            case STOPPED, SOURCE_UNAVAILABLE, LINK_PAUSED, LINK_FAILED -> EnumSet.noneOf(MirrorStatus.class);
        };
    }

    public boolean canMoveTo(MirrorStatus target) {
        return next().contains(target);
    }

    /** States in which the replication data plane copies records. */
    public boolean replicates() {
        return this == PENDING_MIRROR || this == ACTIVE || this == PENDING_STOPPED;
    }
}
