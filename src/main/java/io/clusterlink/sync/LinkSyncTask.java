package io.clusterlink.sync;

import io.clusterlink.link.Link;

/** A periodic metadata sync of one kind, run per link by the {@link SyncScheduler}. */
interface LinkSyncTask {

    /** The v3 task name, e.g. {@code AutoCreateMirror}. */
    String name();

    /** Whether the link has this task enabled; tasks without a config of their own always run. */
    default boolean enabled(Link link) {
        return true;
    }

    /** Whether the task runs while the link is UNAVAILABLE (only the availability check does). */
    default boolean runsWhileUnavailable() {
        return false;
    }

    /** Whether the task runs while the link is PAUSED (only the read-only check does). */
    default boolean runsWhilePaused() {
        return false;
    }

    /** Milliseconds between two runs for this link. */
    long intervalMs(Link link);

    /**
     * One run; reports its outcome itself. Exceptions are caught and logged by the scheduler.
     *
     * @return false when the run met errors (those it reports on the link, or logs)
     */
    boolean run(Link link) throws Exception;
}
