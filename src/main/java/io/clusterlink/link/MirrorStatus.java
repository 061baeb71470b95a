package io.clusterlink.link;

/**
 * Mirror states. {@code SOURCE_UNAVAILABLE}, {@code LINK_PAUSED} and {@code LINK_FAILED} are never
 * stored: they are derived from the link when a mirror is shown. What each state means and which
 * moves are legal is {@link MirrorLifecycle}'s.
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
    LINK_FAILED
}
