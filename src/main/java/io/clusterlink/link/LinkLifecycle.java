package io.clusterlink.link;

import java.util.Optional;

/**
 * Every rule about link states: {@code PAUSED} follows {@code cluster.link.paused}, an active link
 * becomes {@code UNAVAILABLE} when its source stops answering and {@code ACTIVE} again when it
 * answers; and what a link's state means for its tasks.
 */
public final class LinkLifecycle {

    private LinkLifecycle() {
    }

    /** The state of a new link. */
    public static LinkState initial(LinkSettings settings) {
        return settings.paused() ? LinkState.PAUSED : LinkState.ACTIVE;
    }

    /** The state after the link's configs changed: into or out of {@code PAUSED}; empty when it stays. */
    public static Optional<LinkState> afterConfigChange(LinkState current, LinkSettings settings) {
        boolean paused = settings.paused();
        if (paused == (current == LinkState.PAUSED)) {
            return Optional.empty();
        }
        return Optional.of(paused ? LinkState.PAUSED : LinkState.ACTIVE);
    }

    /**
     * The state after an availability check: {@code ACTIVE} and {@code UNAVAILABLE} follow the
     * source; a paused or failed link keeps its state. Empty when it stays.
     */
    public static Optional<LinkState> afterAvailabilityCheck(LinkState current, boolean available) {
        LinkState wanted = available ? LinkState.ACTIVE : LinkState.UNAVAILABLE;
        if (current != LinkState.ACTIVE && current != LinkState.UNAVAILABLE || current == wanted) {
            return Optional.empty();
        }
        return Optional.of(wanted);
    }

    /** Whether a periodic task runs on a link in {@code state}, given what it may run through. */
    public static boolean taskRuns(LinkState state, boolean runsWhilePaused, boolean runsWhileUnavailable) {
        return switch (state) {
            case PAUSED -> runsWhilePaused;
            case UNAVAILABLE -> runsWhileUnavailable;
            case ACTIVE, FAILED -> true;
        };
    }

    /**
     * The v3 task state a link's state imposes on an enabled task ({@code LINK_PAUSED} and so on);
     * empty when the task's own last outcome is shown.
     */
    public static Optional<String> taskStateOf(LinkState state) {
        return switch (state) {
            case PAUSED -> Optional.of("LINK_PAUSED");
            case UNAVAILABLE -> Optional.of("LINK_UNAVAILABLE");
            case FAILED -> Optional.of("LINK_FAILED");
            case ACTIVE -> Optional.empty();
        };
    }
}
