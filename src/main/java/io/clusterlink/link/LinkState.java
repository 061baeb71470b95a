package io.clusterlink.link;

public enum LinkState {
    ACTIVE,
    PAUSED,
    UNAVAILABLE,
    FAILED
}
