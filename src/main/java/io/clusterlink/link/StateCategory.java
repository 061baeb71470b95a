package io.clusterlink.link;

/**
 * Confluent's {@code state_category} of a link's {@code category_counts}: the mirror partitions of
 * a link counted by what their mirror is doing ({@link MirrorLifecycle#category}).
 */
public enum StateCategory {
    ACTIVE,
    PAUSED,
    IN_ERROR,
    PENDING,
    NOT_APPLICABLE
}
