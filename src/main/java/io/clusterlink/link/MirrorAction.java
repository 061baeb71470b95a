package io.clusterlink.link;

import java.util.Arrays;
import java.util.Optional;

/** The mirror actions of the v3 API ({@code mirrors:promote} and so on). */
public enum MirrorAction {
    PROMOTE("promote"),
    FAILOVER("failover"),
    PAUSE("pause"),
    RESUME("resume");

    private final String pathName;

    MirrorAction(String pathName) {
        this.pathName = pathName;
    }

    public String pathName() {
        return pathName;
    }

    public static Optional<MirrorAction> fromPath(String name) {
        return Arrays.stream(values()).filter(a -> a.pathName.equals(name)).findFirst();
    }
}
