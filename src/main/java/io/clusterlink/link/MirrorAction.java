package io.clusterlink.link;

import java.util.Arrays;
import java.util.Optional;

/** The mirror actions of the v3 API ({@code mirrors:promote} and so on). */
public enum MirrorAction {
    PROMOTE("promote"),
    FAILOVER("failover"),
    PAUSE("pause"),
    RESUME("resume"),
    /** Promotes the mirror if it still mirrors, then makes its source topic a running mirror of it on the reverse link. */
    REVERSE_AND_START("reverse-and-start-mirror"),
    /** As {@link #REVERSE_AND_START}, the source topic's new mirror paused. */
    REVERSE_AND_PAUSE("reverse-and-pause-mirror"),
    /**
     * On a stopped mirror whose source topic diverged after a failover: sets the source topic's
     * records past the stop offsets aside, then makes the source topic a mirror of it from scratch.
     */
    TRUNCATE_AND_RESTORE("truncate-and-restore");

    private final String pathName;

    MirrorAction(String pathName) {
        this.pathName = pathName;
    }

    public String pathName() {
        return pathName;
    }

    /** A reverse action: the mirror's direction is turned around. */
    public boolean reverses() {
        return this == REVERSE_AND_START || this == REVERSE_AND_PAUSE || this == TRUNCATE_AND_RESTORE;
    }

    public static Optional<MirrorAction> fromPath(String name) {
        return Arrays.stream(values()).filter(a -> a.pathName.equals(name)).findFirst();
    }
}
